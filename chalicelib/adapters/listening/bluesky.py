"""Bluesky: replies and mentions from ``app.bsky.notification.listNotifications`` (reasons
``reply`` and ``mention``), signed in with the channel's session (the publisher's: one session
per account and process). A reply names what it answers in ``record.reply.parent.uri``.

The list runs newest first and its own cursor pages backwards, so our cursor is the newest
``indexedAt`` read, kept to the millisecond (two notifications often share a second): a run
reads pages until it reaches what it has seen. A first read takes one page.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.channels.base import Response
from chalicelib.adapters.channels.bluesky import BlueskyPublisher, _needs_new_session
from chalicelib.adapters.listening.base import ListenFailure, get_json, mapping, text_of
from chalicelib.domain.conversation import Incoming, Reading, network_time, parse_utc

PAGE = 50
MAX_PAGES = 10
METHOD = "app.bsky.notification.listNotifications"


def post_url(handle: str, uri: str) -> str | None:
    rkey = uri.rsplit("/", 1)[-1] if uri.startswith("at://") else ""
    return f"https://bsky.app/profile/{handle}/post/{rkey}" if handle and rkey else None


class BlueskyListener:
    def __init__(self, publisher: BlueskyPublisher) -> None:
        self.publisher = publisher
        self.name = publisher.name

    def read_new(self, cursor: str | None) -> Reading:
        items: list[Incoming] = []
        seen = parse_utc(cursor) if cursor else None
        newest, page_cursor = seen, None
        for _ in range(MAX_PAGES if cursor else 1):
            data = self._page(page_cursor)
            notes = data.get("notifications") if isinstance(data, dict) else None
            if not isinstance(notes, list):
                raise ListenFailure("notifications: unexpected answer")
            reached = False
            for note in notes:
                indexed = (parse_utc(text_of(note.get("indexedAt"))) if isinstance(note, dict)
                           else None)
                if indexed is None:
                    continue
                if seen is not None and indexed <= seen:
                    reached = True
                    continue
                newest = indexed if newest is None or indexed > newest else newest
                incoming = self._incoming(note)
                if incoming is not None:
                    items.append(incoming)
            page_cursor = data.get("cursor") if isinstance(data, dict) else None
            if reached or not page_cursor or not notes:
                break
        # Oldest first, in the network's order within a second (at-uris do not sort by time).
        items.reverse()
        items.sort(key=lambda item: item.at)
        if newest is None or newest == seen:
            return Reading(tuple(items), cursor)
        text = newest.astimezone(UTC).isoformat(timespec="milliseconds")
        return Reading(tuple(items), text.replace("+00:00", "Z"))

    def _page(self, page_cursor: Any) -> Any:
        query: list[tuple[str, str]] = [("limit", str(PAGE)), ("reasons", "reply"),
                                        ("reasons", "mention")]
        if isinstance(page_cursor, str) and page_cursor:
            query.append(("cursor", page_cursor))
        url = f"{self.publisher._xrpc(METHOD)}?{urlencode(query)}"
        session = self.publisher._session()

        def send(access: str) -> tuple[Any, Response]:
            return get_json(self.publisher.http, url, headers={"Authorization": f"Bearer {access}"})

        try:
            data, _ = send(session.access_jwt)
        except ListenFailure as err:
            # An expired session answers 400/401 ExpiredToken: renew once and ask again.
            if err.response is None or not _needs_new_session(err.response):
                raise
            data, _ = send(self.publisher._renew(session).access_jwt)
        return data

    def _incoming(self, note: dict[str, Any]) -> Incoming | None:
        reason = note.get("reason")
        record = note.get("record")
        uri = text_of(note.get("uri"))
        if reason not in ("reply", "mention") or not isinstance(record, dict) or not uri:
            return None
        author = mapping(note.get("author"))
        handle = text_of(author.get("handle"))
        at = network_time(record.get("createdAt")) or network_time(note.get("indexedAt"))
        if at is None:
            return None
        reply = mapping(record.get("reply"))
        parent = mapping(reply.get("parent"))
        parent_uri = text_of(parent.get("uri")) or None
        return Incoming(channel=self.name, external_id=uri, author=f"@{handle}" if handle else "",
                        text=text_of(record.get("text")), url=post_url(handle, uri), at=at,
                        in_reply_to=parent_uri, kind="reply" if parent_uri else "mention")
