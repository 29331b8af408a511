"""The audit chain detects any altered, reordered or missing event."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.timeline import verify as verify_chain
from tests.unit.helpers import AUTHOR, BRAND, NOW, eligible, new_post, workflow


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
