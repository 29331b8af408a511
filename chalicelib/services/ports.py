"""What the services need from the outside, as Protocols. The composition root passes real
adapters; tests pass the fakes in tests/fakes, which keep state."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.accounts import ChannelAccount, ChannelChange
from chalicelib.domain.content import Content
from chalicelib.domain.deputies import Away
from chalicelib.domain.media import MediaObject
from chalicelib.domain.post import Post
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.workflow import Organization, Workflow

Refs = dict[str, dict[str, Any]]  # name -> where something about a post lives elsewhere


class PostRepository(Protocol):
    """Posts with their timeline and references. Every save is conditional on the post's
    version (``Conflict`` when someone else saved first); reads from indexes are eventually
    consistent, ``get`` is not."""

    def save(self, post: Post, *, unless_paused: bool = False) -> None:
        """Store a new or changed post, conditional on its version (Conflict when another
        save came first); ``unless_paused``: and on publishing not being paused, in the same
        write (Paused, nothing stored), for a save that claims the post."""

    def save_ref(self, post_id: str, name: str, data: dict[str, Any]) -> None: ...

    def get(self, post_id: str) -> Post: ...

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], Refs]: ...

    def content_version(self, post_id: str, content_hash: str) -> Content | None:
        """A version of the post's content by its hash (stored once, with the change that
        introduced it); None if there is none."""

    def save_media(self, media: MediaObject) -> None:
        """Store an upload's record (created, then ready once its bytes were checked)."""

    def get_media(self, media_id: str) -> MediaObject | None:
        """An upload's record; None when there is none."""

    def refs(self, post_id: str) -> Refs:
        """The post's references alone (no timeline)."""

    def refs_of(self, post_ids: Iterable[str], names: Iterable[str]) -> dict[str, Refs]:
        """The named references of many posts at once: post id -> name -> ref."""

    def by_author(self, author: str, status: str | None = None, limit: int = 200) -> list[Post]: ...

    def by_status(self, status: str, limit: int = 200) -> list[Post]: ...

    def count_by_status(self) -> dict[str, int]: ...

    def recount_statuses(self) -> dict[str, int]:
        """Count every status anew from the posts themselves and keep the figures."""

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
    # Cognito groups of the sign-in (`cognito:groups`): brands' writer_groups match them.
    groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.subject:
            object.__setattr__(self, "subject", self.email.lower())


class DeputyStore(Protocol):
    """Reviewers' absences (services/deputies.py), kept per reviewer and per deputy so either
    side is one query; absences that ended are never read again."""

    def put(self, away: Away) -> None:
        """Store an absence (both sides at once)."""

    def of_reviewer(self, reviewer: str, after: datetime) -> list[Away]:
        """The reviewer's absences ending after ``after``."""

    def covered_by(self, deputy: str, after: datetime) -> list[Away]:
        """The absences this person stands in for that end after ``after``."""

    def remove(self, away: Away) -> None:
        """Drop an absence (both sides)."""


class PersonLookup(Protocol):
    """Whether a Slack user is a person who may stand in for a reviewer."""

    def member_kind(self, user_id: str) -> str:
        """"person", "bot" (bots and apps), or "unknown" (no such member, or deactivated)."""


@dataclass
class Context:
    """What the writers' and reviewers' use cases share."""

    repo: PostRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
    # Where images live, built on first use (a request that touches no image builds no client).
    media: Callable[[], MediaStore] | None = None
    # Every brand's workflow; None: ``workflow`` is the only brand.
    brands: Organization | None = None
    # Reviewers' absences and their deputies (services/deputies.py); None: nobody is away.
    deputies: DeputyStore | None = None
    # The workflow of a saved version by its number (None: the packaged file's), for posts
    # submitted under another version than ``brands`` (docs/workflow.md); None: every post is
    # reviewed under ``brands``.
    versions: Callable[[int | None], Organization] | None = None
    # Takes a post a decision just made due to the publish queue (the tick's own claim), so
    # it does not wait behind the stream relay's backlog; None: the relay and the tick take it.
    take_now: Callable[[Post], object] | None = None
    # Claims, on the decision's copy before its save, a post that decision makes due, so the
    # decision and the claim are one write (services/scheduling.claim_in_save): what sends the
    # publications once saved, or None (the decision is saved alone, then ``take_now``).
    claim_now: Callable[[Post], Callable[[], object] | None] | None = None

    @property
    def organization(self) -> Organization:
        return self.brands if self.brands is not None else Organization.single(self.workflow)

    def workflow_for(self, post: Post) -> Workflow:
        """The workflow of the post's brand (``workflow`` when there are no brands), in the
        version that was current when the post was submitted."""
        if (self.versions is not None and post.workflow_version is not None
                and post.workflow_version != self.organization.version):
            return self.versions(post.workflow_version).brand(post.brand)
        return brand_workflow(self.brands, self.workflow, post)


def brand_workflow(brands: Organization | None, workflow: Workflow, post: Post) -> Workflow:
    """A post's brand's workflow, for use cases that hold ``brands`` beside one ``workflow``."""
    return workflow if brands is None else brands.brand(post.brand)


