"""X: mentions of the account (``GET /2/users/{id}/mentions``), read only on channels whose
admin turned listening on (``listen = true``): X bills every post read (domain/pricing.py's
READ_USD), so each run logs what it read and what that cost. A reply to one of our posts names
it in ``referenced_tweets`` (``replied_to``). The cursor is the newest post id (``since_id``);
a first read takes FIRST_READ posts only.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.channels.base import HttpClient, Secret
from chalicelib.adapters.listening.base import ListenFailure, get_json, text_of
from chalicelib.domain import pricing
from chalicelib.domain.conversation import Incoming, Reading, network_time

log = logging.getLogger("freigabe.listening")

PAGE = 100
FIRST_READ = 10
MAX_PAGES = 10


class XListener:
    def __init__(self, name: str, base_url: str, token: Secret, http: HttpClient) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http
        self._user_id: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token.value()}"}

    def _me(self) -> str:
        if self._user_id is None:
            data, _ = get_json(self.http, f"{self.base_url}/2/users/me", headers=self._headers())
            user = data.get("data") if isinstance(data, dict) else None
            if not isinstance(user, dict) or not user.get("id"):
                raise ListenFailure("users/me: unexpected answer")
            self._user_id = str(user["id"])
        return self._user_id

    def read_new(self, cursor: str | None) -> Reading:
        posts: list[Any] = []
        users: dict[str, str] = {}
        newest: str | None = None
        token = None
        # Newest first; with a cursor, page back (``next_token``) until it: a burst of more
        # than a page is read whole (each page is billed, and logged below).
        for _ in range(MAX_PAGES if cursor else 1):
            query = {"max_results": str(PAGE if cursor else FIRST_READ),
                     "tweet.fields": "created_at,referenced_tweets,author_id",
                     "expansions": "author_id", "user.fields": "username"}
            if cursor:
                query["since_id"] = cursor
            if token:
                query["pagination_token"] = token
            data, _ = get_json(self.http,
                               f"{self.base_url}/2/users/{self._me()}/mentions?{urlencode(query)}",
                               headers=self._headers())
            if not isinstance(data, dict):
                raise ListenFailure("mentions: unexpected answer")
            posts.extend(data.get("data") or [])
            users.update({str(u.get("id")): text_of(u.get("username"))
                          for u in (data.get("includes") or {}).get("users") or []
                          if isinstance(u, dict)})
            meta = data.get("meta") or {}
            newest = newest or text_of(meta.get("newest_id")) or None
            token = text_of(meta.get("next_token"))
            if not token:
                break
        items = [i for i in (self._incoming(p, users) for p in posts if isinstance(p, dict)) if i]
        cost = pricing.x_read_cost(len(posts))
        log.info("x mentions read", extra={"channel": self.name, "posts": len(posts),
                                            "cost_usd": float(cost)})
        newest = newest or cursor
        items.sort(key=lambda item: (item.at, item.external_id))
        return Reading(tuple(items), newest)

    def _incoming(self, post: dict[str, Any], users: dict[str, str]) -> Incoming | None:
        at = network_time(post.get("created_at"))
        if not post.get("id") or at is None:
            return None
        replied = next((str(r.get("id")) for r in post.get("referenced_tweets") or []
                        if isinstance(r, dict) and r.get("type") == "replied_to"), None)
        username = users.get(str(post.get("author_id")), "")
        post_id = str(post["id"])
        return Incoming(channel=self.name, external_id=post_id,
                        author=f"@{username}" if username else "", text=text_of(post.get("text")),
                        url=f"https://x.com/{username or 'i'}/status/{post_id}", at=at,
                        in_reply_to=replied, kind="reply" if replied else "mention")
