"""One publication from the queue, with fakes: results, settling, duplicates, a worker dying
midway, pause, rate limits, deadlines, and the admins' retry and mark-as-published."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.channels.base import RetryLater
from chalicelib.domain import events as ev
from chalicelib.domain.errors import Forbidden, InvalidTransition
from chalicelib.domain.status import ResultStatus, Status
from chalicelib.services import publication, publishing
from chalicelib.services.publication import PublishingPaused
from chalicelib.services.publishing import PublishMessage
from tests.unit.helpers import NOW
from tests.unit.publishing_fakes import Rig


def claimed(rig: Rig, channels: tuple[str, ...] = ("outbox", "hooks")) -> dict[str, PublishMessage]:
    rig.approved(channels=channels)
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    return {m.channel: m for m in rig.queue.take()}


def test_every_channel_published_settles_the_post_as_published() -> None:
    rig = Rig()
    messages = claimed(rig)
    assert rig.deliver(messages["outbox"]) == "published"
    assert rig.repo.get("p1").status is Status.PUBLISHING
    assert rig.deliver(messages["hooks"]) == "published"
    post = rig.repo.get("p1")
    assert post.status is Status.PUBLISHED
    assert post.results["hooks"].url == "https://net.example/0"
    assert [m.status for m in rig.repo.sent(ev.PostSettled)] == ["published"]
    assert [p.text for p in rig.networks["hooks"].posts] == ["Hallo Welt"]


def test_one_failure_makes_the_post_partially_published() -> None:
    rig = Rig()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    assert rig.deliver(messages["hooks"]) == "failed"
    post = rig.repo.get("p1")
    assert post.status is Status.PARTIALLY_PUBLISHED
    assert post.results["hooks"].error == "HTTP 401: invalid token"


def test_the_same_message_twice_publishes_once() -> None:
    rig = Rig()
    message = claimed(rig)["hooks"]
    assert rig.deliver(message) == "published"
    assert rig.deliver(message) == "stale"
    assert len(rig.networks["hooks"].posts) == 1


def test_a_worker_dying_before_the_result_is_stored_does_not_publish_twice() -> None:
    # GIVEN the network accepted the post, then storing the result failed
    rig = Rig()
    message = claimed(rig)["hooks"]  # a network without an idempotency key
    rig.repo.crashes = 1
    with pytest.raises(RuntimeError):
        rig.deliver(message)
    assert rig.repo.get("p1").results["hooks"].status is ResultStatus.PENDING
    # WHEN the queue delivers the message again
    assert rig.deliver(message) == "published"
    # THEN the stored outcome is recorded; the network saw one post
    assert len(rig.networks["hooks"].posts) == 1
    assert rig.repo.get("p1").results["hooks"].external_id == "0"


@pytest.mark.parametrize(("channel", "expected", "posts"),
                         [("hooks", "unknown", 0), ("outbox", "published", 1)])
def test_a_run_that_stopped_midway_is_not_blindly_repeated(channel: str, expected: str, posts: int) -> None:
    # GIVEN an earlier run of this attempt began sending and left no outcome (it died, and its
    # idempotency record expired)
    rig = Rig()
    message = claimed(rig)[channel]
    rig.ledger.begin(message.key())
    # WHEN the message comes again
    assert rig.deliver(message) == expected
    # THEN a network without a key is not asked again (unknown: a person checks); one that
    # de-duplicates on the key is
    assert len(rig.networks[channel].posts) == posts
    if expected == "unknown":
        assert "check there before retrying" in (rig.repo.get("p1").results[channel].error or "")


def test_rate_limited_publication_is_redelivered_and_then_goes_out() -> None:
    rig = Rig()
    message = claimed(rig)["hooks"]
    rig.networks["hooks"].script = ["retry"]
    with pytest.raises(RetryLater):
        rig.deliver(message)
    assert rig.deliver(message, receives=2) == "published"
    assert len(rig.networks["hooks"].posts) == 1


def test_paused_worker_sends_nothing_and_hands_the_message_back() -> None:
    rig = Rig()
    message = claimed(rig)["hooks"]
    rig.control.paused = True
    with pytest.raises(PublishingPaused):
        rig.deliver(message)
    # Near the dead-letter threshold it is acknowledged; the post stays pending for the recovery.
    assert rig.deliver(message, receives=publication.HOLD_RECEIVES) == "held"
    assert rig.networks["hooks"].posts == []
    assert rig.repo.get("p1").results["hooks"].status is ResultStatus.PENDING
    rig.control.paused = False
    assert rig.deliver(message) == "published"


def test_a_publication_held_past_the_late_window_fails_without_being_sent() -> None:
    rig = Rig()
    message = claimed(rig)["hooks"]
    rig.clock.now = NOW + timedelta(hours=3, minutes=1)  # publish_at + 121 minutes
    assert rig.deliver(message) == "failed"
    assert rig.networks["hooks"].posts == []
    assert "more than 120 minutes" in (rig.repo.get("p1").results["hooks"].error or "")


def test_messages_for_unknown_posts_or_older_attempts_are_acknowledged() -> None:
    rig = Rig()
    message = claimed(rig)["hooks"]
    assert rig.deliver(replace(message, post_id="nope")) == "gone"
    assert rig.deliver(replace(message, attempt=2)) == "stale"
    assert rig.deliver(replace(message, content_hash="other")) == "stale"
    assert rig.networks["hooks"].posts == []


def test_a_channel_removed_from_the_workflow_fails_with_a_reason() -> None:
    rig = Rig()
    message = claimed(rig)["hooks"]
    del rig.networks["hooks"]
    assert rig.deliver(message) == "failed"
    assert rig.repo.get("p1").results["hooks"].error == "channel hooks is not configured"


def test_results_of_two_channels_finishing_together_are_both_kept() -> None:
    rig = Rig()
    messages = claimed(rig)

    def other_channel_finishes_first(_: object) -> None:
        rig.deliver(messages["outbox"])

    rig.repo.before_save = other_channel_finishes_first
    assert rig.deliver(messages["hooks"]) == "published"
    post = rig.repo.get("p1")
    assert {c: r.status for c, r in post.results.items()} == {
        "outbox": ResultStatus.PUBLISHED, "hooks": ResultStatus.PUBLISHED}
    assert post.status is Status.PUBLISHED


def test_admin_retry_sends_only_the_failed_channels_as_a_new_attempt() -> None:
    # GIVEN hooks failed while outbox went out
    rig = Rig()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    # WHEN an admin retries
    post = publishing.retry_publication(rig.dispatch, "p1", None, "U0ADMIN")
    # THEN only hooks is sent again, as attempt 2, which the idempotency store has not seen
    assert post.status is Status.PUBLISHING
    [retry] = rig.queue.take()
    assert (retry.channel, retry.attempt) == ("hooks", 2)
    assert rig.deliver(retry) == "published"
    assert rig.repo.get("p1").status is Status.PUBLISHED
    assert len(rig.networks["outbox"].posts) == 1
    # AND a duplicate delivery of the retry is swallowed
    assert rig.deliver(retry) == "stale"
    assert len(rig.networks["hooks"].posts) == 1


def test_retry_is_for_admins_and_for_failed_channels_only() -> None:
    rig = Rig()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    with pytest.raises(Forbidden):
        publishing.retry_publication(rig.dispatch, "p1", ["hooks"], "U0LEGAL1")
    with pytest.raises(InvalidTransition):
        publishing.retry_publication(rig.dispatch, "p1", ["outbox"], "U0ADMIN")
    assert rig.queue.messages == []


def test_admin_marks_an_unknown_channel_as_published() -> None:
    rig = Rig()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["unknown"]
    rig.deliver(messages["outbox"])
    assert rig.deliver(messages["hooks"]) == "unknown"
    assert rig.repo.get("p1").status is Status.PARTIALLY_PUBLISHED
    with pytest.raises(Forbidden):
        publishing.mark_published(rig.dispatch, "p1", "hooks", "U0BRAND1", "https://h/1")
    post = publishing.mark_published(rig.dispatch, "p1", "hooks", "U0ADMIN", "https://h/1")
    assert post.status is Status.PUBLISHED
    assert post.results["hooks"].url == "https://h/1"


def test_a_stalled_retry_keeps_its_own_deadline() -> None:
    rig = Rig()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    rig.deliver(messages["hooks"])
    rig.clock.advance(hours=5)
    publishing.retry_publication(rig.dispatch, "p1", None, "U0ADMIN")
    [first] = rig.queue.take()  # lost
    rig.clock.advance(minutes=6)
    rig.tick()
    [again] = rig.queue.take()
    assert again == first
    assert again.not_after == "2026-11-26T17:00:00Z"  # retried at 15:00, plus 120 minutes


# Any order of deliveries, duplicates and dying workers: each network sees a post at most once,
# and once every message went through without dying, the post is settled.
Event = st.tuples(st.sampled_from(["outbox", "hooks", "mastodon"]), st.sampled_from(["ok", "dies"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(Event, max_size=12))
def test_no_interleaving_publishes_anything_twice(events: list[tuple[str, str]]) -> None:
    rig = Rig()
    messages = claimed(rig, ("outbox", "hooks", "mastodon"))
    for channel, fate in events:
        rig.repo.crashes = 1 if fate == "dies" else 0
        with contextlib.suppress(RuntimeError):
            rig.deliver(messages[channel])
    rig.repo.crashes = 0
    for message in messages.values():
        rig.deliver(message)
    assert all(len(network.posts) <= 1 for network in rig.networks.values())
    post = rig.repo.get("p1")
    assert post.status is Status.PUBLISHED
    assert all(len(rig.networks[c].posts) == 1 for c in messages)


def test_a_record_near_the_end_of_the_invocation_is_handed_back_unsent() -> None:
    rig = Rig()
    message = claimed(rig)["hooks"]
    with pytest.raises(publication.OutOfTime):
        publication.publish_one(rig.worker, message, may_wait=lambda: False)
    assert rig.networks["hooks"].posts == []
    assert rig.deliver(message) == "published"
