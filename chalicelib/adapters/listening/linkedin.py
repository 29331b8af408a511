"""LinkedIn: comments on the organization's posts that Freigabe published, from
``GET /rest/socialActions/{post urn}/comments`` (Community Management API, the channel's
``LinkedIn-Version``). LinkedIn has no notification feed for pages, so the posts read are the
channel's publications of the last WATCH_DAYS days (the table's index of what we published).

The cursor is the newest comment's ``created.time`` (epoch milliseconds) read on any of them.
A post's comments are read page by page (``start``/``count``), so a busy post loses none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from chalicelib.adapters.channels.base import HttpClient, Secret
from chalicelib.adapters.listening.base import ListenFailure, get_json, mapping, text_of
from chalicelib.domain.conversation import Incoming, Reading, network_time

WATCH_DAYS = 30
PAGE = 50
MAX_PAGES = 20
RESTLI_PROTOCOL = "2.0.0"


class LinkedInListener:
    def __init__(self, name: str, base_url: str, api_version: str, token: Secret,
                 http: HttpClient, watched: Callable[[], list[str]]) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.token = token
        self.http = http
        self.watched = watched  # our post URNs on this channel, newest first

    def read_new(self, cursor: str | None) -> Reading:
        since = int(cursor) if cursor and cursor.isdigit() else None
        items: list[Incoming] = []
        newest = since
        for urn in self.watched():
            for comment in self._comments(urn):
                created = _created(comment)
                if created is None or (since is not None and created <= since):
                    continue
                newest = created if newest is None or created > newest else newest
                incoming = self._incoming(urn, comment, created)
                if incoming is not None:
                    items.append(incoming)
        items.sort(key=lambda item: (item.at, item.external_id))
        return Reading(tuple(items), str(newest) if newest is not None else cursor)

    def _comments(self, urn: str) -> list[Any]:
        """All of a post's comments, page by page (``start``/``count``, ``paging.total``)."""
        found: list[Any] = []
        for page in range(MAX_PAGES):
            data, _ = get_json(
                self.http,
                f"{self.base_url}/rest/socialActions/{quote(urn, safe='')}/comments"
                f"?start={page * PAGE}&count={PAGE}",
                headers={"Authorization": f"Bearer {self.token.value()}",
                         "LinkedIn-Version": self.api_version,
                         "X-Restli-Protocol-Version": RESTLI_PROTOCOL})
            elements = data.get("elements") if isinstance(data, dict) else None
            if not isinstance(elements, list):
                raise ListenFailure("comments: unexpected answer")
            found.extend(elements)
            total = mapping(data.get("paging")).get("total")
            if len(elements) < PAGE or (isinstance(total, int) and len(found) >= total):
                break
        return found

    def _incoming(self, urn: str, comment: dict[str, Any], created: int) -> Incoming | None:
        comment_urn = text_of(comment.get("commentUrn")) or text_of(comment.get("$URN"))
        comment_id = comment_urn or text_of(comment.get("id"))
        at = network_time(created)
        if not comment_id or at is None:
            return None
        message = mapping(comment.get("message"))
        parent = text_of(comment.get("parentComment")) or urn
        return Incoming(channel=self.name, external_id=comment_id,
                        author=text_of(comment.get("actor")),
                        text=text_of(message.get("text")),
                        url=f"https://www.linkedin.com/feed/update/{urn}/", at=at,
                        in_reply_to=parent, kind="reply")


def _created(comment: Any) -> int | None:
    created = comment.get("created") if isinstance(comment, dict) else None
    value = created.get("time") if isinstance(created, dict) else None
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
