"""Delivery: one publication from the publish queue. Re-check pause and status, talk to the
network at most once per attempt, record the outcome (docs/publishing.md).

Three layers keep a publication from going out twice. The worker acts only on a result still
pending for the publication's attempt (a duplicate delivery finds it recorded). The network call
runs under idempotency keyed on post, channel, content hash and attempt (a redelivery after the
outcome could not be stored gets the stored outcome). And for a network without an idempotency
key, a send ledger entry is written before the request leaves, so a run that died mid-send is
recognised and the result becomes ``unknown`` (a person checks) instead of a second post; a
network that honours the key (Mastodon, the outbox) is simply asked again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.audit import verify_state
from chalicelib.domain.errors import NotFound
from chalicelib.domain.post import ChannelResult, Post
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.status import ResultStatus, Status
from chalicelib.domain.timeline import verify
from chalicelib.domain.workflow import Organization, Workflow
from chalicelib.services.conflicts import until_saved
from chalicelib.services.ports import (
    Channels,
    ControlStore,
    Once,
    PostRepository,
    RetryLater,
    SendLedger,
    brand_workflow,
)
from chalicelib.services.x_budget import Reservation, XBudget

log = logging.getLogger("freigabe.publishing")

# Receives after which a message held by the pause is let go (the recovery sends it again after
# the resume) instead of being failed again and dead-lettered at the queue's maxReceiveCount of 5.
HOLD_RECEIVES = 4

INTERRUPTED = ("an earlier attempt stopped after the request may have reached {channel}; "
               "check there before retrying")
UNACCOUNTED = ("not published: the stored post does not follow from its timeline (changed "
               "outside Freigabe?); run make verify for this post")
HELD = "not published: a reviewer holds the post; retry once the hold is released"
TOO_LATE = ("not published: more than {minutes} minutes past its time "
            "(publishing was paused or {channel} was unavailable)")


class PublishingPaused(Exception):
    """Publishing is paused: the message comes back later (a failed record)."""


class OutOfTime(Exception):
    """Too little of the invocation is left to wait for a network: let the queue redeliver."""


class TooEarly(Exception):
    """The message arrived long before its post's time (a queue delay is never more than half
    a second short of it): let the queue deliver it again later."""


# The queue's delay (the nearest whole second) ends up to half a second before the post's time:
# the worker waits out that fraction. A message earlier than this is handed back instead.
MAX_EARLY_SECONDS = 3.0


@dataclass
class Delivery:
    """What delivering one publication needs."""

    repo: PostRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    control: ControlStore
    channels: Channels
    ledger: SendLedger
    once: Once
    # X channels' monthly spend and budgets (services/x_budget.py); None keeps no count.
    x_budget: XBudget | None = None
    # Every brand's workflow (a post's late window is its brand's); None: ``workflow`` alone.
    brands: Organization | None = None
    sleep: Callable[[float], None] = time.sleep


def deliver(d: Delivery, publication: Publication, *, receive_count: int = 1,
            may_wait: Callable[[], bool] = lambda: True) -> str:
    """Publish one publication and record its outcome; returns what happened.

    Raises PublishingPaused, OutOfTime, TooEarly, RetryLater or Conflict to fail the record, so
    that the queue delivers it again later.
    """
    _wait_for_its_time(d, publication)
    # Every check below runs after the wait, at the moment of sending.
    if d.control.pause_state() is not None:
        if receive_count >= HOLD_RECEIVES:
            # Acknowledged, not lost: the post stays pending and the recovery sends it again.
            log.info("paused: left to the recovery", extra=_fields(publication))
            return "held"
        raise PublishingPaused(publication.post_id)
    try:
        # The timeline too (one query instead of one GetItem): nothing goes out that the
        # record does not account for.
        post, events, _ = d.repo.get_full(publication.post_id)
    except NotFound:
        log.warning("publish message for an unknown post", extra=_fields(publication))
        return "gone"
    if not _is_current(post, publication):
        return "stale"  # a duplicate delivery, an older attempt, or a post that moved on
    problems = (verify(post.id, events, post.timeline_count, post.timeline_head)
                + verify_state(post, events))
    if problems:
        # The stored post was changed outside Freigabe (or its timeline cut): never publish it;
        # "publish failed" is what the failed-publish alarm counts.
        log.error("publish failed: the post does not follow from its timeline",
                  extra={**_fields(publication), "problems": problems})
        return _record(d, publication, Outcome("failed", error=UNACCOUNTED), post)
    if post.holds:
        # Claimed before a hold could stand (a hold needs review or scheduled): never sent.
        log.error("publish failed: the post is held", extra=_fields(publication))
        return _record(d, publication, Outcome("failed", error=HELD), post)
    if not may_wait():
        raise OutOfTime(publication.post_id)
    copy = Copy(text=post.content.text_for(publication.channel), title=post.content.title,
                author=post.author, publish_at=post.publish_at_iso, images=post.content.media,
                reply_to=(post.parent or {}).get("external_id") if post.kind == "reply" else None)
    late_minutes = brand_workflow(d.brands, d.workflow, post).late_publish_minutes
    outcome = d.once(publication, lambda: _send(d, publication, copy, late_minutes))
    return _record(d, publication, outcome, post)


def _wait_for_its_time(d: Delivery, publication: Publication) -> None:
    """Never before the post's time: the queue's whole-second delay may end up to half a
    second early, and that fraction is waited out here."""
    not_before = parse_time(publication.not_before)
    if not_before is None:
        return
    early = (not_before - d.clock()).total_seconds()
    if early > MAX_EARLY_SECONDS:
        log.warning("publish message early: handed back",
                    extra={**_fields(publication), "early_seconds": round(early, 1)})
        raise TooEarly(publication.post_id)
    if early > 0:
        d.sleep(early)


def _is_current(post: Post, publication: Publication) -> bool:
    result = post.results.get(publication.channel)
    return (post.status is Status.PUBLISHING and post.content_hash == publication.content_hash
            and result is not None and result.status is ResultStatus.PENDING
            and result.attempts == publication.attempt)


def _send(d: Delivery, publication: Publication, copy: Copy, late_minutes: int) -> Outcome:
    """The part that runs once per publication: talk to the network, return the outcome."""
    channel = publication.channel
    try:
        publisher = d.channels.publisher(channel)
    except KeyError:
        return Outcome("failed", error=f"channel {channel} is not configured")
    not_after = parse_time(publication.not_after)
    late = not_after is not None and d.clock() > not_after
    keyed = publisher.sends_idempotency_key
    # A network that de-duplicates on the key may be asked again after a run that died; any
    # other is asked once per attempt: the ledger notes the request before it leaves.
    if not keyed and not d.ledger.begin(publication):
        # That run may have published: never send again blindly (docs/publishing.md); a
        # person checks.
        return Outcome("unknown", error=INTERRUPTED.format(channel=channel))
    if late:
        return Outcome("failed", error=TOO_LATE.format(
            minutes=late_minutes, channel=channel))
    reservation: Reservation | None = None
    if d.x_budget is not None:
        # Counted before sending, by a write that refuses to pass the budget: two posts at
        # the same moment cannot both squeeze under it (services/x_budget.py).
        reserved = d.x_budget.reserve(channel, copy.text, d.clock())
        if isinstance(reserved, str):
            if not keyed:
                d.ledger.forget(publication)  # held back before any request: retry may send
            log.warning("publish held: X budget", extra=_fields(publication))
            return Outcome("failed", error=reserved)
        reservation = reserved
    try:
        outcome = publisher.publish(publication, copy)
    except RetryLater:
        if not keyed:
            d.ledger.forget(publication)  # nothing was applied: the redelivery may send
        _take_back(d, reservation)
        raise
    if outcome.status == "failed":
        _take_back(d, reservation)  # proven not published: it costs nothing
    if outcome.status == "published":
        log.info("published", extra={**_fields(publication), "outcome": outcome.status})
    else:
        # The failed-publish alarm counts these lines (infra/template.json's metric filter).
        log.error("publish failed", extra={**_fields(publication), "outcome": outcome.status})
    return outcome


def _take_back(d: Delivery, reservation: Reservation | None) -> None:
    if d.x_budget is not None and reservation is not None:
        d.x_budget.release(reservation)


def _record(d: Delivery, publication: Publication, outcome: Outcome, post: Post) -> str:
    """Store the outcome, first on the post as read before sending (usually still current)."""

    def record(current: Post) -> bool:
        if not _is_current(current, publication):
            return False  # recorded by an earlier delivery
        result = ChannelResult(status=ResultStatus(outcome.status), url=outcome.url,
                               external_id=outcome.external_id, error=outcome.error,
                               attempts=publication.attempt)
        current.record_result(publication.channel, result, d.clock())
        return True

    # A conflict: another channel of the post finished at the same moment.
    _, saved = until_saved(d.repo, publication.post_id, record, read=post)
    return outcome.status if saved else "stale"


def _fields(publication: Publication) -> dict[str, str | int]:
    return {"post_id": publication.post_id, "channel": publication.channel,
            "attempt": publication.attempt}
