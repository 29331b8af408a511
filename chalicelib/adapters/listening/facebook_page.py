"""Facebook Page: comments on the Page's posts that Freigabe published, from
``GET /{page-post-id}/comments?since=`` (Graph API, the Page token, ``filter=stream`` so
replies to comments come too). The posts read are the channel's publications of the last
WATCH_DAYS days. The cursor is the newest comment's time in epoch seconds; Graph's ``since``
is inclusive, so what equals it is read again and kept once by its key. A post's comments are
read page by page (``after``); a throttled Page (Graph's codes 4, 17, 32…) rests for the
``estimated_time_to_regain_access`` its X-Business-Use-Case-Usage header names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.channels.base import HttpClient, Response, Secret
from chalicelib.adapters.channels.facebook_page import throttled
from chalicelib.adapters.listening.base import ListenFailure, get_json, mapping, text_of
from chalicelib.domain.conversation import Incoming, Reading, network_time
from chalicelib.services.ports import RetryLater

WATCH_DAYS = 30
PAGE = 100
MAX_PAGES = 20
THROTTLED_SECONDS = 60.0
FIELDS = "id,message,from,created_time,permalink_url,parent"


class FacebookPageListener:
    def __init__(self, name: str, base_url: str, token: Secret, http: HttpClient,
                 watched: Callable[[], list[str]]) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http
        self.watched = watched

    def read_new(self, cursor: str | None) -> Reading:
        since = int(cursor) if cursor and cursor.isdigit() else None
        items: list[Incoming] = []
        newest = since
        for post_id in self.watched():
            for comment in self._comments(post_id, since):
                incoming = self._incoming(post_id, comment)
                if incoming is None:
                    continue
                seconds = int(datetime.fromisoformat(incoming.at.replace("Z", "+00:00")).timestamp())
                if since is not None and seconds < since:
                    continue
                newest = seconds if newest is None or seconds > newest else newest
                items.append(incoming)
        items.sort(key=lambda item: (item.at, item.external_id))
        return Reading(tuple(items), str(newest) if newest is not None else cursor)

    def _comments(self, post_id: str, since: int | None) -> list[Any]:
        """A post's comments since ``since``, page by page (``paging.cursors.after`` while
        ``paging.next`` says there is more)."""
        found: list[Any] = []
        after = None
        for _ in range(MAX_PAGES):
            query: dict[str, str] = {"fields": FIELDS, "filter": "stream", "limit": str(PAGE)}
            if since is not None:
                query["since"] = str(since)
            if after:
                query["after"] = after
            # The token in a header, never in a URL that could reach an access log.
            try:
                data, _ = get_json(self.http,
                                   f"{self.base_url}/{post_id}/comments?{urlencode(query)}",
                                   headers={"Authorization": f"Bearer {self.token.value()}"})
            except ListenFailure as err:
                if err.response is not None and throttled(err.response):
                    raise RetryLater(regain_seconds(err.response), f"{self.name}: throttled") from None
                raise
            comments = data.get("data") if isinstance(data, dict) else None
            if not isinstance(comments, list):
                raise ListenFailure("comments: unexpected answer")
            found.extend(comments)
            paging = mapping(data.get("paging"))
            after = text_of(mapping(paging.get("cursors")).get("after"))
            if not paging.get("next") or not after or not comments:
                break
        return found

    def _incoming(self, post_id: str, comment: Any) -> Incoming | None:
        if not isinstance(comment, dict) or not comment.get("id"):
            return None
        at = network_time(comment.get("created_time"))
        if at is None:
            return None
        author = mapping(comment.get("from"))
        parent = mapping(comment.get("parent"))
        return Incoming(channel=self.name, external_id=str(comment["id"]),
                        author=text_of(author.get("name")), text=text_of(comment.get("message")),
                        url=text_of(comment.get("permalink_url")) or None, at=at,
                        in_reply_to=text_of(parent.get("id")) or post_id, kind="reply")


def regain_seconds(response: Response) -> float:
    """When a throttled Page may read again: the longest ``estimated_time_to_regain_access``
    (minutes) in X-Business-Use-Case-Usage, else a minute."""
    try:
        usage = json.loads(response.headers.get("X-Business-Use-Case-Usage") or "{}")
    except ValueError:
        usage = {}
    minutes = [entry.get("estimated_time_to_regain_access")
               for entries in (usage.values() if isinstance(usage, dict) else [])
               if isinstance(entries, list) for entry in entries if isinstance(entry, dict)]
    known = [float(m) for m in minutes if isinstance(m, int | float) and not isinstance(m, bool)]
    return max(known) * 60.0 if known and max(known) > 0 else THROTTLED_SECONDS
