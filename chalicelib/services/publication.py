"""One publication from the publish queue: re-check pause and status, talk to the network
at most once per attempt, record the result.

Three layers keep a publication from going out twice. The worker acts only on a result still
pending for the message's attempt (a duplicate delivery finds it recorded). The network call
runs under idempotency keyed on post, channel, content hash and attempt (a redelivery after the
result could not be stored gets the stored outcome). And for a network without an idempotency
key, a send ledger entry is written before the request leaves, so a run that died mid-send is
recognised and the result becomes ``unknown`` (a person checks) instead of a second post; a
network that honours the key (Mastodon, the outbox) is simply asked again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.adapters.channels.base import ChannelPublisher, Outcome, Publication, RetryLater
from chalicelib.config import Workflow
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.post import ChannelResult, Post
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.status import ResultStatus, Status
from chalicelib.services.publishing import (
    SAVE_ATTEMPTS,
    PauseSwitch,
    PublishingRepository,
    PublishMessage,
)

log = logging.getLogger("freigabe.publishing")

# Receives after which a message held by the pause is let go (the recovery re-sends it after the
# resume) instead of being failed again and dead-lettered at the queue's maxReceiveCount of 5.
HOLD_RECEIVES = 4

INTERRUPTED = ("an earlier attempt stopped after the request may have reached {channel}; "
               "check there before retrying")
TOO_LATE = ("not published: more than {minutes} minutes past its time "
            "(publishing was paused or {channel} was unavailable)")


class PublishingPaused(Exception):
    """Publishing is paused: the message comes back later (a failed record)."""


class OutOfTime(Exception):
    """Too little of the invocation is left to wait for a network: let the queue redeliver."""


class SendLedger(Protocol):
    """Remembers that a request for a publication attempt may have left this process."""

    def begin(self, key: dict[str, Any]) -> bool:
        """Note the attempt; False when it was noted before (an earlier run stopped midway)."""

    def forget(self, key: dict[str, Any]) -> None:
        """The attempt provably reached no network (it may be made again)."""


class Once(Protocol):
    """Runs ``send`` at most once per key and returns its stored result to every later call
    with the same key (Powertools idempotency in AWS)."""

    def __call__(self, key: dict[str, Any], send: Callable[[], dict[str, Any]]) -> dict[str, Any]: ...


class Channels(Protocol):
    def publisher(self, name: str) -> ChannelPublisher:
        """The channel's publisher; KeyError for a channel the workflow file no longer has."""

    def sends_idempotency_key(self, name: str) -> bool: ...


@dataclass
class Worker:
    """What publishing one message needs."""

    repo: PublishingRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    control: PauseSwitch
    channels: Channels
    ledger: SendLedger
    once: Once


def publish_one(w: Worker, message: PublishMessage, *, receive_count: int = 1,
                may_wait: Callable[[], bool] = lambda: True) -> str:
    """Publish one message's publication and record its result; returns what happened.

    Raises PublishingPaused, OutOfTime, RetryLater or Conflict to fail the record, so that the
    queue delivers it again later.
    """
    if w.control.pause_state() is not None:
        if receive_count >= HOLD_RECEIVES:
            # Acknowledged, not lost: the post stays pending and the recovery re-sends it.
            log.info("paused: left to the recovery", extra=_fields(message))
            return "held"
        raise PublishingPaused(message.post_id)
    try:
        post = w.repo.get(message.post_id)
    except NotFound:
        log.warning("publish message for an unknown post", extra=_fields(message))
        return "gone"
    if not _is_current(post, message):
        return "stale"  # a duplicate delivery, an older attempt, or a post that moved on
    if not may_wait():
        raise OutOfTime(message.post_id)
    publication = Publication(
        post_id=post.id, channel=message.channel, text=post.content.text_for(message.channel),
        title=post.content.title, content_hash=post.content_hash, author=post.author,
        publish_at=post.publish_at_iso,
    )
    outcome = w.once(message.key(), lambda: _send(w, message, publication))
    return _record(w, message, outcome, post)


def _is_current(post: Post, message: PublishMessage) -> bool:
    result = post.results.get(message.channel)
    return (post.status is Status.PUBLISHING and post.content_hash == message.content_hash
            and result is not None and result.status is ResultStatus.PENDING
            and result.attempts == message.attempt)


def _send(w: Worker, message: PublishMessage, publication: Publication) -> dict[str, Any]:
    """The part that runs once per key: talk to the network, return the outcome as a dict."""
    try:
        publisher = w.channels.publisher(message.channel)
    except KeyError:
        return _as_dict(Outcome("failed", error=f"channel {message.channel} is not configured"))
    not_after = parse_time(message.not_after)
    too_late = _as_dict(Outcome("failed", error=TOO_LATE.format(
        minutes=w.workflow.late_publish_minutes, channel=message.channel)))
    late = not_after is not None and w.clock() > not_after
    keyed = w.channels.sends_idempotency_key(message.channel)
    # A network that de-duplicates on the key may be asked again after a run that died; any
    # other is asked once per attempt: the ledger notes the request before it leaves.
    if not keyed and not w.ledger.begin(message.key()):
        # That run may have published: never re-send blindly (CONTRACT 6); a person checks.
        return _as_dict(Outcome("unknown", error=INTERRUPTED.format(channel=message.channel)))
    if late:
        return too_late
    try:
        outcome = publisher.publish(publication)
    except RetryLater:
        if not keyed:
            w.ledger.forget(message.key())  # nothing was applied: the redelivery may send
        raise
    if outcome.status == "published":
        log.info("published", extra={**_fields(message), "outcome": outcome.status})
    else:
        # The failed-publish alarm counts these lines (infra/template.json's metric filter).
        log.error("publish failed", extra={**_fields(message), "outcome": outcome.status})
    return _as_dict(outcome)


def _record(w: Worker, message: PublishMessage, outcome: dict[str, Any], post: Post) -> str:
    """Store the result, first on the post as read before sending (usually still current)."""
    status = ResultStatus(outcome["status"])
    for attempt in range(SAVE_ATTEMPTS):
        if attempt:
            post = w.repo.get(message.post_id)
        if not _is_current(post, message):
            return "stale"  # recorded by an earlier delivery
        result = ChannelResult(status=status, url=outcome.get("url"),
                               external_id=outcome.get("external_id"), error=outcome.get("error"),
                               attempts=post.results[message.channel].attempts)
        post.record_result(message.channel, result, w.clock())
        try:
            w.repo.save(post)
        except Conflict:
            continue  # another channel of the post finished at the same moment
        return status.value
    raise Conflict("busy", post=message.post_id)


def _as_dict(outcome: Outcome) -> dict[str, Any]:
    return {"status": outcome.status, "url": outcome.url, "external_id": outcome.external_id,
            "error": outcome.error}


def _fields(message: PublishMessage) -> dict[str, Any]:
    return {"post_id": message.post_id, "channel": message.channel, "attempt": message.attempt}
