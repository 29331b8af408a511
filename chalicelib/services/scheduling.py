"""Scheduling: the one-minute tick that claims due posts and sends one publication per channel to
the publish queue, expires what is too late, and recovers what a crash left pending
(docs/publishing.md). One publication from the queue is ``delivery``'s.

Posts go out on their second, not on the tick's: the tick claims what falls due within
``LOOK_AHEAD`` and queues each publication with a delay until the post's time, and the stream
relay takes a post approved for now (or for within ``LOOK_AHEAD``) at once (``take_now``).

A post is claimed (a conditional save) before its publications are sent, so two ticks never
both send it. A crash between the claim and the send leaves the post in ``publishing`` with
pending results and no progress: the tick's recovery sends those publications again once the
post has been quiet for ``STALL_AFTER``. Sending again is harmless: every publication is keyed
on post, channel, content hash and attempt, and the worker acts only on a result still pending.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain import events as ev
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.post import Post, iso
from chalicelib.domain.publication import Publication
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.status import Status
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.workflow import Organization, Workflow
from chalicelib.services.ports import (
    ControlStore,
    PostRepository,
    PublishQueue,
    QueueRefused,
    brand_workflow,
)

log = logging.getLogger("freigabe.publishing")

STALL_AFTER = timedelta(minutes=5)  # longer than SQS takes to redeliver a failed record a few times
DUE_PER_TICK = 1000
STALLED_PER_TICK = 100
TICK_BUDGET_SECONDS = 40.0  # of the tick's 60 s: the rest is picked up by the next tick
QUEUE_BATCH = 10  # SendMessageBatch's limit
# A tick claims what is due before the tick after next could: one minute between ticks, plus
# a minute for EventBridge's jitter and a tick that needs its whole budget to claim 1,000 posts.
LOOK_AHEAD = timedelta(minutes=2)
MAX_DELAY_SECONDS = 900  # SQS's DelaySeconds limit; LOOK_AHEAD stays well inside it


class AdminNotices(Protocol):
    """Tells the workflow's admins (in Slack) about a post the tick had to leave behind."""

    def post_held(self, post_id: str, problem: str) -> None:
        """``problem``: ``lacks_approvals``, or the name of the exception the post raised."""


@dataclass
class Scheduling:
    """What the tick needs."""

    repo: PostRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    queue: PublishQueue
    control: ControlStore
    monotonic: Callable[[], float] = time.monotonic
    notices: AdminNotices | None = None
    # Of a post's channels, those that cannot publish at the given time (a run-time channel
    # not connected, expired or refused by then); such a post is held back instead of failing
    # at its time.
    unusable: Callable[[list[str], datetime], list[str]] | None = None
    brands: Organization | None = None  # every brand's workflow; None: ``workflow`` alone

    def workflow_for(self, post: Post) -> Workflow:
        return brand_workflow(self.brands, self.workflow, post)


class Batches:
    """Publications on their way to the queue, sent ten at a time as they come."""

    def __init__(self, queue: PublishQueue) -> None:
        self._queue = queue
        self._waiting: list[Publication] = []
        self._delays: list[int] = []
        self.sent = 0

    def add(self, publications: Sequence[Publication], delay: int = 0) -> None:
        self._waiting.extend(publications)
        self._delays.extend(delay for _ in publications)
        while len(self._waiting) >= QUEUE_BATCH:
            self._send(QUEUE_BATCH)

    def flush(self) -> None:
        while self._waiting:
            self._send(QUEUE_BATCH)

    def _send(self, count: int) -> None:
        batch = self._waiting[:count]
        self._queue.send(batch, self._delays[:count])
        del self._waiting[:count]
        del self._delays[:count]
        self.sent += len(batch)


def enqueue(queue: PublishQueue, publications: Sequence[Publication]) -> None:
    """Send every publication, ten at a time; QueueRefused when the queue did not take one."""
    batches = Batches(queue)
    batches.add(publications)
    batches.flush()


