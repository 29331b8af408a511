"""What the services need from the outside, as Protocols. The composition root passes real
adapters; tests pass the fakes in tests/fakes, which keep state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.content import Content
from chalicelib.domain.post import Post
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.workflow import Workflow

Refs = dict[str, dict[str, Any]]  # name -> where something about a post lives elsewhere


class PostRepository(Protocol):
    """Posts with their timeline and references. Every save is conditional on the post's
    version (``Conflict`` when someone else saved first); reads from indexes are eventually
    consistent, ``get`` is not."""

    def save(self, post: Post) -> None: ...

    def save_ref(self, post_id: str, name: str, data: dict[str, Any]) -> None: ...

    def get(self, post_id: str) -> Post: ...

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], Refs]: ...

    def content_version(self, post_id: str, content_hash: str) -> Content | None:
        """A version of the post's content by its hash (stored once, with the change that
        introduced it); None if there is none."""

    def refs(self, post_id: str) -> Refs:
        """The post's references alone (no timeline)."""

    def refs_of(self, post_ids: Iterable[str], names: Iterable[str]) -> dict[str, Refs]:
        """The named references of many posts at once: post id -> name -> ref."""

    def by_author(self, author: str, status: str | None = None, limit: int = 200) -> list[Post]: ...

    def by_status(self, status: str, limit: int = 200) -> list[Post]: ...

    def count_by_status(self) -> dict[str, int]: ...

    def upcoming(self, after: datetime, limit: int = 10) -> list[Post]: ...

    def calendar(self, start: datetime, end: datetime) -> list[Post]: ...

    def due(self, now: datetime, limit: int = 500) -> list[Post]: ...

    def stalled(self, before: datetime, limit: int = 100) -> list[Post]: ...


class ControlStore(Protocol):
    """Team-wide switches and the scheduler's heartbeat."""

    def pause_state(self) -> dict[str, Any] | None: ...

    def pause(self, reason: str, by: str, at: datetime) -> None: ...

    def resume(self, by: str, at: datetime) -> dict[str, Any] | None: ...

    def last_tick(self) -> str | None: ...

    def record_tick(self, at: datetime) -> None: ...


class ReviewerDirectory(Protocol):
    """Who is in a reviewer group (Slack user groups)."""

    def group_members(self, group_id: str) -> frozenset[str]: ...


class PeopleDirectory(Protocol):
    """Who a writer is in Slack, so that they cannot review their own post under another
    profile email (Slack's users.lookupByEmail)."""

    def user_for_email(self, email: str) -> str | None:
        """The Slack user with that email, None when nobody has it; may raise when Slack is
        not configured or does not answer."""


@dataclass(frozen=True)
class Identity:
    email: str  # verified; shown as the author and matched with Slack profiles
    name: str
    # Who wrote a post, for good: Cognito's immutable `sub`; the dev sign-in's email.
    subject: str = ""

    def __post_init__(self) -> None:
        if not self.subject:
            object.__setattr__(self, "subject", self.email.lower())


@dataclass
class Context:
    """What the writers' and reviewers' use cases share."""

    repo: PostRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    new_id: Callable[[], str]


# -- publishing (docs/publishing.md) ------------------------------------------------------------

class RetryLater(Exception):
    """Transient trouble on a network (429, 503, no connection) and this invocation's retry
    budget is spent; nothing was applied, so the queue may deliver the publication again."""

    def __init__(self, retry_after: float, reason: str) -> None:
        super().__init__(f"{reason}; retry in {retry_after:.1f} s")
        self.retry_after = retry_after
        self.reason = reason


class QueueRefused(Exception):
    """The publish queue did not take every publication; the recovery sends them again."""


class ChannelPublisher(Protocol):
    """One channel's network. ``publish`` returns how the publication ended, or raises
    RetryLater when the network asked to wait."""

    @property
    def sends_idempotency_key(self) -> bool:
        """True when the network de-duplicates on the publication's idempotency key, so asking
        it again after a run that stopped midway cannot post twice."""

    def publish(self, publication: Publication, copy: Copy) -> Outcome: ...


class Channels(Protocol):
    def publisher(self, name: str) -> ChannelPublisher:
        """The channel's publisher; KeyError for a channel the workflow file no longer has."""


class PublishQueue(Protocol):
    def send(self, publications: Sequence[Publication], delays: Sequence[int] = ()) -> None:
        """Send up to ten; raise QueueRefused unless the queue took all of them. ``delays``:
        per publication, the seconds (0-900) the queue keeps it from the worker; none: 0."""


class SendLedger(Protocol):
    """Remembers that a request for a publication may have left this process."""

    def begin(self, publication: Publication) -> bool:
        """Note the attempt; False when it was noted before (an earlier run stopped midway)."""

    def forget(self, publication: Publication) -> None:
        """The attempt provably reached no network (it may be made again)."""


class Once(Protocol):
    """Runs ``send`` at most once per publication (its ``key()``) and returns the stored outcome
    to every later call for it (Powertools idempotency in AWS)."""

    def __call__(self, publication: Publication, send: Callable[[], Outcome]) -> Outcome: ...
