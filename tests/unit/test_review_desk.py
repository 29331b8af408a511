"""A reviewer's desk against the in-memory fakes: checking a decision before its comment modal
opens (storing nothing), what a reviewer may approve now, reminders of requests that waited too
long, and the team's status and upcoming queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pytest

from chalicelib.config import parse_config
from chalicelib.domain.errors import NotEligible
from chalicelib.domain.post import Post, Reviewer, iso
from chalicelib.domain.status import Status
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.services import review, review_desk
from chalicelib.services.ports import Context, Refs
from chalicelib.services.review_desk import request_ref
from tests.fakes import Clock, FakeControlStore, FakeDirectory, FakeReviewRequests, MemoryPostRepository
from tests.fakes.builders import approved, context, submitted
from tests.unit.helpers import BRAND, LEGAL1, LEGAL2, NOW, new_post, workflow, workflow_file


def posted_request(repo: MemoryPostRepository, post: Post, step: str, state: str = "open") -> None:
    """The reference the Slack notifier stores once it posted a step's review request."""
    repo.save_ref(post.id, request_ref(step), {
        "channel": "C0" + step.upper(), "ts": f"{len(repo.stored_refs) + 1}.000",
        "content_hash": post.content_hash, "state": state,
        "requested_at": post.step(step).requested_at, "reminded_at": None})


# -- check_decision ----------------------------------------------------------------------------


def test_checking_a_decision_tells_whether_it_would_be_taken_and_stores_nothing() -> None:
    # GIVEN a discount post in review
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = submitted(repo, ctx.workflow, new_post("50% Rabatt"), NOW)
    before, sent = repo.documents["p1"], list(repo.outbox)
    # WHEN legal is about to request changes (the comment is still to come)
    checked, would = review_desk.check_decision(ctx, "p1", "legal", LEGAL1, "request_changes",
                                                post.content_hash)
    # THEN the decision would be taken, and nothing is stored or announced
    assert would is True and checked.id == "p1"
    assert repo.documents["p1"] == before and repo.outbox == sent
    # AND a refusal is raised as the decision itself would raise it
    with pytest.raises(NotEligible) as refused:
        review_desk.check_decision(ctx, "p1", "legal", BRAND, "reject", post.content_hash)
    assert refused.value.key == "not_a_reviewer"
    assert repo.documents["p1"] == before


def test_checking_a_decision_already_recorded_says_so() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = submitted(repo, ctx.workflow, new_post("50% Rabatt"), NOW)
    review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    version = repo.get("p1").version
    _, would = review_desk.check_decision(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    assert would is False and repo.get("p1").version == version


# -- pending reviews ---------------------------------------------------------------------------


def pending(ctx: Context, reviewer: Reviewer) -> list[tuple[str, str]]:
    return [(post.id, step.name) for post, step in review_desk.pending_for(ctx, reviewer)]


def test_a_reviewer_sees_the_open_steps_they_may_approve_now() -> None:
    # GIVEN a discount post (legal and brand), a plain one (brand), a draft, and a scheduled post
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    submitted(repo, ctx.workflow, new_post("50% Rabatt", post_id="p1"), NOW)
    submitted(repo, ctx.workflow, new_post("Hallo Welt", post_id="p2"), NOW)
    repo.save(new_post("50% Rabatt im Entwurf", post_id="p3"))
    approved(repo, ctx.workflow, new_post("Rabatt, freigegeben", post_id="p4"), NOW)
    # THEN legal sees the discount post; brand sees both posts in review
    assert pending(ctx, LEGAL1) == [("p1", "legal")]
    assert sorted(pending(ctx, BRAND)) == [("p1", "brand"), ("p2", "brand")]
    # AND once LEGAL1 approved, the step is closed for LEGAL2 too
    review.decide(ctx, "p1", "legal", LEGAL1, "approve", repo.get("p1").content_hash)
    assert pending(ctx, LEGAL1) == pending(ctx, LEGAL2) == []


def test_in_sequential_order_a_step_is_pending_only_once_the_steps_before_it_approved() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(review_order="sequential"), Clock(NOW))
    post = submitted(repo, ctx.workflow, new_post("50% Rabatt"), NOW)
    assert pending(ctx, BRAND) == []
    assert pending(ctx, LEGAL1) == [("p1", "legal")]
    review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    assert pending(ctx, BRAND) == [("p1", "brand")]