# -- analytics (services/analytics.py) ----------------------------------------------------------

@dataclass(frozen=True)
class StatsFact:
    """One small fact for the figures: a decision, a post scheduled, a publication's result, an
    incoming reply or an answer published. ``at`` is ISO-8601 UTC and decides the day it is
    kept under; ``key`` is unique within ``subject`` (a timeline event's seq), so recording the
    same event again overwrites the same fact."""

    kind: str
    brand: str
    subject: str  # a post id, or a conversation ("inbox#<brand>")
    key: str
    at: str
    data: dict[str, Any]

    @property
    def day(self) -> str:
        return self.at[:10]


class StatsStore(Protocol):
    """Facts kept per UTC day; reading a day is one query, never a scan."""

    def put(self, fact: StatsFact) -> None: ...

    def day(self, day: str, brand: str | None = None) -> list[StatsFact]:
        """Every fact of one UTC day (``YYYY-MM-DD``), of one brand when given."""


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


class MediaMissing(Exception):
    """An upload or a stored image is not where it should be."""


class MediaStore(Protocol):
    """Where images live: uploads under their media id until checked, then once per sha256
    (content-addressed, never overwritten). S3 in AWS, the emulator's S3 locally."""

    def presign_upload(self, media_id: str, content_type: str, size: int) -> dict[str, Any]:
        """``{"url", "fields"}`` of a presigned POST that takes exactly this type and at most
        ``size`` bytes for this upload."""

    def read_upload(self, media_id: str, limit: int) -> bytes:
        """The uploaded bytes (at most ``limit`` + 1, so an oversized upload shows); MediaMissing
        when nothing arrived."""

    def keep(self, media_id: str, sha256: str, content_type: str) -> None:
        """Store the checked upload under its sha256 (unless those bytes are stored already)
        and drop the upload. Kept images not attached to a post expire after a day."""

    def attach(self, sha256: str) -> None:
        """A post refers to these bytes: they no longer expire."""

    def read(self, sha256: str) -> bytes:
        """The stored bytes; MediaMissing when they are gone."""

    def url(self, sha256: str, seconds: int = 3600) -> str:
        """A GET URL for the stored bytes, valid for ``seconds``."""

    def fingerprint(self, sha256: str) -> str | None:
        """The sha256 of what is stored under this key now (None when missing), for verify."""


# -- channels and accounts (CONTRACT §8, docs/api.md "Admin: channels") -------------------------

class ChannelStore(Protocol):
    """Run-time channels and every channel's last publish result, in the table. Saves are
    conditional on the record's ``version`` (``Conflict`` when someone else saved first), and
    every change is logged with who made it."""

    def list(self) -> list[ChannelAccount]:
        """Every run-time channel, by name."""

    def get(self, name: str) -> ChannelAccount | None: ...

    def save(self, account: ChannelAccount, who: str, what: str) -> ChannelAccount:
        """Store the record (version 0: create; Conflict if it exists) and a log entry; returns
        it with its new version."""

    def delete(self, name: str, who: str) -> None:
        """Remove the record (its log stays, with the deletion)."""

    def log(self, name: str) -> builtins.list[ChannelChange]:
        """The channel's changes, oldest first."""

    def lease_refresh(self, name: str, until: datetime, holder: str) -> bool:
        """Take the right to refresh the channel's token until ``until``; False while another
        holder's lease has not ended (one refresher wins, the rest wait for its result)."""

    def finish_refresh(self, name: str, holder: str, expires_at: str | None,
                       token_version: int) -> None:
        """Record the refreshed token's end and version, and give the lease up."""

    def record_result(self, name: str, ok: bool, error: str | None, at: str) -> None:
        """A publication's result on this channel (file or run-time), for its health."""

    def results(self) -> dict[str, tuple[str | None, str | None]]:
        """Channel name -> (last_ok_at, last_error) as recorded by ``record_result``."""


class TokenVault(Protocol):
    """A channel's secrets (access and refresh token, client secret, app password) under its
    name: SSM Parameter Store SecureString. Never in the table, never in a log."""

    def put(self, name: str, tokens: dict[str, str]) -> None: ...

    def get(self, name: str) -> dict[str, str] | None:
        """None when nothing is stored for the channel."""

    def delete(self, name: str) -> None: ...


class TokenSource(Protocol):
    """What a run-time channel's publisher asks for its token."""

    def access_token(self, channel: str) -> str:
        """A token to send now: refreshed first (once, whoever else asks at the same moment)
        when it is about to expire. LookupError when the channel has none."""

    def after_unauthorized(self, channel: str, rejected: str | None = None) -> str | None:
        """The network refused the token (401; ``rejected``: that token): a refreshed one, or
        None when it cannot be refreshed (the channel is then marked expired and admins are
        told)."""


class TokenRefresher(Protocol):
    """The OAuth side (services/connect.py): renews a channel's access token with its refresh
    token, single-flight through ``ChannelStore.lease_refresh``."""

    def refresh(self, channel: str, *, force: bool) -> str | None:
        """The fresh access token, or None when the channel cannot be refreshed. ``force``:
        refresh even though the stored token has not expired yet (the network said 401)."""
