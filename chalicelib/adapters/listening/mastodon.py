"""Mastodon: replies and mentions arrive as notifications of type ``mention``
(``GET /api/v1/notifications?types[]=mention``); a reply to one of our statuses carries its id
in ``status.in_reply_to_id``.

The cursor is the newest notification id read. Reading asks for ``min_id`` (the page right
after the cursor) rather than ``since_id`` (the newest page), so a burst of more than one page
is read page by page at the following runs instead of leaving a gap. Mastodon counts reads per
token in a five-minute window and says what is left in ``X-RateLimit-Remaining``; at zero the
channel rests until ``X-RateLimit-Reset``.

A first read that finds nothing still sets the cursor: the newest notification of any type
(``limit=1``), or "0" on an account that has none, so everything after it is read from the
oldest page on and a later burst of more than a page loses nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.channels.base import HttpClient, Secret, retry_after_seconds
from chalicelib.adapters.listening.base import ListenFailure, get_json, plain_text, text_of
from chalicelib.domain.conversation import Incoming, Reading, network_time

PAGE = 40  # Mastodon's maximum for notifications


def _newer(a: str, b: str | None) -> bool:
    if b is None:
        return True
    if a.isdigit() and b.isdigit():
        return int(a) > int(b)
    return a > b


class MastodonListener:
    def __init__(self, name: str, base_url: str, token: Secret, http: HttpClient) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http

    def read_new(self, cursor: str | None) -> Reading:
        query: list[tuple[str, str]] = [("types[]", "mention"), ("limit", str(PAGE))]
        if cursor:
            query.append(("min_id", cursor))
        data, response = get_json(
            self.http, f"{self.base_url}/api/v1/notifications?{urlencode(query)}",
            headers={"Authorization": f"Bearer {self.token.value()}"})
        if not isinstance(data, list):
            raise ListenFailure("notifications: unexpected answer")
        items: list[Incoming] = []
        newest = cursor
        for note in data:
            if not isinstance(note, dict) or not note.get("id"):
                continue
            note_id = str(note["id"])
            if not _newer(note_id, cursor):
                continue
            newest = note_id if _newer(note_id, newest) else newest
            incoming = self._incoming(note)
            if incoming is not None:
                items.append(incoming)
        if newest is None:
            newest = self._start()
        items.sort(key=lambda item: (item.at, item.external_id))
        rest = None
        if (response.headers.get("X-RateLimit-Remaining") or "").strip() == "0":
            rest = retry_after_seconds(response.headers) or 60.0
        return Reading(tuple(items), newest, rest)

    def _start(self) -> str:
        """Where a first read that found nothing starts: the newest notification's id."""
        data, _ = get_json(self.http, f"{self.base_url}/api/v1/notifications?limit=1",
                           headers={"Authorization": f"Bearer {self.token.value()}"})
        newest = data[0] if isinstance(data, list) and data else None
        return str(newest["id"]) if isinstance(newest, dict) and newest.get("id") else "0"

    def _incoming(self, note: dict[str, Any]) -> Incoming | None:
        status = note.get("status")
        if note.get("type") != "mention" or not isinstance(status, dict) or not status.get("id"):
            return None
        account = status.get("account") or note.get("account") or {}
        acct = text_of(account.get("acct")) if isinstance(account, dict) else ""
        at = network_time(status.get("created_at")) or network_time(note.get("created_at"))
        if at is None:
            return None
        parent = status.get("in_reply_to_id")
        return Incoming(channel=self.name, external_id=str(status["id"]),
                        author=f"@{acct}" if acct else "", text=plain_text(text_of(status.get("content"))),
                        url=text_of(status.get("url")) or text_of(status.get("uri")) or None, at=at,
                        in_reply_to=str(parent) if parent else None,
                        kind="reply" if parent else "mention")