def test_an_author_is_not_asked_to_review_their_own_post() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = new_post("50% Rabatt")
    post.author = LEGAL1.email or ""
    submitted(repo, ctx.workflow, post, NOW)
    assert pending(ctx, LEGAL1) == []
    assert pending(ctx, LEGAL2) == [("p1", "legal")]


# -- reminders ---------------------------------------------------------------------------------


class CountingReads(MemoryPostRepository):
    """Counts the repository's reads of posts and references, to hold reminders to one batch."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.reads[name] = self.reads.get(name, 0) + 1

    def refs_of(self, post_ids: Iterable[str], names: Iterable[str]) -> dict[str, Refs]:
        self._count("refs_of")
        return super().refs_of(post_ids, names)

    def refs(self, post_id: str) -> Refs:
        self._count("refs")
        return super().refs(post_id)

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], Refs]:
        self._count("get_full")
        return super().get_full(post_id)

    def get(self, post_id: str) -> Post:
        self._count("get")
        return super().get(post_id)


def test_a_request_that_waited_too_long_is_reminded_once_per_period() -> None:
    # GIVEN a discount post whose legal and brand requests were posted at 10:00
    repo = MemoryPostRepository()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    post = submitted(repo, ctx.workflow, new_post("50% Rabatt"), NOW)
    posted_request(repo, post, "legal")
    posted_request(repo, post, "brand")
    requests = FakeReviewRequests()
    # WHEN reminders run before a day has passed, THEN nobody is reminded
    clock.advance(hours=23)
    assert review_desk.send_reminders(ctx, requests) == {"reminded": 0, "failed": 0}
    # WHEN they run after 25 hours, THEN both requests are reminded, and that is remembered
    clock.advance(hours=2)
    assert review_desk.send_reminders(ctx, requests) == {"reminded": 2, "failed": 0}
    assert requests.reminded_steps() == [("p1", "legal"), ("p1", "brand")]
    assert {r.waited_hours for r in requests.reminded} == {25}
    assert repo.refs("p1")[request_ref("legal")]["reminded_at"] == iso(clock.now)
    assert repo.refs("p1")[request_ref("legal")]["ts"] == "1.000"  # the rest of the ref is kept
    # AND not again within the next day, but after it
    clock.advance(hours=23)
    review_desk.send_reminders(ctx, requests)
    assert len(requests.reminded) == 2
    clock.advance(hours=1)
    review_desk.send_reminders(ctx, requests)
    assert requests.reminded_steps()[2:] == [("p1", "legal"), ("p1", "brand")]
    assert requests.reminded[-1].waited_hours == 49


def test_only_open_requests_for_the_current_content_are_reminded() -> None:
    # GIVEN three posts in review: one request never posted, one closed, one for older content
    repo = MemoryPostRepository()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    submitted(repo, ctx.workflow, new_post("Nie gepostet", post_id="p1"), NOW)
    closed = submitted(repo, ctx.workflow, new_post("Geschlossen", post_id="p2"), NOW)
    posted_request(repo, closed, "brand", state="voided")
    edited = submitted(repo, ctx.workflow, new_post("Alt", post_id="p3"), NOW)
    posted_request(repo, edited, "brand")
    repo.save_ref("p3", request_ref("brand"), {**repo.refs("p3")[request_ref("brand")],
                                               "content_hash": "0" * 64})
    requests = FakeReviewRequests()
    # WHEN two days passed, THEN nothing is reminded
    clock.advance(hours=48)
    assert review_desk.send_reminders(ctx, requests) == {"reminded": 0, "failed": 0}
    assert requests.reminded == []


def test_a_reminder_that_could_not_be_posted_is_tried_again_next_time() -> None:
    repo = MemoryPostRepository()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    post = submitted(repo, ctx.workflow, new_post("Hallo Welt"), NOW)
    posted_request(repo, post, "brand")
    requests = FakeReviewRequests()
    requests.unreachable.add("p1")
    clock.advance(hours=25)
    assert review_desk.send_reminders(ctx, requests) == {"reminded": 0, "failed": 1}
    assert repo.refs("p1")[request_ref("brand")]["reminded_at"] is None
    requests.unreachable.clear()
    clock.advance(minutes=5)
    assert review_desk.send_reminders(ctx, requests) == {"reminded": 1, "failed": 0}


def test_reminders_read_the_requests_of_every_post_in_one_batch() -> None:
    # GIVEN three posts in review, each with its brand request posted
    repo = CountingReads()
    clock = Clock(NOW)
    ctx = context(repo, workflow(), clock)
    for post_id in ("p1", "p2", "p3"):
        posted_request(repo, submitted(repo, ctx.workflow, new_post(post_id=post_id), NOW), "brand")
    # WHEN reminders run after a day
    clock.advance(hours=25)
    repo.reads.clear()
    counts = review_desk.send_reminders(ctx, FakeReviewRequests())
    # THEN all three are reminded after one batch read of their references, and no post is
    # read on its own
    assert counts == {"reminded": 3, "failed": 0}
    assert repo.reads == {"refs_of": 1}


# -- status and queue --------------------------------------------------------------------------


def test_team_status_counts_posts_by_status_and_shows_the_pause() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    control = FakeControlStore()
    submitted(repo, ctx.workflow, new_post(post_id="p1"), NOW)
    repo.save(new_post(post_id="p2"))
    approved(repo, ctx.workflow, new_post(post_id="p3"), NOW)
    status = review_desk.team_status(ctx, control)
    assert {s: n for s, n in status.counts.items() if n} == {"in_review": 1, "draft": 1,
                                                            "scheduled": 1}
    assert status.counts["published"] == 0 and status.pause is None
    control.pause("Wartung", "U0ADMIN", NOW)
    assert review_desk.team_status(ctx, control).pause == {"reason": "Wartung", "by": "U0ADMIN",
                                                          "at": NOW.isoformat()}


def test_upcoming_lists_the_next_ten_scheduled_posts_soonest_first() -> None:
    # GIVEN twelve scheduled posts an hour apart, given in a shuffled order, and one in review
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    for hour in (5, 1, 12, 3, 7, 2, 9, 11, 4, 6, 10, 8):
        approved(repo, ctx.workflow, new_post(post_id=f"h{hour:02d}",
                                              publish_at=NOW + timedelta(hours=hour)), NOW)
    submitted(repo, ctx.workflow, new_post(post_id="review", publish_at=NOW + timedelta(minutes=5)),
              NOW)
    # THEN the queue shows the ten soonest, in order
    assert [p.id for p in review_desk.upcoming(ctx)] == [f"h{hour:02d}" for hour in range(1, 11)]
    assert {p.status for p in review_desk.upcoming(ctx)} == {Status.SCHEDULED}


def test_only_admins_and_reviewers_may_see_the_queue() -> None:
    # GIVEN the test workflow: legal named U0LEGAL1/2, brand named U0BRAND1, admin U0ADMIN
    ctx = context(MemoryPostRepository(), workflow(), Clock(NOW))
    # THEN admins and every named reviewer may, anyone else may not
    for user in ("U0ADMIN", LEGAL1.slack_id, LEGAL2.slack_id, BRAND.slack_id):
        assert review_desk.may_see_queue(ctx, user, None), user
    assert not review_desk.may_see_queue(ctx, "U0WRITER", None)
    assert not review_desk.may_see_queue(ctx, "", None)


class NoGroups(FakeDirectory):
    def group_members(self, group_id: str) -> frozenset[str]:
        raise RuntimeError("this workspace's plan has no user groups")


def test_members_of_a_reviewer_group_may_see_the_queue_through_the_directory() -> None:
    # GIVEN legal reviewed by the members of S0LEGAL
    data = workflow_file()
    legal = {key: value for key, value in data["steps"][0].items() if key != "reviewers"}
    data["steps"] = [{**legal, "reviewer_group": "S0LEGAL"}, *data["steps"][1:]]
    ctx = context(MemoryPostRepository(), parse_config(data).workflow, Clock(NOW))
    directory = FakeDirectory(groups={"S0LEGAL": {"U0GROUPIE"}})
    # THEN a member may; a former named reviewer no longer is one; without a directory, or
    # when groups cannot be read, nobody is a member
    assert review_desk.may_see_queue(ctx, "U0GROUPIE", directory)
    assert not review_desk.may_see_queue(ctx, LEGAL1.slack_id, directory)
    assert not review_desk.may_see_queue(ctx, "U0GROUPIE", None)
    assert not review_desk.may_see_queue(ctx, "U0GROUPIE", NoGroups())
    # the named brand reviewer and the admin still may, without asking the directory
    assert review_desk.may_see_queue(ctx, BRAND.slack_id, NoGroups())
    assert review_desk.may_see_queue(ctx, "U0ADMIN", NoGroups())
