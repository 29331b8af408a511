"""The figures from facts: lead times to the first decision and to schedule (median, p90), the
change-request rate and its labels, on-time publishing, failures per channel, answer times;
facts recorded again overwrite themselves; a period reads exactly its days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain.post import ChannelResult, Post
from chalicelib.domain.status import ResultStatus
from chalicelib.domain.workflow import Workflow
from chalicelib.services import analytics
from chalicelib.services.analytics import InvalidPeriod, median, p90
from tests.fakes.stats import MemoryStatsStore
from tests.unit.helpers import BRAND, LEGAL1, NOW, eligible, new_post, workflow

DAY = NOW.date()


def keep(store: MemoryStatsStore, post: Post) -> int:
    """The facts of the post's timeline so far, as the relay records them: the stream hands it
    every inserted timeline event, once each."""
    return sum(analytics.record_event(store, post, post.new_events, event) for event in post.new_events)


def stored(store: MemoryStatsStore) -> int:
    return sum(len(day) for day in store.days.values())


def hours(n: float) -> datetime:
    return NOW + timedelta(hours=n)


@pytest.fixture
def wf() -> Workflow:
    return workflow(reason_labels=["Claim", "Tone"])


def reviewed_with_changes(wf: Workflow) -> Post:
    """Untimed; legal asks for changes after 2 h, the writer resubmits at 4 h, legal approves
    at 5 h and brand at 6 h; published 1 minute after the last approval."""
    post = new_post("Gewinnspiel im Advent")
    post.submit(wf, "writer", NOW)
    post.decide(wf, "legal", LEGAL1, "request_changes", post.content_hash, "Zu laut", hours(2),
                eligible(wf, "legal"), labels=["Claim", "Tone"])
    post.submit(wf, "writer", hours(4))
    post.decide(wf, "legal", LEGAL1, "approve", post.content_hash, "", hours(5), eligible(wf, "legal"))
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", hours(6), eligible(wf, "brand"))
    post.claim(hours(6))
    post.record_result("outbox", ChannelResult(ResultStatus.PUBLISHED), hours(6) + timedelta(minutes=1))
    return post


def test_lead_times_change_requests_and_labels_per_step_and_reviewer(wf: Workflow) -> None:
    store = MemoryStatsStore()
    assert keep(store, reviewed_with_changes(wf)) == 5  # 3 decisions, scheduled, one result
    assert stored(store) == 5

    figures = analytics.stats(store, DAY, DAY)
    legal, brand = (next(s for s in figures["steps"] if s["step"] == name) for name in ("legal", "brand"))
    # legal's first decision of each round: 2 h after the first submission, 1 h after the second
    assert legal == {"brand": "default", "step": "legal", "decisions": 2,
                     "median_hours_to_decision": 1.5, "p90_hours_to_decision": 2.0,
                     "changes_requested_rate": 0.5, "labels": {"Claim": 1, "Tone": 1}}
    assert (brand["decisions"], brand["median_hours_to_decision"], brand["changes_requested_rate"],
            brand["labels"]) == (1, 2.0, 0.0, {})
    assert [(r["step"], r["reviewer"], r["decisions"]) for r in figures["reviewers"]] == [
        ("brand", "U0BRAND1", 1), ("legal", "U0LEGAL1", 2)]
    [default] = figures["brands"]
    assert (default["scheduled"], default["median_hours_to_schedule"]) == (1, 2.0)
    assert (figures["published"], figures["on_time_rate"], figures["failures"]) == (1, 1.0, {})


def test_on_time_against_publish_at_and_failures_per_channel(wf: Workflow) -> None:
    store = MemoryStatsStore()
    publish_at = hours(30)
    post = new_post("Hallo Welt", channels=("outbox", "hooks"), post_id="p2", publish_at=publish_at)
    post.submit(wf, "writer", NOW)
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", hours(1), eligible(wf, "brand"))
    post.claim(publish_at)
    post.record_result("outbox", ChannelResult(ResultStatus.PUBLISHED),
                       publish_at + timedelta(minutes=5))  # late: more than 2 minutes
    post.record_result("hooks", ChannelResult(ResultStatus.FAILED, error="401"), publish_at)
    keep(store, post)
    keep(store, reviewed_with_changes(wf))

    figures = analytics.stats(store, DAY, DAY + timedelta(days=1))
    assert figures["published"] == 2
    assert figures["on_time_rate"] == 0.5
    assert figures["failures"] == {"hooks": 1}
    # a period that ends before the publications holds only the reviews
    assert analytics.stats(store, DAY, DAY)["failures"] == {}


def settled_on_two_channels(wf: Workflow) -> Post:
    post = new_post("Hallo Welt", channels=("outbox", "hooks"))
    post.submit(wf, "writer", NOW)
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", hours(1), eligible(wf, "brand"))
    post.claim(hours(1))
    post.record_result("hooks", ChannelResult(ResultStatus.FAILED, error="401"), hours(1))
    post.record_result("outbox", ChannelResult(ResultStatus.PUBLISHED), hours(1))
    return post


def test_the_relay_writes_only_the_facts_of_the_event_it_is_handed(wf: Workflow) -> None:
    # GIVEN a post decided, scheduled and settled on two channels
    store = MemoryStatsStore()
    post = settled_on_two_channels(wf)
    last = [e for e in post.new_events if e.type == "publish_result"][-1]
    assert last.data["channel"] == "outbox"
    # WHEN the relay is handed its last publication result
    written = analytics.record_event(store, post, post.new_events, last)
    # THEN one fact is written, that event's: the earlier ones were written as they were stored
    assert written == 1 and stored(store) == 1
    figures = analytics.stats(store, DAY, DAY)
    assert (figures["published"], figures["failures"], figures["steps"]) == (1, {}, [])


def test_rebuild_writes_every_fact_again_and_counts_nothing_twice(wf: Workflow) -> None:
    # GIVEN a post whose failed publication never reached the relay (the stream gave up on it)
    store = MemoryStatsStore()
    post = settled_on_two_channels(wf)
    failed = next(e for e in post.new_events if e.type == "publish_result"
                  and e.data.get("status") == "failed")
    for event in post.new_events:
        if event is not failed:
            analytics.record_event(store, post, post.new_events, event)
    assert analytics.stats(store, DAY, DAY)["failures"] == {}
    # WHEN its facts are written again from its timeline (make figures POST=<id>)
    assert analytics.rebuild(store, post, post.new_events) == 4  # decision, scheduled, 2 results
    # THEN the failure is counted, and everything else once
    figures = analytics.stats(store, DAY, DAY)
    assert (figures["published"], figures["failures"]) == (1, {"hooks": 1})
    assert figures["steps"][0]["decisions"] == 1
    assert stored(store) == 4


def test_a_fact_recorded_again_overwrites_itself(wf: Workflow) -> None:
    store = MemoryStatsStore()
    post = reviewed_with_changes(wf)
    for event in post.new_events:  # every record reaches the relay, some of them twice
        analytics.record_event(store, post, post.new_events, event)
    keep(store, post)
    assert stored(store) == 5
    assert analytics.stats(store, DAY, DAY)["steps"][1]["decisions"] == 2


def test_a_period_reads_exactly_its_days_and_one_brand_when_asked() -> None:
    store = MemoryStatsStore()
    for brand, post_id, lead in (("acme", "p1", 3), ("other", "p2", 1)):
        analytics.record_fact(store, "scheduled", brand, post_id, 1, NOW,
                              submitted_at=analytics.utc_iso(hours(-lead)))
    figures = analytics.stats(store, DAY - timedelta(days=2), DAY, brand="acme")
    assert store.days_read == [(DAY - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    assert [(b["brand"], b["median_hours_to_schedule"]) for b in figures["brands"]] == [("acme", 3.0)]


def test_answers_time_to_first_answer_and_share_within_target() -> None:
    store = MemoryStatsStore()
    for n, external in enumerate(("a", "b", "c", "d")):
        analytics.record_fact(store, "incoming", "acme", "inbox#acme", f"mastodon#{external}",
                              hours(n), channel="mastodon", external_id=external)
    answers = {"a": 1, "b": 3.5, "c": 30}  # d is never answered; c after the period's end
    for n, (external, after) in enumerate(answers.items()):
        at = hours(list("abcd").index(external) + after)
        analytics.record_fact(store, "answer_published", "acme", f"r{n}", 1, at,
                              channel="mastodon", parent=external)
    analytics.record_fact(store, "answer_published", "acme", "r9", 1, hours(10),  # a second answer
                          channel="mastodon", parent="a")
    [row] = analytics.stats(store, DAY, DAY, answer_within_hours=lambda brand: 4.0,
                            today=DAY + timedelta(days=5))["answers"]
    assert row == {"brand": "acme", "incoming": 4, "answered": 3, "median_hours_to_answer": 3.5,
                   "p90_hours_to_answer": 30.0, "answer_within_hours": 4.0,
                   "answered_within_rate": 0.5}
    # read up to the target past the period (one day here), never past today
    assert store.days_read[-1] == (DAY + timedelta(days=1)).isoformat()
    analytics.stats(store, DAY, DAY, answer_within_hours=lambda brand: 4.0, today=DAY)
    assert store.days_read[-1] == DAY.isoformat()


@pytest.mark.parametrize(("values", "mid", "ninetieth"), [
    ([], None, None),
    ([5.0], 5.0, 5.0),
    ([1.0, 2.0], 1.5, 2.0),
    ([3.0, 1.0, 2.0], 2.0, 3.0),
    ([float(n) for n in range(1, 11)], 5.5, 9.0),
    ([float(n) for n in range(1, 12)], 6.0, 10.0),
    ([0.333333, 0.333333], 0.33, 0.33),
])
def test_median_and_p90_by_nearest_rank(values: list[float], mid: float | None,
                                        ninetieth: float | None) -> None:
    assert median(values) == mid
    assert p90(values) == ninetieth


def test_nothing_in_the_period_gives_empty_figures_not_zeroes() -> None:
    figures = analytics.stats(MemoryStatsStore(), DAY, DAY)
    assert figures["steps"] == [] and figures["answers"] == []
    assert figures["on_time_rate"] is None and figures["failures"] == {}


def test_periods() -> None:
    today = date(2026, 11, 29)
    assert analytics.period(None, None, today) == (date(2026, 10, 31), today)
    assert analytics.period("2026-11-01", "2026-11-01T23:00:00+00:00", today) == (
        date(2026, 11, 1), date(2026, 11, 1))
    assert analytics.period_of_days("7d", today) == (date(2026, 11, 23), today)
    assert analytics.period_of_days("", today) == (date(2026, 10, 31), today)
    for start, end, key in (("2026-11-02", "2026-11-01", "stats_period_reversed"),
                            ("2024-01-01", "2026-11-01", "stats_period_too_long"),
                            ("yesterday", None, "stats_period_invalid")):
        with pytest.raises(InvalidPeriod) as err:
            analytics.period(start, end, today)
        assert err.value.key == key
    for text in ("0d", "abc", "999d", "-3d"):
        with pytest.raises(InvalidPeriod):
            analytics.period_of_days(text, today)
