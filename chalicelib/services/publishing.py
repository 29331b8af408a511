"""Publishing use cases: the due-posts tick and the admins' retry and mark-as-published
(one publication from the queue is in ``publication``).

A post is claimed (a conditional save) before its messages are sent, so two ticks never both
dispatch it. A crash between the claim and the send leaves the post in ``publishing`` with
pending results and no progress: the tick's recovery sends those messages again once the post
has been quiet for ``STALL_AFTER``. Re-sending is harmless: every publication is keyed on post,
channel, content hash and attempt, and the worker acts only on a result still pending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.config import Workflow
from chalicelib.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound
from chalicelib.domain.post import Post, iso
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.status import ResultStatus, Status
from chalicelib.domain.timeline import TimelineEvent

log = logging.getLogger("freigabe.publishing")

STALL_AFTER = timedelta(minutes=5)  # longer than SQS takes to redeliver a failed record a few times
DUE_PER_TICK = 1000
STALLED_PER_TICK = 100
TICK_BUDGET_SECONDS = 40.0  # of the tick's 60 s: the rest is picked up by the next tick
SAVE_ATTEMPTS = 8
QUEUE_BATCH = 10  # SendMessageBatch's limit


# -- messages and ports ---------------------------------------------------------------------

@dataclass(frozen=True)
class PublishMessage:
    """One post bound for one channel: the body of a publish queue message."""

    post_id: str
    channel: str
    content_hash: str
    attempt: int = 1  # which dispatch of this channel; an admin's retry is the next one
    not_after: str | None = None  # ISO time after which it must not go out any more

    def key(self) -> dict[str, Any]:
        """What makes a publication this publication: also the idempotency key."""
        return {"post_id": self.post_id, "channel": self.channel,
                "content_hash": self.content_hash, "attempt": self.attempt}

    def body(self) -> dict[str, Any]:
        return {**self.key(), "not_after": self.not_after}


class DispatchFailed(Exception):
    """The queue did not take every message; the recovery will send them again."""


class PublishingRepository(Protocol):
    def save(self, post: Post) -> None: ...

    def get(self, post_id: str) -> Post: ...

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], dict[str, Any]]: ...

    def due(self, now: datetime, limit: int = 500) -> list[Post]: ...

    def stalled(self, before: datetime, limit: int = 100) -> list[Post]: ...


class PublishQueue(Protocol):
    def send(self, messages: Sequence[PublishMessage]) -> None:
        """Send up to ten messages; raise DispatchFailed unless the queue took all of them."""


class PauseSwitch(Protocol):
    def pause_state(self) -> dict[str, Any] | None: ...


@dataclass
class Dispatch:
    """What the tick and the admins' use cases need."""

    repo: PublishingRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    queue: PublishQueue
    control: PauseSwitch
    monotonic: Callable[[], float] = time.monotonic


# -- the tick -------------------------------------------------------------------------------

class Outbound:
    """Messages on their way to the queue, sent ten at a time."""

    def __init__(self, queue: PublishQueue) -> None:
        self._queue = queue
        self._waiting: list[PublishMessage] = []
        self.sent = 0

    def add(self, messages: Sequence[PublishMessage]) -> None:
        self._waiting.extend(messages)
        while len(self._waiting) >= QUEUE_BATCH:
            self._send(QUEUE_BATCH)

    def flush(self) -> None:
        while self._waiting:
            self._send(QUEUE_BATCH)

    def _send(self, count: int) -> None:
        batch = self._waiting[:count]
        self._queue.send(batch)
        del self._waiting[:count]
        self.sent += len(batch)


@dataclass
class TickReport:
    due: int = 0
    claimed: int = 0
    expired: int = 0
    paused: int = 0
    skipped: int = 0
    redispatched: int = 0
    messages: int = 0
    unsent: int = 0

    def counts(self) -> dict[str, int]:
        return asdict(self)


def late_window(workflow: Workflow) -> timedelta:
    return timedelta(minutes=workflow.late_publish_minutes)


def publish_due(d: Dispatch) -> dict[str, int]:
    """Claim every due post and send one message per channel; expire what is too late; send
    again what a crash or a lost message left pending. Nothing at all while paused."""
    report = TickReport()
    if d.control.pause_state() is not None:
        report.paused = 1
        return report.counts()
    now = d.clock()
    deadline = d.monotonic() + TICK_BUDGET_SECONDS
    outbound = Outbound(d.queue)
    try:
        for candidate in d.repo.due(now, DUE_PER_TICK):
            if d.monotonic() > deadline:
                break  # the rest is still due at the next tick
            report.due += 1
            outbound.add(_take(d, candidate.id, now, report))
        outbound.flush()
        for candidate in d.repo.stalled(now - STALL_AFTER, STALLED_PER_TICK):
            if d.monotonic() > deadline:
                break
            outbound.add(_redispatch(d, candidate.id, now, report))
        outbound.flush()
    except DispatchFailed:
        # Claimed but unsent posts stay pending; the recovery sends them after STALL_AFTER.
        log.exception("publish queue refused messages", extra={"claimed": report.claimed})
        report.unsent = 1
    report.messages = outbound.sent
    return report.counts()


