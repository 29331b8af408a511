"""Hand-written fakes of the services' ports. They keep state, so tests assert outcomes."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.repository import calendar_time
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.events import Message
from chalicelib.domain.post import Post, iso
from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.domain.timeline import TimelineEvent


class MemoryPostRepository:
    """Same rules as the DynamoDB repository: version-conditional saves, copies out."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[TimelineEvent]] = {}
        self.refs: dict[str, dict[str, Any]] = {}
        self.outbox: list[tuple[str, Message]] = []

    def save(self, post: Post) -> None:
        stored = self.documents.get(post.id)
        if (stored is None) != (post.version == 0) or (
            stored is not None and stored["version"] != post.version
        ):
            raise Conflict("conflict", post=post.id)
        doc = post_to_document(post)
        doc["version"] = post.version + 1
        self.documents[post.id] = copy.deepcopy(doc)
        self.events.setdefault(post.id, []).extend(post.new_events)
        self.outbox.extend((post.id, m) for m in post.messages)
        post.version += 1
        post.new_events = []
        post.messages = []

    def save_ref(self, post_id: str, name: str, data: dict[str, Any]) -> None:
        self.refs.setdefault(post_id, {})[name] = copy.deepcopy(data)

    def get(self, post_id: str) -> Post:
        if post_id not in self.documents:
            raise NotFound("post_not_found", post=post_id)
        return post_from_document(copy.deepcopy(self.documents[post_id]))

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], dict[str, Any]]:
        post = self.get(post_id)
        return post, list(self.events.get(post_id, [])), copy.deepcopy(self.refs.get(post_id, {}))

    def _all(self) -> list[Post]:
        return [self.get(post_id) for post_id in self.documents]

    def by_author(self, author: str, status: str | None = None, limit: int = 200) -> list[Post]:
        posts = [p for p in self._all() if p.author == author.lower()
                 and (status is None or p.status.value == status)]
        return sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True)[:limit]

    def calendar(self, start: datetime, end: datetime) -> list[Post]:
        lo, hi = iso(start)[:19], iso(end)[:19] + "\uffff"
        return sorted((p for p in self._all() if (t := calendar_time(p)) and lo <= t <= hi),
                      key=lambda p: calendar_time(p) or "")

    def due(self, now: datetime, limit: int = 500) -> list[Post]:
        cutoff = iso(now)[:19] + "\uffff"
        due = [p for p in self._all() if p.due_at and p.due_at <= cutoff]
        return sorted(due, key=lambda p: (p.due_at or "", p.id))[:limit]

    def stalled(self, before: datetime, limit: int = 100) -> list[Post]:
        cutoff = iso(before)
        stalled = [p for p in self._all() if p.status.value == "publishing" and p.updated_at < cutoff]
        return sorted(stalled, key=lambda p: (p.updated_at, p.id))[:limit]

    def sent(self, kind: type) -> list[Any]:
        """Messages of one kind that stored changes recorded, in order."""
        return [m for _, m in self.outbox if isinstance(m, kind)]


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)
