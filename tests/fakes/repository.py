"""An in-memory PostRepository with the DynamoDB repository's rules: version-conditional
saves, copies in and out, the same index orderings. The contract tests run it and the real one
through the same cases."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.repository import calendar_time
from chalicelib.domain.content import Content
from chalicelib.domain.errors import Conflict, NotFound, Paused, StorageRefused
from chalicelib.domain.events import Message
from chalicelib.domain.media import MediaObject
from chalicelib.domain.post import Post, iso
from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.domain.status import Status
from chalicelib.domain.timeline import NEW_CONTENT_EVENTS, TimelineEvent
from chalicelib.services.ports import ControlStore

ITEM_LIMIT = 400_000  # DynamoDB's item size limit, which the real repository meets


class MemoryPostRepository:
    """Same rules as the DynamoDB repository: version-conditional saves, copies out."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[TimelineEvent]] = {}
        self.stored_refs: dict[str, dict[str, Any]] = {}
        self.outbox: list[tuple[str, Message]] = []
        self.contents: dict[str, dict[str, Content]] = {}
        self.stored_media: dict[str, MediaObject] = {}
        # The pause switch, which shares the table in DynamoDB (a save ``unless_paused`` checks it).
        self.control: ControlStore | None = None

    def save(self, post: Post, *, unless_paused: bool = False) -> None:
        stored = self.documents.get(post.id)
        if (stored is None) != (post.version == 0) or (
            stored is not None and stored["version"] != post.version
        ):
            raise Conflict("conflict", post=post.id)
        if unless_paused and self.control is not None and self.control.pause_state() is not None:
            raise Paused("paused", post=post.id)
        doc = post_to_document(post)
        doc["version"] = post.version + 1
        if len(json.dumps(doc, ensure_ascii=False).encode()) > ITEM_LIMIT:
            raise StorageRefused(post=post.id)
        self.documents[post.id] = copy.deepcopy(doc)
        if any(event.type in NEW_CONTENT_EVENTS for event in post.new_events):
            self.contents.setdefault(post.id, {})[post.content_hash] = post.content
        self.events.setdefault(post.id, []).extend(post.new_events)
        self.outbox.extend((post.id, m) for m in post.messages)
        post.version += 1
        post.new_events = []
        post.messages = []

    def save_media(self, media: MediaObject) -> None:
        self.stored_media[media.id] = media

    def get_media(self, media_id: str) -> MediaObject | None:
        return self.stored_media.get(media_id)

    def save_ref(self, post_id: str, name: str, data: dict[str, Any]) -> None:
        self.stored_refs.setdefault(post_id, {})[name] = copy.deepcopy(data)

    def get(self, post_id: str) -> Post:
        return self._get(post_id)

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], dict[str, Any]]:
        post = self._get(post_id)
        return post, list(self.events.get(post_id, [])), self._refs(post_id)

    def refs(self, post_id: str) -> dict[str, dict[str, Any]]:
        return self._refs(post_id)

    def content_version(self, post_id: str, content_hash: str) -> Content | None:
        return self.contents.get(post_id, {}).get(content_hash)

    def refs_of(self, post_ids: Iterable[str], names: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = set(names)
        found = {}
        for post_id in post_ids:
            refs = {n: r for n, r in self._refs(post_id).items() if n in wanted}
            if refs:
                found[post_id] = refs
        return found

    # The public reads never call each other, so a test may count them in a subclass.
    def _get(self, post_id: str) -> Post:
        if post_id not in self.documents:
            raise NotFound("post_not_found", post=post_id)
        return post_from_document(copy.deepcopy(self.documents[post_id]))

    def _refs(self, post_id: str) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.stored_refs.get(post_id, {}))

    def _all(self) -> list[Post]:
        return [post_from_document(copy.deepcopy(doc)) for doc in self.documents.values()]

    def by_author(self, author: str, status: str | None = None, limit: int = 200) -> list[Post]:
        posts = [p for p in self._all() if p.author_id.lower() == author.lower()
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

    def by_status(self, status: str, limit: int = 200) -> list[Post]:
        posts = [p for p in self._all() if p.status.value == status]
        return sorted(posts, key=lambda p: (p.updated_at, p.id), reverse=True)[:limit]

    def count_by_status(self) -> dict[str, int]:
        counts = dict.fromkeys((s.value for s in Status), 0)
        for post in self._all():
            counts[post.status.value] += 1
        return counts

    def recount_statuses(self) -> dict[str, int]:
        return self.count_by_status()

    def upcoming(self, after: datetime, limit: int = 10) -> list[Post]:
        cutoff = iso(after)[:19]
        later = [p for p in self._all() if p.due_at and p.due_at[:19] > cutoff]
        return sorted(later, key=lambda p: (p.due_at or "", p.id))[:limit]

    def stalled(self, before: datetime, limit: int = 100) -> list[Post]:
        cutoff = iso(before)
        stalled = [p for p in self._all() if p.status.value == "publishing" and p.updated_at < cutoff]
        return sorted(stalled, key=lambda p: (p.updated_at, p.id))[:limit]

    def sent(self, kind: type) -> list[Any]:
        """Messages of one kind that stored changes recorded, in order."""
        return [m for _, m in self.outbox if isinstance(m, kind)]
