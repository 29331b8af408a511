"""The due-posts tick with fakes: claims, late and expired posts, pause, lost races, stale index
entries, and the recovery of posts whose messages never reached the queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.config import parse_config
from chalicelib.domain import events as ev
from chalicelib.domain.content import Content
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.status import Status
from chalicelib.domain.workflow import Workflow
from chalicelib.services import scheduling
from chalicelib.services.ports import Context
from tests.fakes.publishing import PublishingPorts
from tests.unit.helpers import (
    AUTHOR,
    BRAND,
    LEGAL1,
    LEGAL2,
    NOW,
    eligible,
    new_post,
    workflow_file,
)


def status(rig: PublishingPorts, post_id: str = "p1") -> Status:
    return rig.repo.get(post_id).status


def test_due_post_is_claimed_and_gets_one_message_per_channel() -> None:
    # GIVEN a post approved for 10:00 on two channels
    rig = PublishingPorts()
    post = rig.approved()
    # WHEN the tick runs at its time
    rig.clock.now = NOW + timedelta(hours=1)
    counts = rig.tick()
    # THEN it is publishing, and each channel has one message bound to the approved content
    assert counts == {"due": 1, "claimed": 1, "expired": 0, "paused": 0, "skipped": 0,
                      "redispatched": 0, "messages": 2, "unsent": 0}
    assert status(rig) is Status.PUBLISHING
    sent = rig.queue.take()
    assert sorted(m.channel for m in sent) == ["hooks", "outbox"]
    assert {(m.post_id, m.content_hash, m.attempt) for m in sent} == {("p1", post.content_hash, 1)}
    assert {m.not_after for m in sent} == {"2026-11-26T12:00:00Z"}  # publish_at + 120 minutes


def test_post_not_yet_due_is_left_alone() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(minutes=57)  # further off than the tick looks ahead
    assert rig.tick()["due"] == 0
    assert status(rig) is Status.SCHEDULED and rig.queue.messages == []


def test_nothing_happens_while_paused() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.control.pause("Krise", "U0ADMIN", NOW)
    rig.clock.now = NOW + timedelta(hours=1)
    assert rig.tick()["paused"] == 1
    assert status(rig) is Status.SCHEDULED and rig.queue.messages == []


@pytest.mark.parametrize(("late", "expected"), [(119, Status.PUBLISHING), (121, Status.EXPIRED)])
def test_late_approval_goes_out_inside_the_window_and_expires_after_it(late: int,
                                                                         expected: Status) -> None:
    rig = PublishingPorts()
    rig.clock.now = NOW + timedelta(minutes=late)  # approved this late after publish_at
    rig.approved(publish_at=NOW)
    rig.tick()
    assert status(rig) is expected
    if expected is Status.EXPIRED:
        assert rig.queue.messages == []
        assert [m.post_id for m in rig.repo.sent(ev.PostExpired)] == ["p1"]  # the author is told
    else:
        assert len(rig.queue.messages) == 2


def test_post_without_time_goes_out_at_the_next_tick() -> None:
    rig = PublishingPorts()
    rig.approved(publish_at=None)
    assert rig.tick()["claimed"] == 1


def test_post_edited_back_to_review_after_the_index_was_read_is_not_published() -> None:
    # GIVEN the index still lists a post that was just edited back to review
    rig = PublishingPorts()
    rig.approved()
    stale = rig.repo.due(NOW + timedelta(hours=1))
    post = rig.repo.get("p1")
    post.edit(rig.wf, AUTHOR, NOW, Content(text="Neu", channels=("outbox", "hooks")), post.publish_at)
    rig.repo.save(post)
    rig.repo.due = lambda now, limit=500: stale  # type: ignore[method-assign]
    # WHEN the tick acts on that index entry
    rig.clock.now = NOW + timedelta(hours=1)
    counts = rig.tick()
    # THEN the consistent re-read finds it in review: nothing claimed, nothing sent
    assert (counts["due"], counts["skipped"], counts["claimed"]) == (1, 1, 0)
    assert status(rig) is Status.IN_REVIEW and rig.queue.messages == []


def test_scheduled_post_without_approval_on_its_content_is_never_claimed() -> None:
    rig = PublishingPorts()
    post = rig.approved()
    post.content = Content(text="unreviewed", channels=("outbox", "hooks"))  # bypassing the domain
    rig.repo.documents["p1"]["content"] = post.content.to_dict()
    rig.clock.now = NOW + timedelta(hours=1)
    assert rig.tick()["skipped"] == 1
    assert status(rig) is Status.SCHEDULED and rig.queue.messages == []


def test_a_claim_lost_to_another_tick_sends_nothing() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.repo.conflicts = 1
    rig.clock.now = NOW + timedelta(hours=1)
    assert rig.tick()["skipped"] == 1
    assert rig.queue.messages == []


def test_messages_refused_after_the_claim_are_sent_again_once_the_post_is_quiet() -> None:
    # GIVEN a tick that claimed a post but could not reach the queue
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(hours=1)
    rig.queue.refuse = True
    assert rig.tick()["unsent"] == 1
    assert status(rig) is Status.PUBLISHING
    rig.queue.refuse = False
    # WHEN later ticks run: not before the post has been quiet for STALL_AFTER
    rig.clock.advance(minutes=1)
    assert rig.tick()["redispatched"] == 0
    rig.clock.advance(minutes=5)
    counts = rig.tick()
    # THEN the pending channels are sent again, same attempt, same deadline
    assert counts["redispatched"] == 1
    sent = rig.queue.take()
    assert sorted((m.channel, m.attempt, m.not_after) for m in sent) == [
        ("hooks", 1, "2026-11-26T12:00:00Z"), ("outbox", 1, "2026-11-26T12:00:00Z")]
    _, events, _ = rig.repo.get_full("p1")
    assert events[-1].type == "redispatched"
    # AND not again at the next tick: the re-send itself counts as progress
    rig.clock.advance(minutes=1)
    assert rig.tick()["redispatched"] == 0
    assert [rig.deliver(m) for m in sent] == ["published", "published"]
    assert status(rig) is Status.PUBLISHED


def test_a_crash_between_claim_and_send_strands_nothing() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(hours=1)

    class Crash(BaseException):
        pass

    def die(messages: object, delays: object = ()) -> None:
        raise Crash

    rig.queue.send = die  # type: ignore[method-assign,assignment]
    with pytest.raises(Crash):
        rig.tick()
    del rig.queue.send
    rig.clock.advance(minutes=6)
    assert rig.tick()["redispatched"] == 1
    assert rig.drain() == ["published", "published"]


def test_only_pending_channels_are_sent_again() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    outbox = next(m for m in rig.queue.take() if m.channel == "outbox")
    assert rig.deliver(outbox) == "published"  # hooks' message was lost
    rig.clock.advance(minutes=6)
    rig.tick()
    assert [m.channel for m in rig.queue.take()] == ["hooks"]


def test_the_tick_stops_claiming_when_its_time_is_spent() -> None:
    rig = PublishingPorts()
    for n in range(3):
        rig.approved(post_id=f"p{n}")
    rig.clock.now = NOW + timedelta(hours=1)
    clock = iter([0.0, 0.0, 1.0, scheduling.TICK_BUDGET_SECONDS + 1] + [99.0] * 10)
    rig.scheduling.monotonic = lambda: next(clock)
    assert rig.tick()["claimed"] == 2
    assert [status(rig, f"p{n}") for n in range(3)] == [Status.PUBLISHING] * 2 + [Status.SCHEDULED]


def test_the_queue_gets_at_most_ten_messages_per_call() -> None:
    rig = PublishingPorts()
    for n in range(7):
        rig.approved(post_id=f"p{n}")
    rig.clock.now = NOW + timedelta(hours=1)
    assert rig.tick()["messages"] == 14  # FakeQueue asserts the batch size


# -- a workflow file that changed under approved posts (docs/publishing.md) --------------------

def _without_legal() -> Workflow:
    file = workflow_file()
    file["steps"] = [s for s in file["steps"] if s["name"] != "legal"]
    return parse_config(file).workflow


def _legal_needs(approvals: int) -> Workflow:
    file = workflow_file()
    for step in file["steps"]:
        if step["name"] == "legal":
            step["approvals_required"] = approvals
    return parse_config(file).workflow


def test_a_step_removed_after_approval_neither_stops_the_tick_nor_blocks_the_post() -> None:
    # GIVEN p1 approved by legal and brand, p2 by brand alone
    rig = PublishingPorts()
    rig.approved("p1", channels=("x", "outbox"))
    rig.approved("p2", channels=("outbox",))
    assert rig.repo.get("p1").step("legal").required
    # WHEN the legal step is taken out of the workflow file and the tick runs
    rig.scheduling.workflow = _without_legal()
    rig.clock.now = NOW + timedelta(hours=1)
    counts = rig.tick()
    # THEN both go out: p1 was approved as the workflow asked when its review ran
    assert counts["claimed"] == 2 and counts["skipped"] == 0
    assert status(rig, "p1") is Status.PUBLISHING and status(rig, "p2") is Status.PUBLISHING
    assert sorted(m.post_id for m in rig.queue.take()) == ["p1", "p1", "p2"]


def test_one_broken_post_is_skipped_and_the_admins_are_told_once() -> None:
    # GIVEN two due posts, one of whose stored item no longer reads
    rig = PublishingPorts()
    rig.approved("p1", channels=("outbox",))
    rig.approved("p2", channels=("outbox",))
    read = rig.repo.get

    def get(post_id: str) -> Post:
        if post_id == "p1":
            raise ValueError("'no-such-status' is not a valid Status")  # as post_from_document
        return read(post_id)

    rig.repo.get = get  # type: ignore[method-assign]
    rig.clock.now = NOW + timedelta(hours=1)
    # WHEN the tick runs twice
    first = rig.tick()
    second = rig.tick()
    # THEN the other post goes out, the broken one is counted as skipped, the admins hear once
    assert first["claimed"] == 1 and first["skipped"] == 1 and second["skipped"] == 1
    assert [m.post_id for m in rig.queue.take()] == ["p2"]
    assert status(rig, "p2") is Status.PUBLISHING
    assert rig.notices.sent == [("p1", "ValueError")]


def test_fewer_required_approvals_in_the_file_do_not_lower_a_running_review() -> None:
    # GIVEN legal needs 2 approvals and has 1 when the file lowers it to 1
    rig = PublishingPorts()
    strict = _legal_needs(2)
    post = new_post("Hallo", ("x", "outbox"), publish_at=NOW + timedelta(hours=1))
    post.submit(strict, AUTHOR, NOW)
    post.decide(strict, "legal", LEGAL1, "approve", post.content_hash, "", NOW,
                eligible(strict, "legal"))
    rig.repo.save(post)
    lenient = _legal_needs(1)
    rig.scheduling.workflow = lenient
    # WHEN brand approves under the lowered file and the tick runs
    post = rig.repo.get("p1")
    post.decide(lenient, "brand", BRAND, "approve", post.content_hash, "", NOW,
                eligible(lenient, "brand"))
    rig.repo.save(post)
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    # THEN nothing goes out: the review started asking for 2
    assert status(rig) is Status.IN_REVIEW and rig.queue.messages == []
    # WHEN the second legal reviewer approves
    post = rig.repo.get("p1")
    post.decide(lenient, "legal", LEGAL2, "approve", post.content_hash, "", rig.clock(),
                eligible(lenient, "legal"))
    rig.repo.save(post)
    rig.tick()
    # THEN it goes out
    assert status(rig) is Status.PUBLISHING


def test_a_scheduled_post_is_held_when_its_record_asks_more_than_it_has() -> None:
    # GIVEN a scheduled post whose legal step recorded 2 required approvals but holds 1
    rig = PublishingPorts()
    rig.approved("p1", channels=("x", "outbox"))
    legal = next(s for s in rig.repo.documents["p1"]["steps"] if s["name"] == "legal")
    legal["approvals_required"] = 2
    rig.clock.now = NOW + timedelta(hours=1)
    # WHEN the tick runs, the file asking for 1 (or no longer having the step)
    counts = rig.tick()
    rig.scheduling.workflow = _without_legal()
    rig.tick()
    # THEN it is not published, and the admins hear of it once
    assert counts["skipped"] == 1 and rig.queue.messages == []
    assert status(rig) is Status.SCHEDULED
    assert rig.notices.sent == [("p1", "lacks_approvals")]


def test_a_stricter_file_holds_a_post_approved_under_a_laxer_one() -> None:
    rig = PublishingPorts()
    rig.approved("p1", channels=("x", "outbox"))
    rig.scheduling.workflow = _legal_needs(2)
    rig.clock.now = NOW + timedelta(hours=1)
    assert rig.tick()["skipped"] == 1
    assert status(rig) is Status.SCHEDULED and rig.queue.messages == []


def test_a_post_stored_before_reviews_kept_their_count_falls_back_to_the_file() -> None:
    # GIVEN two approved posts stored without the per-step count (as before it was kept)
    rig = PublishingPorts()
    rig.approved("p1", channels=("x", "outbox"))
    rig.approved("p2", channels=("outbox",))
    for doc in rig.repo.documents.values():
        for step in doc["steps"]:
            del step["approvals_required"]
    # WHEN the legal step is gone from the file
    rig.scheduling.workflow = _without_legal()
    rig.clock.now = NOW + timedelta(hours=1)
    counts = rig.tick()
    # THEN p2 (brand, still configured) goes out; p1's legal count is unknown, so it is held
    assert counts["claimed"] == 1 and counts["skipped"] == 1
    assert status(rig, "p2") is Status.PUBLISHING and status(rig, "p1") is Status.SCHEDULED
    assert rig.notices.sent == [("p1", "lacks_approvals")]


# -- on the second (issue 12 item 5) ----------------------------------------------------------


def test_the_tick_claims_a_post_due_within_the_next_minute_and_delays_it_to_its_second() -> None:
    # GIVEN a post approved for 10:00 and a tick at 09:59:20.7 (the next one comes after 10:00)
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(minutes=59, seconds=20, microseconds=700_000)
    counts = rig.tick()
    # THEN this tick claims it and the queue holds each publication for the whole seconds
    # nearest to 10:00 (39, arriving at 09:59:59.7; rounded up to 40 it arrived at 10:00:00.7),
    # and each message says not before 10:00, so the worker waits out the 0.3 s
    assert counts["claimed"] == 1 and status(rig) is Status.PUBLISHING
    assert rig.queue.delays == {("p1", "outbox", 1): 39, ("p1", "hooks", 1): 39}
    sent = rig.queue.take()
    assert {m.not_after for m in sent} == {"2026-11-26T12:00:00Z"}  # from publish_at
    assert {m.not_before for m in sent} == {"2026-11-26T10:00:00Z"}


@pytest.mark.parametrize(("seconds_before", "delay"), [(39.8, 40), (39.5, 40), (39.3, 39), (0.4, 0)])
def test_the_delay_is_the_nearest_whole_second(seconds_before: float, delay: int) -> None:
    due = NOW + timedelta(hours=1)
    assert scheduling.delay_until(due, due - timedelta(seconds=seconds_before)) == delay


def test_a_post_already_due_is_queued_without_delay() -> None:
    rig = PublishingPorts()
    rig.approved()
    rig.clock.now = NOW + timedelta(hours=1, seconds=30)
    rig.tick()
    assert set(rig.queue.delays.values()) == {0}


def test_take_now_claims_a_post_approved_without_a_time_at_once() -> None:
    # GIVEN a post approved without a publish time: the relay sees PostScheduled
    rig = PublishingPorts()
    post = rig.approved(publish_at=None)
    scheduled = rig.repo.sent(ev.PostScheduled)[-1]
    assert scheduling.due_soon(scheduled, rig.clock())
    # WHEN the relay takes it
    counts = scheduling.take_now(rig.scheduling, post.id)
    # THEN it is claimed and queued without delay; the next tick finds nothing left to send
    assert counts["claimed"] == 1 and counts["messages"] == 2
    assert status(rig) is Status.PUBLISHING and set(rig.queue.delays.values()) == {0}
    rig.queue.take()
    assert rig.tick()["claimed"] == 0 and rig.queue.messages == []


def test_take_now_and_the_tick_never_both_send_a_post() -> None:
    rig = PublishingPorts()
    post = rig.approved(publish_at=None)
    assert rig.tick()["claimed"] == 1
    assert scheduling.take_now(rig.scheduling, post.id)["claimed"] == 0
    assert len(rig.queue.take()) == 2  # one message per channel, from the tick alone


def test_take_now_leaves_a_later_post_to_the_tick_and_does_nothing_while_paused() -> None:
    rig = PublishingPorts()
    rig.approved(post_id="later")
    assert not scheduling.due_soon(rig.repo.sent(ev.PostScheduled)[-1], rig.clock())
    assert scheduling.take_now(rig.scheduling, "later")["claimed"] == 0
    rig.approved(post_id="now", publish_at=None)
    rig.control.pause("Krise", "U0ADMIN", NOW)
    assert scheduling.take_now(rig.scheduling, "now")["paused"] == 1
    assert status(rig, "later") is Status.SCHEDULED and status(rig, "now") is Status.SCHEDULED
    assert rig.queue.messages == []


def test_take_now_that_the_queue_refuses_leaves_the_post_to_the_recovery() -> None:
    rig = PublishingPorts()
    post = rig.approved(publish_at=None)
    rig.queue.refuse = True
    assert scheduling.take_now(rig.scheduling, post.id)["unsent"] == 1
    rig.queue.refuse = False
    rig.clock.now = NOW + scheduling.STALL_AFTER + timedelta(seconds=1)
    assert rig.tick()["redispatched"] == 1 and set(rig.queue.delays.values()) == {0}


# -- the last approval takes a post due now to the queue itself (issue 12 item 5) -------------


def reviewing(rig: PublishingPorts, publish_at: datetime | None = None) -> tuple[Post, Context]:
    """A post in review on the rig, and the reviewers' context whose ``take_now`` is the tick's
    claim (as bootstrap wires it)."""
    from tests.fakes.builders import context, submitted

    post = submitted(rig.repo, rig.wf, new_post("Hallo Welt", ("outbox", "hooks"), post_id="p1",
                                                publish_at=publish_at), rig.clock())
    ctx = replace(context(rig.repo, rig.wf, rig.clock),
                  take_now=lambda saved: scheduling.take_now(rig.scheduling, saved.id, saved=saved),
                  claim_now=lambda post: scheduling.claim_in_save(rig.scheduling, post))
    return post, ctx


def approve_all(ctx: Context, post: Post) -> Post:
    from chalicelib.services import review

    for step, reviewer in (("legal", LEGAL1), ("brand", BRAND)):
        if post.step(step).required:
            post = review.decide(ctx, post.id, step, reviewer, "approve", post.content_hash).post
    return post


def test_the_last_approval_of_a_post_without_a_time_queues_it_at_once() -> None:
    """Not behind the stream relay: the decision itself claims the post and queues it."""
    rig = PublishingPorts()
    post, ctx = reviewing(rig)
    approve_all(ctx, post)
    assert status(rig) is Status.PUBLISHING
    assert rig.queue.delays == {("p1", "outbox", 1): 0, ("p1", "hooks", 1): 0}
    # The relay's take_now and the next tick find it claimed: still one message per channel.
    assert scheduling.take_now(rig.scheduling, "p1")["claimed"] == 0
    assert rig.tick()["claimed"] == 0 and len(rig.queue.take()) == 2


def test_the_last_approval_and_its_claim_are_one_read_and_one_save() -> None:
    """The due-now click's warm p99: the decision and the claim are one conditional write (one
    transaction, one status count), on the post the decision read."""
    rig = PublishingPorts()
    post, ctx = reviewing(rig)
    assert not post.step("legal").required  # brand's approval is the last one
    reads: list[str] = []
    saved: list[tuple[Status, bool]] = []
    get, save = rig.repo.get, rig.repo.save

    def counting(post_id: str) -> Post:
        reads.append(post_id)
        return get(post_id)

    def saving(post: Post, *, unless_paused: bool = False) -> None:
        saved.append((post.status, unless_paused))
        save(post, unless_paused=unless_paused)

    rig.repo.get = counting  # type: ignore[method-assign]
    rig.repo.save = saving  # type: ignore[method-assign]
    outcome = review_decide(ctx, post, "brand", BRAND)

    # the pause switch is checked in that write, not read before it
    assert reads == ["p1"] and saved == [(Status.PUBLISHING, True)]
    assert outcome.status is Status.PUBLISHING and len(rig.queue.messages) == 2
    _, events, _ = rig.repo.get_full("p1")
    assert [e.type for e in events[-3:]] == ["decision", "scheduled", "publishing"]
    assert [m.post_id for m in rig.repo.sent(ev.PostScheduled)] == ["p1"]  # Slack still hears


def test_a_claim_prepared_for_a_save_that_lost_a_race_is_prepared_again_and_sent_once() -> None:
    rig = PublishingPorts()
    post, ctx = reviewing(rig)
    rig.repo.conflicts = 1  # the first save of the last approval loses a race
    review_decide(ctx, post, "brand", BRAND)
    assert status(rig) is Status.PUBLISHING
    assert rig.queue.delays == {("p1", "outbox", 1): 0, ("p1", "hooks", 1): 0}


def test_an_external_reviewers_last_approval_through_a_link_queues_the_post_at_once() -> None:
    """The client's approval on the review page is a decision like a reviewer's click."""
    from chalicelib.services import external_review as ext
    from chalicelib.services.ports import Identity
    from tests.unit.test_external_review import CLIENT_STEP, KEY, link_workflow

    rig = PublishingPorts()
    rig.wf = rig.scheduling.workflow = link_workflow()
    post, ctx = reviewing(rig)
    post = review_decide(ctx, post, "brand", BRAND)
    assert post.status is Status.IN_REVIEW and post.step(CLIENT_STEP["name"]).required
    raw = ext.encode(ext.create_link(ctx, Identity(email=AUTHOR, name="Wanda"), post.id), KEY)

    outcome = ext.decide(ctx, raw, KEY, "approve", "Carla Client")

    assert outcome.recorded and status(rig) is Status.PUBLISHING
    assert rig.queue.delays == {("p1", "outbox", 1): 0, ("p1", "hooks", 1): 0}


def test_a_pause_that_lands_between_the_claim_and_its_save_stores_the_decision_alone() -> None:
    """The pause switch is part of the claim's write: an admin who pauses at that moment
    wins, the approval still counts, and the tick takes the post after the resume."""
    rig = PublishingPorts()
    post, ctx = reviewing(rig)
    rig.repo.before_save = lambda _post: rig.control.pause("Krise", "U0ADMIN", NOW)
    outcome = review_decide(ctx, post, "brand", BRAND)
    stored = rig.repo.get("p1")
    assert outcome.status is Status.SCHEDULED and stored.status is Status.SCHEDULED
    assert stored.is_fully_approved(rig.wf) and rig.queue.messages == []
    rig.control.resume("U0ADMIN", NOW)
    assert rig.tick()["claimed"] == 1 and len(rig.queue.messages) == 2


def test_a_post_claimed_with_its_decision_that_the_queue_refuses_is_sent_by_the_recovery() -> None:
    rig = PublishingPorts()
    post, ctx = reviewing(rig)
    rig.queue.refuse = True
    outcome = review_decide(ctx, post, "brand", BRAND)
    assert outcome.status is Status.PUBLISHING and rig.queue.messages == []
    rig.queue.refuse = False
    rig.clock.now = NOW + scheduling.STALL_AFTER + timedelta(seconds=1)
    assert rig.tick()["redispatched"] == 1 and len(rig.queue.messages) == 2


def test_a_decision_that_cannot_claim_plainly_is_saved_alone_and_taken_after() -> None:
    """Not connected channels: the claim is not prepared in the save; ``take_now`` after it
    holds the post back and tells the admins, as the tick would."""
    rig = PublishingPorts()
    rig.scheduling.unusable = lambda channels, now: ["hooks"]
    post, ctx = reviewing(rig)
    review_decide(ctx, post, "brand", BRAND)
    stored = rig.repo.get("p1")
    assert stored.status is Status.SCHEDULED and rig.queue.messages == []
    assert stored.results["hooks"].error is not None
    assert rig.notices.sent == [("p1", "channel_not_connected")]


def test_a_claim_of_a_saved_post_that_changed_since_claims_nothing() -> None:
    """The saved post is only a shortcut: a newer version (an edit, another claim) wins."""
    rig = PublishingPorts()
    post, ctx = reviewing(rig)
    approve_all(replace(ctx, take_now=None, claim_now=None), post)
    saved = rig.repo.get("p1")
    newer = rig.repo.get("p1")
    newer.claim(NOW)
    rig.repo.save(newer)  # another tick got there first

    assert scheduling.take_now(rig.scheduling, "p1", saved=saved)["claimed"] == 0
    assert rig.queue.messages == [] and saved.status is Status.SCHEDULED


def review_decide(ctx: Context, post: Post, step: str, reviewer: Reviewer) -> Post:
    from chalicelib.services import review

    return review.decide(ctx, post.id, step, reviewer, "approve", post.content_hash).post


def test_a_decision_queues_a_post_due_within_the_look_ahead_held_back_until_its_second() -> None:
    rig = PublishingPorts()
    post, ctx = reviewing(rig, publish_at=NOW + timedelta(seconds=40))
    approve_all(ctx, post)
    assert status(rig) is Status.PUBLISHING
    assert set(rig.queue.delays.values()) == {40}


def test_a_later_post_a_paused_queue_or_a_refusing_queue_leave_the_decision_standing() -> None:
    later = PublishingPorts()
    post, ctx = reviewing(later, publish_at=NOW + timedelta(hours=3))
    approve_all(ctx, post)
    assert status(later) is Status.SCHEDULED and later.queue.messages == []  # the tick's

    paused = PublishingPorts()
    paused.control.pause("Krise", "U0ADMIN", NOW)
    post, ctx = reviewing(paused)
    approve_all(ctx, post)
    assert status(paused) is Status.SCHEDULED and paused.queue.messages == []

    broken = PublishingPorts()
    post, ctx = reviewing(broken)

    def failing(_post: Post) -> object:
        raise RuntimeError("queue unreachable")

    # Neither the claim in the decision's save nor the one after it: the decision stands.
    approve_all(replace(ctx, take_now=failing, claim_now=failing), post)  # type: ignore[arg-type]
    assert status(broken) is Status.SCHEDULED  # approved; the relay or the tick sends it
    assert broken.repo.get("p1").is_fully_approved(broken.wf)
