"""The audit chain detects any altered, reordered or missing event."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.audit import verify_anchor, verify_state
from chalicelib.domain.post import Approval, Post
from chalicelib.domain.status import Status
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.timeline import verify as verify_chain
from tests.unit.helpers import AUTHOR, BRAND, NOW, content, eligible, new_post, workflow


def a_timeline() -> tuple[str, list[TimelineEvent], int, str]:
    wf = workflow()
    post = new_post()
    post.submit(wf, AUTHOR, NOW)
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", NOW, eligible(wf, "brand"))
    assert post.timeline_head is not None
    return post.id, list(post.new_events), post.timeline_count, post.timeline_head


def test_an_untouched_timeline_verifies() -> None:
    post_id, events, count, head = a_timeline()
    assert len(events) == 5
    assert verify_chain(post_id, events, count, head) == []


def test_an_altered_event_is_reported() -> None:
    post_id, events, count, head = a_timeline()
    events[3] = replace(events[3], data={**events[3].data, "decision": "reject"})
    assert any("event 4 (decision): content was altered" in p
               for p in verify_chain(post_id, events, count, head))


def test_a_reordered_timeline_is_reported() -> None:
    post_id, events, count, head = a_timeline()
    events[1], events[2] = events[2], events[1]
    problems = verify_chain(post_id, events, count, head)
    assert any("missing or reordered" in p for p in problems)


def test_a_missing_event_is_reported_even_at_the_end() -> None:
    post_id, events, count, head = a_timeline()
    assert any("does not follow" in p for p in verify_chain(post_id, events[:1] + events[2:], count, head))
    problems = verify_chain(post_id, events[:-1], count, head)
    assert "expected 5 events, found 4" in problems


def test_a_recomputed_forgery_breaks_the_link_to_the_next_event() -> None:
    post_id, events, count, head = a_timeline()
    forged = replace(events[1], actor="someone@else")
    events[1] = replace(forged, hash=forged.compute_hash())
    assert any("event 3" in p and "does not follow" in p
               for p in verify_chain(post_id, events, count, head))


def test_another_posts_events_do_not_verify() -> None:
    _, events, count, head = a_timeline()
    assert verify_chain("another", events, count, head)


# -- the post's state follows from its timeline (chalicelib/domain/audit.py) ---------------------

def approved_post() -> tuple[Post, list[TimelineEvent]]:
    wf = workflow()
    post = new_post()
    post.submit(wf, AUTHOR, NOW)
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", NOW, eligible(wf, "brand"))
    events = list(post.new_events)
    post.new_events = []
    return post, events


def test_an_untouched_post_follows_from_its_timeline() -> None:
    post, events = approved_post()
    assert verify_state(post, events) == []


def test_text_edited_in_the_item_with_its_approvals_rehashed_is_reported() -> None:
    post, events = approved_post()
    post.content = replace(post.content, text="Gefälscht")
    for step in post.steps:
        step.approvals = [replace(a, content_hash=post.content_hash) for a in step.approvals]
    problems = verify_state(post, events)
    assert any("is not the one the timeline last recorded (event 5" in p for p in problems)
    assert any("step brand: the approval by U0BRAND1" in p and "has no decision" in p
               for p in problems)
    assert not any("Gefälscht" in p for p in problems)  # never the text itself


def test_an_approval_added_in_the_item_is_reported() -> None:
    post, events = approved_post()
    post.step("brand").approvals.append(Approval("U0LEGAL1", "legal1@freigabe.example", "t",
                                                 post.content_hash))
    assert verify_state(post, events) == [
        f"step brand: the approval by U0LEGAL1 of hash {post.content_hash[:12]} has no decision "
        "in the timeline"]


def test_a_status_set_in_the_item_is_reported() -> None:
    post, events = approved_post()
    post.status = Status.PUBLISHING
    assert verify_state(post, events) == [
        "status publishing does not follow from the timeline (event 5 left it scheduled)"]


def test_an_edit_restarts_what_the_timeline_expects() -> None:
    wf = workflow()
    post, events = approved_post()
    post.edit(wf, AUTHOR, NOW, content("Neu"), None)
    assert verify_state(post, events + post.new_events) == []


def test_a_chain_cut_below_its_anchor_is_reported() -> None:
    _, events, _, _ = a_timeline()
    assert verify_anchor(events, 5, events[4].hash) == []
    assert verify_anchor(events, 3, events[2].hash) == []
    assert verify_anchor(events[:4], 5, events[4].hash) == [
        "the anchored chain head is event 5, but the table holds 4 events: the timeline was "
        "cut back"]
    assert verify_anchor(events, 5, "0" * 64) == ["event 5 is not the one anchored outside the table"]
