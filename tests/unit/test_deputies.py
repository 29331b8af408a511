"""Deputies against the in-memory stores: when an absence ends as people type it, who may be a
deputy, a deputy's decision recorded as such, nothing after the absence ends, and the author
rule for deputies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.deputies import Away, parse_until
from chalicelib.domain.errors import InvalidContent, NotEligible
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.status import Status, StepStatus
from chalicelib.services import deputies, review, review_desk
from chalicelib.services.ports import Context
from tests.fakes import Clock, MemoryPostRepository
from tests.fakes.builders import context, submitted
from tests.fakes.deputies import FakePeople, MemoryDeputies
from tests.unit.helpers import AUTHOR, LEGAL1, LEGAL2, NOW, new_post, workflow

BERLIN = ZoneInfo("Europe/Berlin")
DEPUTY = Reviewer("U0DEPUTY", "dora.deputy@freigabe.example")
PEOPLE = FakePeople({"U0DEPUTY": "person", "U0LEGAL1": "person", "U0LEGAL2": "person",
                     "U0WANDA": "person", "U0BOT": "bot"})


def rig() -> tuple[Context, MemoryPostRepository, MemoryDeputies, Clock]:
    repo, store, clock = MemoryPostRepository(), MemoryDeputies(), Clock(NOW)
    ctx = context(repo, workflow(), clock)
    ctx.deputies = store
    return ctx, repo, store, clock


def discount_in_review(ctx: Context, repo: MemoryPostRepository, author_slack_id: str | None = None,
                       author: str = AUTHOR) -> Post:
    post = new_post("50% Rabatt")
    post.author = author
    post.author_slack_id = author_slack_id
    return submitted(repo, ctx.workflow, post, NOW)


def decision_events(repo: MemoryPostRepository, post_id: str) -> list[dict[str, object]]:
    return [dict(e.data, actor=e.actor) for e in repo.events[post_id] if e.type == "decision"]


# -- when an absence ends ------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "until"), [
    ("3d", NOW + timedelta(days=3)),
    ("12h", NOW + timedelta(hours=12)),
    ("2t", NOW + timedelta(days=2)),
    # a date: away through the end of that day in the brand's time zone
    ("2026-12-24", datetime(2026, 12, 25, tzinfo=BERLIN)),
    ("24.12.", datetime(2026, 12, 25, tzinfo=BERLIN)),
    ("24.12.2026", datetime(2026, 12, 25, tzinfo=BERLIN)),
    # a day already past this year is next year's
    ("3.1.", datetime(2027, 1, 4, tzinfo=BERLIN)),
    ("26.11.", datetime(2026, 11, 27, tzinfo=BERLIN)),  # today: until tonight
])
def test_the_end_of_an_absence_is_read_as_people_type_it(typed: str, until: datetime) -> None:
    assert parse_until(typed, NOW, BERLIN) == until


@pytest.mark.parametrize(("typed", "key"), [
    ("", "away_until_missing"), ("morgen", "away_until_invalid"), ("31.02.", "away_until_invalid"),
    ("2026-11-01", "away_until_past"), ("0d", "away_until_past"), ("400d", "away_too_long"),
])
def test_an_end_that_cannot_be_read_is_refused_in_words(typed: str, key: str) -> None:
    with pytest.raises(InvalidContent) as refusal:
        parse_until(typed, NOW, BERLIN)
    assert refusal.value.key == key


# -- who may be a deputy -------------------------------------------------------------------


@pytest.mark.parametrize(("deputy", "key"), [
    ("U0LEGAL1", "deputy_is_self"), ("U0BOT", "deputy_is_bot"), ("U0NOBODY", "deputy_unknown"),
    ("", "deputy_missing"),
])
def test_a_deputy_must_be_another_person_and_a_refusal_stores_nothing(deputy: str, key: str) -> None:
    ctx, _, store, _ = rig()
    with pytest.raises(InvalidContent) as refusal:
        deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), deputy, people=PEOPLE)
    assert refusal.value.key == key
    assert store.absences == []


def test_setting_an_absence_again_replaces_the_earlier_one_and_off_ends_it() -> None:
    ctx, _, store, _ = rig()
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), "U0DEPUTY", people=PEOPLE)
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=5), "U0LEGAL2", people=PEOPLE)
    assert [(a.reviewer, a.deputy, a.until) for a in store.absences] == [
        ("U0LEGAL1", "U0LEGAL2", NOW + timedelta(days=5))]
    assert deputies.deputies_now(ctx, ["U0LEGAL1", "U0LEGAL2"]) == {"U0LEGAL2": "U0LEGAL1"}
    assert deputies.covering(ctx, "U0DEPUTY") == []
    ended = deputies.end_away(ctx, "U0LEGAL1")
    assert [a.deputy for a in ended] == ["U0LEGAL2"]
    assert store.absences == []
    assert deputies.away_of(ctx, "U0LEGAL1") is None


# -- deciding as a deputy ------------------------------------------------------------------


def test_a_deputy_approves_during_the_absence_and_the_record_says_for_whom() -> None:
    ctx, repo, _, clock = rig()
    post = discount_in_review(ctx, repo)
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), "U0DEPUTY", people=PEOPLE)
    clock.advance(hours=1)
    outcome = review.decide(ctx, post.id, "legal", DEPUTY, "approve", post.content_hash)
    assert outcome.recorded
    stored = repo.get(post.id)
    assert stored.step("legal").status is StepStatus.APPROVED
    assert stored.step("legal").decided_by == "U0DEPUTY"
    (event,) = decision_events(repo, post.id)
    assert event["actor"] == "U0DEPUTY"
    assert event["as_deputy_for"] == "U0LEGAL1"
    # a reviewer deciding for themselves is recorded as always, without a deputy
    review.decide(ctx, post.id, "brand", Reviewer("U0BRAND1", "brand@freigabe.example"),
                  "approve", post.content_hash)
    assert "as_deputy_for" not in decision_events(repo, post.id)[1]
    assert repo.get(post.id).status is Status.SCHEDULED


def test_after_the_absence_ends_the_deputy_decides_nothing() -> None:
    ctx, repo, _, clock = rig()
    post = discount_in_review(ctx, repo)
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=1), "U0DEPUTY", people=PEOPLE)
    clock.advance(days=1)  # the absence ended at this very moment
    version = repo.get(post.id).version
    with pytest.raises(NotEligible) as refusal:
        review.decide(ctx, post.id, "legal", DEPUTY, "approve", post.content_hash)
    assert refusal.value.key == "not_a_reviewer"
    assert repo.get(post.id).version == version
    assert decision_events(repo, post.id) == []


def test_a_deputy_the_reviewer_called_back_decides_nothing() -> None:
    ctx, repo, _, _ = rig()
    post = discount_in_review(ctx, repo)
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), "U0DEPUTY", people=PEOPLE)
    deputies.end_away(ctx, "U0LEGAL1")
    with pytest.raises(NotEligible):
        review.decide(ctx, post.id, "legal", DEPUTY, "approve", post.content_hash)
    assert decision_events(repo, post.id) == []


def test_a_deputy_who_wrote_the_post_is_refused() -> None:
    ctx, repo, _, _ = rig()
    post = discount_in_review(ctx, repo, author_slack_id="U0DEPUTY", author=DEPUTY.email or "")
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), "U0DEPUTY", people=PEOPLE)
    with pytest.raises(NotEligible) as refusal:
        review.decide(ctx, post.id, "legal", DEPUTY, "approve", post.content_hash)
    assert refusal.value.key == "own_post"
    assert decision_events(repo, post.id) == []


def test_a_deputy_never_stands_in_for_the_author_on_their_own_post() -> None:
    ctx, repo, _, _ = rig()
    # Lena of legal wrote it and is away; her deputy is not her hand on her own post.
    post = discount_in_review(ctx, repo, author_slack_id="U0LEGAL1", author=LEGAL1.email or "")
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), "U0DEPUTY", people=PEOPLE)
    with pytest.raises(NotEligible):
        review.decide(ctx, post.id, "legal", DEPUTY, "approve", post.content_hash)
    # the other legal reviewer still decides
    assert review.decide(ctx, post.id, "legal", LEGAL2, "approve", post.content_hash).recorded


def test_a_deputy_may_hold_and_request_changes_for_the_reviewer() -> None:
    ctx, repo, _, _ = rig()
    post = discount_in_review(ctx, repo)
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), "U0DEPUTY", people=PEOPLE)
    assert review.hold(ctx, post.id, "legal", DEPUTY, "Frage an Legal", post.content_hash).recorded
    assert [h.by for h in repo.get(post.id).holds] == ["U0DEPUTY"]
    review.decide(ctx, post.id, "legal", DEPUTY, "request_changes", post.content_hash,
                  "Bitte ohne Prozent")
    (event,) = decision_events(repo, post.id)
    assert (event["decision"], event["as_deputy_for"]) == ("request_changes", "U0LEGAL1")
    assert repo.get(post.id).status is Status.CHANGES_REQUESTED


def test_the_deputy_sees_the_reviewers_pending_steps_only_during_the_absence() -> None:
    ctx, repo, _, clock = rig()
    post = discount_in_review(ctx, repo)
    assert review_desk.pending_for(ctx, DEPUTY) == []
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=2), "U0DEPUTY", people=PEOPLE)
    assert [(p.id, s.name) for p, s in review_desk.pending_for(ctx, DEPUTY)] == [(post.id, "legal")]
    fresh, would = review_desk.check_decision(ctx, post.id, "legal", DEPUTY, "approve",
                                              post.content_hash)
    assert would and fresh.id == post.id
    clock.advance(days=3)
    assert review_desk.pending_for(ctx, DEPUTY) == []


def test_without_a_deputy_store_nobody_is_away() -> None:
    ctx, repo, _, _ = rig()
    ctx.deputies = None
    post = discount_in_review(ctx, repo)
    assert deputies.deputies_now(ctx, ["U0LEGAL1"]) == {}
    with pytest.raises(InvalidContent):
        deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=1), "U0DEPUTY", people=PEOPLE)
    with pytest.raises(NotEligible):
        review.decide(ctx, post.id, "legal", DEPUTY, "approve", post.content_hash)


def test_an_absence_round_trips_through_its_stored_shape() -> None:
    away = Away("U0LEGAL1", "U0DEPUTY", NOW, NOW + timedelta(days=1), "U0LEGAL1")
    assert away.to_dict()["until"] == "2026-11-27T09:00:00Z"
    assert Away.from_dict(away.to_dict()) == away
    assert away.covers(NOW) and not away.covers(NOW + timedelta(days=1))
    assert away.until.tzinfo is not None and away.start.astimezone(UTC) == NOW
