"""One publication from the queue, with fakes: results, settling, duplicates, a worker dying
midway, pause, rate limits and deadlines."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import events as ev
from chalicelib.domain.content import Content
from chalicelib.domain.publication import Publication
from chalicelib.domain.status import ResultStatus, Status
from chalicelib.services import delivery
from chalicelib.services.delivery import PublishingPaused
from chalicelib.services.ports import RetryLater
from tests.fakes.publishing import PublishingPorts, claimed
from tests.unit.helpers import NOW


def test_every_channel_published_settles_the_post_as_published() -> None:
    rig = PublishingPorts()
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
    rig = PublishingPorts()
    messages = claimed(rig)
    rig.networks["hooks"].script = ["failed"]
    rig.deliver(messages["outbox"])
    assert rig.deliver(messages["hooks"]) == "failed"
    post = rig.repo.get("p1")
    assert post.status is Status.PARTIALLY_PUBLISHED
    assert post.results["hooks"].error == "HTTP 401: invalid token"


def test_the_same_message_twice_publishes_once() -> None:
    rig = PublishingPorts()
    message = claimed(rig)["hooks"]
    assert rig.deliver(message) == "published"
    assert rig.deliver(message) == "stale"
    assert len(rig.networks["hooks"].posts) == 1


def test_a_worker_dying_before_the_result_is_stored_does_not_publish_twice() -> None:
    # GIVEN the network accepted the post, then storing the result failed
    rig = PublishingPorts()
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
    rig = PublishingPorts()
    message = claimed(rig)[channel]
    rig.ledger.begin(message)
    # WHEN the message comes again
    assert rig.deliver(message) == expected
    # THEN a network without a key is not asked again (unknown: a person checks); one that
    # de-duplicates on the key is
    assert len(rig.networks[channel].posts) == posts
    if expected == "unknown":
        assert "check there before retrying" in (rig.repo.get("p1").results[channel].error or "")


def test_rate_limited_publication_is_redelivered_and_then_goes_out() -> None:
    rig = PublishingPorts()
    message = claimed(rig)["hooks"]
    rig.networks["hooks"].script = ["retry"]
    with pytest.raises(RetryLater):
        rig.deliver(message)
    assert rig.deliver(message, receives=2) == "published"
    assert len(rig.networks["hooks"].posts) == 1


def test_paused_worker_sends_nothing_and_hands_the_message_back() -> None:
    rig = PublishingPorts()
    message = claimed(rig)["hooks"]
    rig.control.pause("Krise", "U0ADMIN", NOW)
    with pytest.raises(PublishingPaused):
        rig.deliver(message)
    # Near the dead-letter threshold it is acknowledged; the post stays pending for the recovery.
    assert rig.deliver(message, receives=delivery.HOLD_RECEIVES) == "held"
    assert rig.networks["hooks"].posts == []
    assert rig.repo.get("p1").results["hooks"].status is ResultStatus.PENDING
    rig.control.resume("U0ADMIN", NOW)
    assert rig.deliver(message) == "published"


def test_a_publication_held_past_the_late_window_fails_without_being_sent() -> None:
    rig = PublishingPorts()
    message = claimed(rig)["hooks"]
    rig.clock.now = NOW + timedelta(hours=3, minutes=1)  # publish_at + 121 minutes
    assert rig.deliver(message) == "failed"
    assert rig.networks["hooks"].posts == []
    assert "more than 120 minutes" in (rig.repo.get("p1").results["hooks"].error or "")


def test_messages_for_unknown_posts_or_older_attempts_are_acknowledged() -> None:
    rig = PublishingPorts()
    message = claimed(rig)["hooks"]
    assert rig.deliver(replace(message, post_id="nope")) == "gone"
    assert rig.deliver(replace(message, attempt=2)) == "stale"
    assert rig.deliver(replace(message, content_hash="other")) == "stale"
    assert rig.networks["hooks"].posts == []


def test_a_channel_removed_from_the_workflow_fails_with_a_reason() -> None:
    rig = PublishingPorts()
    message = claimed(rig)["hooks"]
    del rig.networks["hooks"]
    assert rig.deliver(message) == "failed"
    assert rig.repo.get("p1").results["hooks"].error == "channel hooks is not configured"


def test_results_of_two_channels_finishing_together_are_both_kept() -> None:
    rig = PublishingPorts()
    messages = claimed(rig)

    def other_channel_finishes_first(_: object) -> None:
        rig.deliver(messages["outbox"])

    rig.repo.before_save = other_channel_finishes_first
    assert rig.deliver(messages["hooks"]) == "published"
    post = rig.repo.get("p1")
    assert {c: r.status for c, r in post.results.items()} == {
        "outbox": ResultStatus.PUBLISHED, "hooks": ResultStatus.PUBLISHED}
    assert post.status is Status.PUBLISHED


# Any order of deliveries, duplicates and dying workers: each network sees a post at most once,
# and once every message went through without dying, the post is settled.
Event = st.tuples(st.sampled_from(["outbox", "hooks", "mastodon"]), st.sampled_from(["ok", "dies"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(Event, max_size=12))
def test_no_interleaving_publishes_anything_twice(events: list[tuple[str, str]]) -> None:
    rig = PublishingPorts()
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
    rig = PublishingPorts()
    message = claimed(rig)["hooks"]
    with pytest.raises(delivery.OutOfTime):
        delivery.deliver(rig.delivery, message, may_wait=lambda: False)
    assert rig.networks["hooks"].posts == []
    assert rig.deliver(message) == "published"


def tampered_in_the_table(rig: PublishingPorts) -> None:
    """The post item edited by hand: new text, approvals re-pointed at its hash."""
    doc = rig.repo.documents["p1"]
    doc["content"]["text"] = "Gefälscht"
    forged = Content.from_dict(doc["content"]).hash
    for step in doc["steps"]:
        for approval in step["approvals"]:
            approval["content_hash"] = forged


def test_a_post_edited_in_the_table_is_refused_loudly_and_never_published(
        caplog: pytest.LogCaptureFixture) -> None:
    rig = PublishingPorts()
    rig.approved()
    tampered_in_the_table(rig)
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    with caplog.at_level(logging.ERROR, logger="freigabe.publishing"):
        outcomes = rig.drain()
    assert outcomes == ["failed", "failed"]
    assert rig.networks["hooks"].posts == [] and rig.networks["outbox"].posts == []
    post = rig.repo.get("p1")
    assert post.status is Status.FAILED
    assert all("does not follow from its timeline" in (r.error or "") for r in post.results.values())
    refused = [r for r in caplog.records if r.levelno == logging.ERROR
               and r.getMessage() == "publish failed: the post does not follow from its timeline"]
    assert len(refused) == 2 and all("Gefälscht" not in str(r.__dict__) for r in refused)


def test_a_cut_back_timeline_is_refused_before_publishing() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    rig.repo.events["p1"].pop(2)  # an event removed from the middle
    assert rig.drain() == ["failed", "failed"]
    assert rig.networks["hooks"].posts == [] and rig.networks["outbox"].posts == []


# -- on its second: the queue's whole-second delay ends up to a second early -------------------


def early_message(rig: PublishingPorts, seconds_early: float) -> dict[str, Publication]:
    """A post due at 10:00, claimed by the tick before that; its messages arrive this early."""
    rig.approved()
    publish_at = NOW + timedelta(hours=1)
    rig.clock.now = publish_at - timedelta(seconds=40)
    rig.tick()
    messages = {p.channel: p for p in rig.queue.take()}
    rig.clock.now = publish_at - timedelta(seconds=seconds_early)
    return messages


def test_a_message_that_arrives_before_its_second_waits_for_it_then_goes_out() -> None:
    # GIVEN the queue hands over a message 0.6 s before the post's time
    rig = PublishingPorts()
    messages = early_message(rig, 0.6)
    # WHEN the worker takes it
    assert rig.deliver(messages["outbox"]) == "published"
    # THEN it waited the 0.6 s and sent at the post's time, not before
    assert rig.slept == [pytest.approx(0.6)]
    result = rig.repo.get("p1").results["outbox"]
    assert result.status is ResultStatus.PUBLISHED
    assert [e.at for e in rig.repo.get_full("p1")[1] if e.type == "publish_result"] == [
        "2026-11-26T10:00:00Z"]


def test_a_pause_set_while_the_worker_waits_for_the_second_holds_the_message() -> None:
    rig = PublishingPorts()
    messages = early_message(rig, 0.5)
    rig.delivery.sleep = lambda seconds: rig.control.pause("Krise", "U0ADMIN", rig.clock())
    with pytest.raises(PublishingPaused):
        rig.deliver(messages["hooks"])
    assert rig.networks["hooks"].posts == []


def test_a_message_far_too_early_is_handed_back_untouched() -> None:
    rig = PublishingPorts()
    messages = early_message(rig, 30)
    with pytest.raises(delivery.TooEarly):
        rig.deliver(messages["hooks"])
    assert rig.slept == [] and rig.networks["hooks"].posts == []
    assert rig.repo.get("p1").results["hooks"].status is ResultStatus.PENDING