def delay_until(due: datetime, now: datetime) -> int:
    """Whole seconds the queue holds a publication back, to the nearest second of ``due``: the
    message arrives at most half a second early, and the worker waits that out
    (``Publication.not_before``), or at most half a second late (rounded up, it arrived up to
    a second late; rounded down, the worker would wait half a second on average, paid as
    Lambda time); 0 for a post already due."""
    return min(MAX_DELAY_SECONDS, max(0, math.floor((due - now).total_seconds() + 0.5)))


def publications(post: Post, channels: Sequence[str], not_after: str | None,
                 not_before: str | None = None) -> list[Publication]:
    """The post's publications on these channels, in the attempt each was claimed for."""
    return [Publication(post.id, channel, post.content_hash, post.results[channel].attempts,
                        not_after, not_before) for channel in channels]


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


def publish_due(s: Scheduling) -> dict[str, int]:
    """Claim every post due within ``LOOK_AHEAD`` and send one publication per channel, held
    back by the queue until the post's time; expire what is too late; send again what a crash
    or a lost message left pending. Nothing at all while paused."""
    report = TickReport()
    if s.control.pause_state() is not None:
        report.paused = 1
        return report.counts()
    now = s.clock()
    deadline = s.monotonic() + TICK_BUDGET_SECONDS

    def claim_all(batches: Batches) -> None:
        for candidate in s.repo.due(now + LOOK_AHEAD, DUE_PER_TICK):
            if s.monotonic() > deadline:
                break  # the rest is still due at the next tick
            report.due += 1
            batches.add(*_one_post(s, _claim_due, candidate.id, now, report))
        batches.flush()
        for candidate in s.repo.stalled(now - STALL_AFTER, STALLED_PER_TICK):
            if s.monotonic() > deadline:
                break
            batches.add(*_one_post(s, _recover, candidate.id, now, report))

    return _queued(s, report, claim_all, lambda: {"claimed": report.claimed})


def _queued(s: Scheduling, report: TickReport, fill: Callable[[Batches], None],
            about: Callable[[], dict[str, object]]) -> dict[str, int]:
    """Send what ``fill`` adds to the batches, and the report. A queue that refuses leaves the
    claimed but unsent posts pending: the recovery sends them after STALL_AFTER."""
    batches = Batches(s.queue)
    try:
        fill(batches)
        batches.flush()
    except QueueRefused:
        log.exception("publish queue refused messages", extra=about())
        report.unsent = 1
    report.messages = batches.sent
    return report.counts()


def take_now(s: Scheduling, post_id: str, saved: Post | None = None) -> dict[str, int]:
    """Claim one post the moment it is scheduled, when it is due within ``LOOK_AHEAD`` (no
    publish time, or a near one), instead of waiting up to a minute for the tick. The claim is
    the tick's own conditional save, so of the two only one sends the post. ``saved``: the post
    as a decision has just stored it, which spares reading it again (a copy is claimed: the
    decision's own answer keeps what it saved); a newer version makes the claim's save fail."""
    report = TickReport()
    if s.control.pause_state() is not None:
        report.paused = 1  # the tick takes it after the resume
        return report.counts()
    report.due = 1
    step = _claim_due if saved is None else _claim_known(copy.deepcopy(saved))
    return _queued(s, report,
                   lambda batches: batches.add(*_one_post(s, step, post_id, s.clock(), report)),
                   lambda: {"post_id": post_id})


