"""What the services need from the outside, as Protocols; bootstrap passes real adapters,
tests pass small fakes that record state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.config import Workflow
from chalicelib.domain.post import Post
from chalicelib.domain.timeline import TimelineEvent


class PostRepository(Protocol):
    def save(self, post: Post) -> None: ...

    def save_ref(self, post_id: str, name: str, data: dict[str, Any]) -> None: ...

    def get(self, post_id: str) -> Post: ...

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], dict[str, Any]]: ...

    def by_author(self, author: str, status: str | None = None, limit: int = 200) -> list[Post]: ...

    def calendar(self, start: datetime, end: datetime) -> list[Post]: ...

    def due(self, now: datetime, limit: int = 500) -> list[Post]: ...


@dataclass(frozen=True)
class Identity:
    email: str
    name: str


@dataclass
class Context:
    repo: PostRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
