"""Facebook Page: comments on the Page's posts that Freigabe published, from
``GET /{page-post-id}/comments?since=`` (Graph API, the Page token, ``filter=stream`` so
replies to comments come too). The posts read are the channel's publications of the last
WATCH_DAYS days. The cursor is the newest comment's time in epoch seconds; Graph's ``since``
is inclusive, so what equals it is read again and kept once by its key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.channels.base import HttpClient, Secret
from chalicelib.adapters.channels.facebook_page import throttled
from chalicelib.adapters.listening.base import ListenFailure, get_json, mapping, text_of
from chalicelib.domain.conversation import Incoming, Reading, network_time

WATCH_DAYS = 30
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
            query: dict[str, str] = {"fields": FIELDS, "filter": "stream", "limit": "100"}
            if since is not None:
                query["since"] = str(since)
            # The token in a header, never in a URL that could reach an access log.
            data, _ = get_json(self.http, f"{self.base_url}/{post_id}/comments?{urlencode(query)}",
                               headers={"Authorization": f"Bearer {self.token.value()}"},
                               throttled=throttled)
            comments = data.get("data") if isinstance(data, dict) else None
            if not isinstance(comments, list):
                raise ListenFailure("comments: unexpected answer")
            for comment in comments:
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