def claim_in_save(s: Scheduling, post: Post) -> Callable[[], dict[str, int]] | None:
    """Claim, on the decision's own copy before it is saved, a post the decision makes due: the
    decision and the claim are then one conditional write (a transaction and a status count
    fewer than claiming after the save), and the same race decides both. The caller saves it
    with ``unless_paused``, so the pause switch is checked in that write instead of read
    before it. Returns what sends the publications once that write has succeeded; None when
    the claim is not plain (not due within ``LOOK_AHEAD``, approvals missing, past its late
    window, a channel not connected): the decision is saved alone and ``take_now`` after it
    does what the tick would (expire, hold back, tell the admins)."""
    now = s.clock()
    due = parse_time(post.due_at)
    if due is None or _in_the_way(s, post, now) is not None:
        return None
    workflow = s.workflow_for(post)
    channels = post.claim(now)
    queued = publications(post, channels, iso(due + workflow.late_window), iso(due))

    def send() -> dict[str, int]:
        delay = delay_until(due, s.clock())
        log.info("post claimed", extra={"post_id": post.id, "channels": channels, "delay": delay})
        return _queued(s, TickReport(due=1, claimed=1),
                       lambda batches: batches.add(queued, delay), lambda: {"post_id": post.id})

    return send


def due_soon(message: ev.Message, now: datetime) -> bool:
    """A stored change's message that ``take_now`` should act on: the post became scheduled
    with no publish time, or one within ``LOOK_AHEAD``."""
    if not isinstance(message, ev.PostScheduled):
        return False
    at = parse_time(message.publish_at)
    return at is None or at <= now + LOOK_AHEAD


def post_due_soon(post: Post, now: datetime) -> bool:
    """A scheduled, unheld post that ``take_now`` should act on: due now or within
    ``LOOK_AHEAD`` (what ``due_soon`` says of a stored change's message, said of the post)."""
    due = parse_time(post.due_at)
    return (post.status is Status.SCHEDULED and not post.holds and due is not None
            and due <= now + LOOK_AHEAD)


Queued = tuple[list[Publication], int]  # a post's publications and their delay in seconds
Step = Callable[[Scheduling, str, datetime, TickReport], Queued]


def _one_post(s: Scheduling, step: Step, post_id: str, now: datetime,
              report: TickReport) -> Queued:
    """One post's trouble (an item that no longer reads, a bug) never stops the tick: the post
    is skipped, logged as ``publish held`` (the alarm's phrase) and the admins are told once."""
    try:
        return step(s, post_id, now, report)
    except Exception as err:  # noqa: BLE001 - the other posts must still go out
        # The exception's type only: its message may quote the post's text.
        log.error("publish held: the post could not be processed",
                  extra={"post_id": post_id, "error": type(err).__name__})
        report.skipped += 1
        _tell_admins_once(s, post_id, type(err).__name__)
        return [], 0


HELD_REF = "held_notice"  # the post's ref: which problem the admins were last told of


def _tell_admins_once(s: Scheduling, post_id: str, problem: str) -> None:
    """A DM to the admins the first time a post is held for this problem, not every minute."""
    if s.notices is None:
        return
    try:
        if s.repo.refs(post_id).get(HELD_REF, {}).get("problem") == problem:
            return
        s.notices.post_held(post_id, problem)
        s.repo.save_ref(post_id, HELD_REF, {"problem": problem, "at": iso(s.clock())})
    except Exception as err:  # noqa: BLE001 - telling is best effort; the log line stands
        log.warning("admins not told of a held post",
                    extra={"post_id": post_id, "error": type(err).__name__})


def _claim_known(post: Post) -> Step:
    return lambda s, post_id, now, report: _claim(s, post, now, report)


def _claim_due(s: Scheduling, post_id: str, now: datetime, report: TickReport) -> Queued:
    try:
        post = s.repo.get(post_id)  # the index is eventually consistent; the item is not
    except NotFound:
        report.skipped += 1
        return [], 0
    return _claim(s, post, now, report)


def _in_the_way(s: Scheduling, post: Post, now: datetime) -> tuple[str, list[str]] | None:
    """What keeps the post from being claimed now, and the channels that are not connected;
    None when nothing does. The tick's claim and the one made with a decision ask the same."""
    due = parse_time(post.due_at)
    if post.status is not Status.SCHEDULED or due is None or due > now + LOOK_AHEAD:
        return "not_due", []  # edited back to review, withdrawn, moved later, taken by another tick
    workflow = s.workflow_for(post)
    if not post.is_fully_approved(workflow):
        return "lacks_approvals", []
    if now - due > workflow.late_window:
        return "late", []
    if post.holds:
        return "held", []  # a reviewer's hold: releasing the last one makes it due again
    # At the post's time, not the claim's: a post claimed ahead (LOOK_AHEAD) whose channel's
    # access ends before its time would fail at the worker instead of waiting for a reconnect.
    at = max(now, due)
    blocked = s.unusable(list(post.content.channels), at) if s.unusable is not None else []
    return ("channel_not_connected", blocked) if blocked else None


