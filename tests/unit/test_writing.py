"""The writers' use cases against the in-memory repository: what is stored, which messages the
stored change recorded for Slack, and which errors refuse a request (storing nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import events as ev
from chalicelib.domain.errors import Conflict, InvalidContent, InvalidTransition, NotFound
from chalicelib.domain.post import iso
from chalicelib.domain.status import Status, StepStatus
from chalicelib.services import writing
from chalicelib.services.ports import Identity
from chalicelib.services.writing import ChannelInfo, Draft
from tests.fakes import Clock, FakeDirectory, MemoryPostRepository
from tests.fakes.builders import approved, context
from tests.unit.helpers import AUTHOR, BRAND, NOW, new_post, workflow

WANDA = Identity(AUTHOR, "Wanda Writer")
OTTO = Identity("otto.other@freigabe.example", "Otto Other")
TOMORROW = NOW + timedelta(days=1)
# 150 graphemes (a family of four each) in 3,750 bytes of UTF-8.
FAMILIES = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466" * 150


def event_types(repo: MemoryPostRepository, post_id: str = "p1") -> list[str]:
    return [e.type for e in repo.events[post_id]]


# -- create ------------------------------------------------------------------------------------


def test_create_and_submit_stores_the_post_in_review_and_requests_each_required_step() -> None:
    # GIVEN an empty repository
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    # WHEN Wanda submits a discount post for tomorrow
    post = writing.create(ctx, WANDA, Draft("50% Rabatt", ["outbox"], title="Advent",
                                            publish_at=TOMORROW))
    # THEN it is stored in review, with both steps asked for this content
    stored = repo.get("p1")
    assert (post.id, stored.status, stored.version) == ("p1", Status.IN_REVIEW, 1)
    assert (stored.author, stored.author_name) == (AUTHOR, "Wanda Writer")
    assert stored.content.title == "Advent" and stored.publish_at == TOMORROW
    assert {s.name: s.status for s in stored.steps} == {"legal": StepStatus.PENDING,
                                                        "brand": StepStatus.PENDING}
    assert repo.sent(ev.ReviewRequested) == [ev.ReviewRequested("p1", "legal", stored.content_hash),
                                             ev.ReviewRequested("p1", "brand", stored.content_hash)]
    assert event_types(repo) == ["created", "submitted", "in_review"]


def test_create_without_submit_stores_a_draft_and_asks_nobody() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]), submit=False)
    assert repo.get("p1").status is Status.DRAFT
    assert repo.outbox == []
    assert event_types(repo) == ["created"]


@pytest.mark.parametrize(("draft", "key", "params"), [
    (Draft("Hallo", []), "no_channels", {}),
    (Draft("Hallo", ["outbox", "myspace"]), "unknown_channel", {"channel": "myspace"}),
    (Draft("Hallo", ["outbox", "outbox"]), "duplicate_channel", {}),
    (Draft("Hallo", ["outbox"], variants={"x": "Kurz"}), "variant_without_channel", {"channel": "x"}),
    (Draft(" \n\t", ["outbox"]), "empty_text", {}),
    (Draft("Hallo", ["outbox"], title="T" * 201), "title_too_long", {"limit": 200}),
])
def test_create_refuses_content_no_network_could_take_and_stores_nothing(
        draft: Draft, key: str, params: dict[str, object]) -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    with pytest.raises(InvalidContent) as refused:
        writing.create(ctx, WANDA, draft)
    assert refused.value.key == key
    assert params.items() <= refused.value.params.items()
    assert repo.documents == {} and repo.outbox == []


@pytest.mark.parametrize(("channel", "limit"), [
    ("x", 280), ("mastodon", 500), ("bluesky", 300), ("linkedin", 3000),
])
def test_each_network_counts_against_its_own_limit(channel: str, limit: int) -> None:
    # GIVEN a text one character over the network's limit
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    # WHEN it is posted to that network, THEN it is refused with the count and the limit
    with pytest.raises(InvalidContent) as refused:
        writing.create(ctx, WANDA, Draft("a" * (limit + 1), [channel]))
    assert refused.value.key == "too_long"
    assert refused.value.params == {"channel": channel, "count": limit + 1, "limit": limit}
    # AND the same text at the limit, or on a channel without one, is taken
    writing.create(ctx, WANDA, Draft("a" * limit, [channel]))
    writing.create(ctx, WANDA, Draft("a" * (limit + 1), ["outbox"]))
    assert sorted(repo.documents) == ["p1", "p2"]


def test_a_channels_variant_is_what_counts_for_that_channel() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    with pytest.raises(InvalidContent) as refused:
        writing.create(ctx, WANDA, Draft("Kurz", ["outbox", "x"], variants={"x": "a" * 281}))
    assert refused.value.params["channel"] == "x"
    assert repo.documents == {}


def test_bluesky_refuses_more_than_3000_bytes_however_few_graphemes() -> None:
    # GIVEN 150 graphemes in 3,750 bytes: under Bluesky's 300 graphemes, over its 3,000 bytes
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    # WHEN posted to Bluesky, THEN refused for its bytes
    with pytest.raises(InvalidContent) as refused:
        writing.create(ctx, WANDA, Draft(FAMILIES, ["bluesky"]))
    assert refused.value.key == "too_many_bytes"
    assert refused.value.params == {"channel": "bluesky", "count": 3750, "limit": 3000}
    assert repo.documents == {}
    # AND Mastodon, which counts only graphemes, takes it
    assert writing.create(ctx, WANDA, Draft(FAMILIES, ["mastodon"])).status is Status.IN_REVIEW


def test_a_publish_time_in_the_past_is_refused_beyond_a_minutes_tolerance() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    with pytest.raises(InvalidContent) as refused:
        writing.create(ctx, WANDA, Draft("Hallo", ["outbox"], publish_at=NOW - timedelta(minutes=2)))
    assert refused.value.key == "publish_at_in_past"
    assert repo.documents == {}
    # A form sent "now" a few seconds ago is still taken.
    writing.create(ctx, WANDA, Draft("Hallo", ["outbox"], publish_at=NOW - timedelta(seconds=30)))
    assert list(repo.documents) == ["p1"]


def test_a_publish_time_more_than_two_years_ahead_is_refused_on_create_and_edit() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    far = NOW + timedelta(days=2 * 366)
    with pytest.raises(InvalidContent) as refused:
        writing.create(ctx, WANDA, Draft("Hallo", ["outbox"], publish_at=far))
    assert (refused.value.key, refused.value.params) == ("publish_at_too_far", {"years": 2})
    assert repo.documents == {}
    post = writing.create(ctx, WANDA, Draft("Hallo", ["outbox"], publish_at=NOW + timedelta(days=700)))
    with pytest.raises(InvalidContent) as refused:
        writing.edit(ctx, WANDA, post.id, post.version, {"publish_at": far})
    assert refused.value.key == "publish_at_too_far"
    assert repo.get(post.id).version == post.version


# -- edit --------------------------------------------------------------------------------------


def test_an_edit_of_a_stale_version_is_a_conflict_and_changes_nothing() -> None:
    # GIVEN a post in review (version 1) that Wanda edited once (version 2)
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]))
    writing.edit(ctx, WANDA, "p1", 1, {"text": "Hallo Welt!"})
    before = repo.documents["p1"]
    # WHEN a second tab still on version 1 saves
    with pytest.raises(Conflict) as refused:
        writing.edit(ctx, WANDA, "p1", 1, {"text": "Hallo Erde"})
    # THEN it is told the current version, and nothing changed
    assert (refused.value.key, refused.value.params) == ("stale_version", {"current": 2})
    assert repo.documents["p1"] == before


def test_changing_the_content_of_an_approved_post_voids_approvals_and_asks_again() -> None:
    # GIVEN a scheduled post, approved by brand
    repo = MemoryPostRepository()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    old = approved(repo, ctx.workflow, new_post("Hallo Welt", publish_at=TOMORROW), NOW)
    assert old.status is Status.SCHEDULED
    repo.outbox.clear()
    # WHEN Wanda changes its text an hour later
    clock.advance(hours=1)
    post = writing.edit(ctx, WANDA, "p1", old.version, {"text": "Hallo Welt, neu"})
    # THEN it is back in review without approvals, and brand is asked about the new content
    stored = repo.get("p1")
    assert post.version == stored.version == old.version + 1
    assert stored.status is Status.IN_REVIEW and stored.due_at is None
    brand = stored.step("brand")
    assert (brand.status, brand.approvals) == (StepStatus.PENDING, [])
    assert repo.sent(ev.ReviewRequested) == [ev.ReviewRequested("p1", "brand", stored.content_hash)]
    assert stored.content_hash != old.content_hash
    assert event_types(repo)[-3:] == ["edited", "approvals_voided", "in_review"]


def test_moving_only_the_publish_time_keeps_the_approvals() -> None:
    # GIVEN a scheduled post, approved by brand
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    old = approved(repo, ctx.workflow, new_post("Hallo Welt", publish_at=TOMORROW), NOW)
    repo.outbox.clear()
    # WHEN Wanda moves it a day later
    later = TOMORROW + timedelta(days=1)
    writing.edit(ctx, WANDA, "p1", old.version, {"publish_at": later})
    # THEN it stays scheduled with brand's approval, due at the new time, and nobody is asked
    stored = repo.get("p1")
    assert stored.status is Status.SCHEDULED and stored.due_at == iso(later)
    assert [a.reviewer_id for a in stored.step("brand").approvals] == [BRAND.slack_id]
    assert repo.outbox == []
    assert event_types(repo)[-1] == "rescheduled"


def test_an_edit_that_changes_nothing_stores_nothing() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"], publish_at=TOMORROW))
    repo.outbox.clear()
    post = writing.edit(ctx, WANDA, "p1", 1, {"text": "Hallo Welt", "publish_at": TOMORROW})
    assert post.version == repo.get("p1").version == 1
    assert repo.outbox == []


def test_an_old_publish_time_left_as_it_is_does_not_stop_an_edit() -> None:
    # GIVEN a draft for 10:00 and a clock at 12:00
    repo = MemoryPostRepository()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    writing.create(ctx, WANDA, Draft("Hallo", ["outbox"], publish_at=NOW + timedelta(hours=1)),
                   submit=False)
    clock.advance(hours=3)
    # WHEN only the text changes, THEN the edit is stored
    writing.edit(ctx, WANDA, "p1", 1, {"text": "Hallo Welt"})
    assert repo.get("p1").content.text == "Hallo Welt"
    # AND moving it to another past time is refused
    with pytest.raises(InvalidContent) as refused:
        writing.edit(ctx, WANDA, "p1", 2, {"publish_at": NOW + timedelta(hours=2)})
    assert refused.value.key == "publish_at_in_past"


# -- submit, withdraw --------------------------------------------------------------------------


def test_submitting_a_draft_starts_its_review() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox", "x"]), submit=False)
    post = writing.submit(ctx, WANDA, "p1")
    assert repo.get("p1").status is Status.IN_REVIEW and post.version == 2
    assert [m.step for m in repo.sent(ev.ReviewRequested)] == ["legal", "brand"]  # x needs legal


def test_a_post_in_review_cannot_be_submitted_again() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]))
    before = repo.documents["p1"]
    with pytest.raises(InvalidTransition):
        writing.submit(ctx, WANDA, "p1")
    assert repo.documents["p1"] == before


def test_a_draft_whose_time_has_passed_is_not_submitted() -> None:
    repo = MemoryPostRepository()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    writing.create(ctx, WANDA, Draft("Hallo", ["outbox"], publish_at=NOW + timedelta(hours=1)),
                   submit=False)
    clock.advance(hours=2)
    with pytest.raises(InvalidContent) as refused:
        writing.submit(ctx, WANDA, "p1")
    assert refused.value.key == "publish_at_in_past"
    assert repo.get("p1").status is Status.DRAFT


def test_withdrawing_a_post_in_review_closes_its_open_requests() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("50% Rabatt", ["outbox"]))
    repo.outbox.clear()
    writing.withdraw(ctx, WANDA, "p1")
    assert repo.get("p1").status is Status.WITHDRAWN
    assert repo.sent(ev.ReviewVoided) == [ev.ReviewVoided("p1", "legal", "withdrawn"),
                                          ev.ReviewVoided("p1", "brand", "withdrawn")]


# -- who the author is in Slack ----------------------------------------------------------------


class SlackDown(FakeDirectory):
    def user_for_email(self, email: str) -> str | None:
        raise TimeoutError("slack.com did not answer")


def test_submitting_binds_the_post_to_the_author_s_slack_account() -> None:
    # Issue item 2: the author check must not rest on a profile email alone.
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    people = FakeDirectory(users={AUTHOR: "U0WANDA"})
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]), people=people)
    assert repo.get("p1").author_slack_id == "U0WANDA"
    # A draft is bound when it is submitted, not before.
    writing.create(ctx, WANDA, Draft("Entwurf", ["outbox"]), submit=False, people=people)
    assert repo.get("p2").author_slack_id is None
    writing.submit(ctx, WANDA, "p2", people=people)
    assert repo.get("p2").author_slack_id == "U0WANDA"


@pytest.mark.parametrize("people", [None, FakeDirectory(), SlackDown()],
                         ids=["slack_not_configured", "nobody_with_that_email", "slack_down"])
def test_a_submission_never_fails_for_want_of_the_author_s_slack_account(
        people: FakeDirectory | None, caplog: pytest.LogCaptureFixture) -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]), people=people)
    stored = repo.get("p1")
    assert stored.status is Status.IN_REVIEW and stored.author_slack_id is None
    if isinstance(people, SlackDown):
        assert "TimeoutError" in caplog.text and "Hallo Welt" not in caplog.text


def test_a_resubmission_keeps_the_slack_account_found_before_when_slack_is_down() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]),
                   people=FakeDirectory(users={AUTHOR: "U0WANDA"}))
    post = repo.get("p1")
    post.decide(workflow(), "brand", BRAND, "request_changes", post.content_hash, "Bitte kürzer",
                NOW, frozenset({BRAND.slack_id}))
    repo.save(post)
    writing.submit(ctx, WANDA, "p1", people=SlackDown())
    assert repo.get("p1").author_slack_id == "U0WANDA"


# -- someone else's posts ----------------------------------------------------------------------


def test_another_writer_cannot_see_or_change_a_post_it_is_not_found() -> None:
    # GIVEN Wanda's post in review
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]))
    before = repo.documents["p1"]
    # WHEN Otto reads, edits, submits or withdraws it, THEN it is not found, and unchanged
    attempts = [
        lambda: writing.read(ctx, OTTO, "p1"),
        lambda: writing.edit(ctx, OTTO, "p1", 1, {"text": "Otto war hier"}),
        lambda: writing.submit(ctx, OTTO, "p1"),
        lambda: writing.withdraw(ctx, OTTO, "p1"),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound) as refused:
            attempt()
        assert refused.value.key == "post_not_found"
    assert repo.documents["p1"] == before


def test_read_gives_the_post_and_its_timeline_to_its_author_whatever_the_case_of_the_address() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, WANDA, Draft("Hallo Welt", ["outbox"]))
    post, timeline = writing.read(ctx, Identity(AUTHOR.upper(), "Wanda"), "p1")
    assert post.id == "p1"
    assert [e.type for e in timeline] == ["created", "submitted", "in_review"]


def test_mine_lists_only_the_callers_posts_newest_first() -> None:
    repo = MemoryPostRepository()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    writing.create(ctx, WANDA, Draft("Erster", ["outbox"]))
    clock.advance(minutes=1)
    writing.create(ctx, OTTO, Draft("Ottos", ["outbox"]))
    clock.advance(minutes=1)
    writing.create(ctx, WANDA, Draft("Zweiter", ["outbox"]), submit=False)
    assert [p.id for p in writing.mine(ctx, WANDA, None)] == ["p3", "p1"]
    assert [p.id for p in writing.mine(ctx, WANDA, "draft")] == ["p3"]
    assert [p.id for p in writing.mine(ctx, OTTO, None)] == ["p2"]


def test_authorship_is_the_sign_in_subject_and_the_email_only_for_older_posts() -> None:
    # Issue item 3: in Cognito mode the subject is the immutable sub, the email may change.
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    wanda = Identity(AUTHOR, "Wanda Writer", subject="sub-wanda")
    writing.create(ctx, wanda, Draft("Hallo Welt", ["outbox"]))
    stored = repo.get("p1")
    assert (stored.author, stored.author_id) == (AUTHOR, "sub-wanda")
    renamed = Identity("wanda@freigabe.example", "Wanda Writer", subject="sub-wanda")
    assert [p.id for p in writing.mine(ctx, renamed, None)] == ["p1"]
    assert writing.read(ctx, renamed, "p1")[0].id == "p1"
    impostor = Identity(AUTHOR, "Wanda Writer", subject="sub-someone-else")
    assert writing.mine(ctx, impostor, None) == []
    with pytest.raises(NotFound):
        writing.withdraw(ctx, impostor, "p1")
    # A post stored before authors had a subject belongs to its email (the dev sign-in's subject)
    del repo.documents["p1"]["author_id"]
    assert repo.get("p1").author_id == AUTHOR
    assert [p.id for p in writing.mine(ctx, WANDA, None)] == ["p1"]
    assert writing.read(ctx, WANDA, "p1")[0].id == "p1"


# -- calendar, channels ------------------------------------------------------------------------


def test_the_calendar_shows_others_posts_only_once_approved() -> None:
    # GIVEN Otto's post in review and his approved one, and Wanda's draft, all tomorrow
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    writing.create(ctx, OTTO, Draft("Ottos Entwurf", ["outbox"], publish_at=TOMORROW))
    writing.create(ctx, OTTO, Draft("Ottos Freigabe", ["outbox"], publish_at=TOMORROW), submit=False)
    approved(repo, ctx.workflow, repo.get("p2"), NOW)
    writing.create(ctx, WANDA, Draft("Wandas", ["outbox"], publish_at=TOMORROW + timedelta(hours=1)),
                   submit=False)
    # WHEN each looks at the week
    week = (NOW, NOW + timedelta(days=7))
    # THEN each sees their own unapproved work and every approved post
    assert [p.id for p in writing.calendar(ctx, WANDA, *week)] == ["p2", "p3"]
    assert [p.id for p in writing.calendar(ctx, OTTO, *week)] == ["p1", "p2"]


@pytest.mark.parametrize(("days", "key"), [(-1, "range_reversed"), (94, "range_too_long")])
def test_the_calendar_refuses_reversed_and_overlong_ranges(days: int, key: str) -> None:
    ctx = context(MemoryPostRepository(), workflow(), Clock(NOW))
    with pytest.raises(InvalidContent) as refused:
        writing.calendar(ctx, WANDA, NOW, NOW + timedelta(days=days))
    assert refused.value.key == key
    assert writing.calendar(ctx, WANDA, NOW, NOW + timedelta(days=93)) == []


@pytest.mark.parametrize("start", [
    NOW.replace(year=1999), NOW.replace(year=2101),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 12, tzinfo=timezone(timedelta(hours=-12))),
])
def test_the_calendar_refuses_bounds_outside_2000_to_2100(start: datetime) -> None:
    ctx = context(MemoryPostRepository(), workflow(), Clock(NOW))
    with pytest.raises(InvalidContent) as refused:
        writing.calendar(ctx, WANDA, start, start + timedelta(hours=1))
    assert refused.value.key == "range_out_of_bounds"


def test_channels_lists_each_channel_with_its_network_and_limit() -> None:
    ctx = context(MemoryPostRepository(), workflow(), Clock(NOW))
    assert writing.channels(ctx) == [
        ChannelInfo("outbox", "outbox", None),
        ChannelInfo("hooks", "webhook", None),
        ChannelInfo("x", "x", 280),
        ChannelInfo("mastodon", "mastodon", 500),
        ChannelInfo("bluesky", "bluesky", 300),
        ChannelInfo("linkedin", "linkedin", 3000),
    ]