def _take(d: Dispatch, post_id: str, now: datetime, report: TickReport) -> list[PublishMessage]:
    try:
        post = d.repo.get(post_id)  # the index is eventually consistent; the item is not
    except NotFound:
        report.skipped += 1
        return []
    due = parse_time(post.due_at)
    if post.status is not Status.SCHEDULED or due is None or due > now:
        report.skipped += 1  # edited back to review, withdrawn, moved later, taken by another tick
        return []
    if not post.is_fully_approved(d.workflow):
        log.error("scheduled post lacks approvals on its content", extra={"post_id": post.id})
        report.skipped += 1
        return []
    if now - due > late_window(d.workflow):
        post.expire(now)
        if _saved(d.repo, post):
            report.expired += 1
            log.info("post expired", extra={"post_id": post.id})
        else:
            report.skipped += 1
        return []
    channels = _claim(post, now, None)
    if not _saved(d.repo, post):
        report.skipped += 1  # another tick claimed it first
        return []
    report.claimed += 1
    log.info("post claimed", extra={"post_id": post.id, "channels": channels})
    not_after = iso(due + late_window(d.workflow))
    return _messages(post, channels, not_after)


def _claim(post: Post, now: datetime, channels: list[str] | None) -> list[str]:
    targets = post.claim(now, channels)
    for channel in targets:
        # Each dispatch of a channel is a new attempt with a key of its own, so an admin's
        # retry is not mistaken for a redelivery of the attempt that failed.
        post.results[channel].attempts += 1
    return targets


def _messages(post: Post, channels: list[str], not_after: str | None) -> list[PublishMessage]:
    return [PublishMessage(post.id, channel, post.content_hash, post.results[channel].attempts,
                           not_after) for channel in channels]


def _saved(repo: PublishingRepository, post: Post) -> bool:
    try:
        repo.save(post)
    except Conflict:
        return False
    return True


def _redispatch(d: Dispatch, post_id: str, now: datetime,
                report: TickReport) -> list[PublishMessage]:
    try:
        post, events, _ = d.repo.get_full(post_id)
    except NotFound:
        return []
    changed = parse_time(post.updated_at)
    if post.status is not Status.PUBLISHING or changed is None or now - changed < STALL_AFTER:
        return []  # progress since the index was written
    pending = [ch for ch, r in post.results.items() if r.status is ResultStatus.PENDING]
    if not pending:
        return []
    not_after = _deadline_of_round(post, events, d.workflow)
    post.redispatch(now, pending)
    if not _saved(d.repo, post):
        return []  # a result came in, or an overlapping tick re-sent them
    report.redispatched += 1
    log.warning("publish messages sent again", extra={"post_id": post.id, "channels": pending})
    return _messages(post, pending, not_after)


def _deadline_of_round(post: Post, events: list[TimelineEvent], workflow: Workflow) -> str | None:
    """The not-after time the round's first messages carried."""
    claims = [e for e in events if e.type == "publishing"]
    claimed_at = parse_time(claims[-1].at) if claims else None
    retry = bool(claims[-1].data.get("retry")) if claims else False
    start = claimed_at if retry else parse_time(post.publish_at_iso or post.scheduled_at)
    start = start or claimed_at
    return iso(start + late_window(workflow)) if start else None


# -- admins ---------------------------------------------------------------------------------

def _require_admin(workflow: Workflow, admin: str) -> None:
    if admin not in workflow.admins:
        raise Forbidden("not_admin")


def retry_publication(d: Dispatch, post_id: str, channels: list[str] | None,
                      admin: str) -> Post:
    """Send the failed and unknown channels (or the given ones of them) again, as a new attempt."""
    _require_admin(d.workflow, admin)
    for _ in range(SAVE_ATTEMPTS):
        post = d.repo.get(post_id)
        retryable = post.retryable_channels()
        targets = list(channels) if channels else retryable
        refused = [c for c in targets if c not in retryable]
        if not targets or refused:
            raise InvalidTransition("not_retryable", channel=(refused or [""])[0],
                                    status=post.status.value)
        now = d.clock()
        claimed = _claim(post, now, targets)
        if not _saved(d.repo, post):
            continue
        log.info("publication retried", extra={"post_id": post.id, "channels": claimed,
                                                "admin": admin})
        outbound = Outbound(d.queue)
        try:
            outbound.add(_messages(post, claimed, iso(now + late_window(d.workflow))))
            outbound.flush()
        except DispatchFailed:
            log.exception("publish queue refused a retry", extra={"post_id": post.id})
        return post
    raise Conflict("busy", post=post_id)


def mark_published(d: Dispatch, post_id: str, channel: str, admin: str,
                   url: str | None = None) -> Post:
    """An admin confirms that a channel whose result was unknown did go out."""
    _require_admin(d.workflow, admin)
    for _ in range(SAVE_ATTEMPTS):
        post = d.repo.get(post_id)
        post.mark_published(channel, admin, d.clock(), url)
        if _saved(d.repo, post):
            return post
    raise Conflict("busy", post=post_id)