def _claim(s: Scheduling, post: Post, now: datetime, report: TickReport) -> Queued:
    obstacle = _in_the_way(s, post, now)
    due = parse_time(post.due_at)
    if obstacle is not None or due is None:
        _leave_behind(s, post, now, report, *(obstacle or ("not_due", [])))
        return [], 0
    channels = post.claim(now)
    if not _saved(s.repo, post):
        report.skipped += 1  # another tick (or the relay's take_now) claimed it first
        return [], 0
    report.claimed += 1
    # The clock again, not the tick's start: a tick may take most of a minute to get here.
    delay = delay_until(due, s.clock())
    log.info("post claimed", extra={"post_id": post.id, "channels": channels, "delay": delay})
    return publications(post, channels, iso(due + s.workflow_for(post).late_window),
                        iso(due)), delay


def _leave_behind(s: Scheduling, post: Post, now: datetime, report: TickReport, why: str,
                  blocked: list[str]) -> None:
    """A post the tick does not claim: expired when too late, held back for its channels (and
    the admins told), skipped otherwise."""
    if why == "late":
        post.expire(now)
        if _saved(s.repo, post):
            report.expired += 1
            log.info("post expired", extra={"post_id": post.id})
            return
    elif why == "lacks_approvals":
        log.error("publish held: the scheduled post lacks approvals on its content",
                  extra={"post_id": post.id})
        _tell_admins_once(s, post.id, why)
    elif why == "channel_not_connected":
        # Held back, not failed: the tick claims it once the channels are connected again
        # (or expires it after the late window). The author hears of it through the message
        # the post records, the admins directly.
        if post.hold_for_channels(blocked, now) and _saved(s.repo, post):
            log.warning("publish held: channel not connected",
                        extra={"post_id": post.id, "channels": blocked})
        _tell_admins_once(s, post.id, why)
    report.skipped += 1


def _saved(repo: PostRepository, post: Post) -> bool:
    """One conditional save: losing the race means another tick or a person got there first,
    and what they did stands (no second try)."""
    try:
        repo.save(post)
    except Conflict:
        return False
    return True


def _recover(s: Scheduling, post_id: str, now: datetime, report: TickReport) -> Queued:
    try:
        post, events, _ = s.repo.get_full(post_id)
    except NotFound:
        return [], 0
    changed = parse_time(post.updated_at)
    if post.status is not Status.PUBLISHING or changed is None or now - changed < STALL_AFTER:
        return [], 0  # progress since the index was written
    not_after = _deadline_of_round(post, events, s.workflow_for(post))
    pending = post.redispatch(now)
    if not pending:
        return [], 0
    if not _saved(s.repo, post):
        return [], 0  # a result came in, or an overlapping tick sent them again
    report.redispatched += 1
    log.warning("publish messages sent again", extra={"post_id": post.id, "channels": pending})
    # Claimed at most LOOK_AHEAD early and quiet for STALL_AFTER since: already due.
    return publications(post, pending, not_after), 0


def _deadline_of_round(post: Post, events: list[TimelineEvent], workflow: Workflow) -> str | None:
    """The not-after time the round's first publications carried."""
    claims = [e for e in events if e.type == "publishing"]
    claimed_at = parse_time(claims[-1].at) if claims else None
    retry = bool(claims[-1].data.get("retry")) if claims else False
    start = claimed_at if retry else parse_time(post.publish_at_iso or post.scheduled_at)
    start = start or claimed_at
    return iso(start + workflow.late_window) if start else None
