"""Reviewers' decisions against the in-memory repository: what a decision stores and announces,
that a repeat and every refusal store nothing, reviewer groups, and a lost race retried."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.config import parse_config
from chalicelib.domain import events as ev
from chalicelib.domain.errors import Conflict, NotEligible
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.status import Status, StepStatus
from chalicelib.domain.workflow import Workflow
from chalicelib.services import review
from tests.fakes import Clock, FakeDirectory, MemoryPostRepository
from tests.fakes.builders import context, submitted
from tests.unit.helpers import (
    BRAND,
    LEGAL1,
    LEGAL2,
    NOW,
    content,
    eligible,
    new_post,
    workflow,
    workflow_file,
)

GROUPIE = Reviewer("U0GROUPIE", "groupie@freigabe.example")


def in_review(repo: MemoryPostRepository, wf: Workflow, text: str = "50% Rabatt") -> Post:
    """A post of Wanda's in review (the discount asks legal and brand); nothing announced yet."""
    post = submitted(repo, wf, new_post(text), NOW)
    repo.outbox.clear()
    return post


def group_workflow() -> Workflow:
    """The test workflow with legal reviewed by the members of a Slack user group."""
    data = workflow_file()
    legal = {key: value for key, value in data["steps"][0].items() if key != "reviewers"}
    data["steps"] = [{**legal, "reviewer_group": "S0LEGAL"}, *data["steps"][1:]]
    return parse_config(data).workflow


def refused(decide: Callable[[], object]) -> NotEligible:
    """The refusal a decision raised."""
    with pytest.raises(NotEligible) as refusal:
        decide()
    return refusal.value


def test_the_last_required_approval_records_the_decision_and_schedules_the_post() -> None:
    # GIVEN a discount post in review, already approved by legal
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = in_review(repo, ctx.workflow)
    first = review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    assert first.recorded and first.post.status is Status.IN_REVIEW
    # WHEN brand approves the same content
    outcome = review.decide(ctx, "p1", "brand", BRAND, "approve", post.content_hash)
    # THEN both decisions are stored and the post is scheduled
    stored = repo.get("p1")
    assert outcome.recorded and outcome.post.version == stored.version == 3
    assert stored.status is Status.SCHEDULED
    assert {s.name: s.status for s in stored.steps} == {"legal": StepStatus.APPROVED,
                                                        "brand": StepStatus.APPROVED}
    assert repo.sent(ev.DecisionRecorded) == [
        ev.DecisionRecorded("p1", "legal", "approve", LEGAL1.slack_id, ""),
        ev.DecisionRecorded("p1", "brand", "approve", BRAND.slack_id, ""),
    ]
    assert repo.sent(ev.PostScheduled) == [ev.PostScheduled("p1", None)]


def test_a_repeated_click_is_not_recorded_again_and_stores_nothing() -> None:
    # GIVEN legal's approval, recorded
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = in_review(repo, ctx.workflow)
    review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    before, sent, events = repo.documents["p1"], list(repo.outbox), list(repo.events["p1"])
    # WHEN Slack delivers the same click again
    outcome = review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    # THEN it is answered as a repeat, and nothing new is stored or announced
    assert outcome.recorded is False
    assert outcome.post.step("legal").status is StepStatus.APPROVED
    assert repo.documents["p1"] == before
    assert repo.outbox == sent and repo.events["p1"] == events


def test_the_author_cannot_approve_their_own_post() -> None:
    # GIVEN a post written by a legal reviewer
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = new_post("50% Rabatt")
    post.author = LEGAL1.email or ""
    post = submitted(repo, ctx.workflow, post, NOW)
    before = repo.documents["p1"]
    # WHEN they approve it, THEN that is refused and nothing changes
    refusal = refused(lambda: review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash))
    assert refusal.key == "own_post"
    assert repo.documents["p1"] == before
    # AND the other legal reviewer may
    assert review.decide(ctx, "p1", "legal", LEGAL2, "approve", post.content_hash).recorded


@pytest.mark.parametrize(("step", "reviewer", "decision", "comment", "key"), [
    ("legal", BRAND, "approve", "", "not_a_reviewer"),
    ("brand", LEGAL1, "reject", "Nein", "not_a_reviewer"),
    ("legal", LEGAL1, "request_changes", "", "comment_required"),
    ("legal", LEGAL1, "reject", "  ", "comment_required"),
    ("legal", LEGAL1, "shrug", "", "unknown_decision"),
    ("marketing", LEGAL1, "approve", "", "unknown_step"),
])
def test_a_refused_decision_stores_and_announces_nothing(step: str, reviewer: Reviewer, decision: str,
                                                        comment: str, key: str) -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = in_review(repo, ctx.workflow)
    before = repo.documents["p1"]
    refusal = refused(lambda: review.decide(ctx, "p1", step, reviewer, decision, post.content_hash,
                                            comment))
    assert refusal.key == key
    assert repo.documents["p1"] == before and repo.outbox == []


def test_a_decision_on_content_that_has_since_changed_is_refused() -> None:
    # GIVEN the request legal saw, and an edit after it
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    seen = in_review(repo, ctx.workflow).content_hash
    post = repo.get("p1")
    post.edit(ctx.workflow, post.author, NOW, content("60% Rabatt"), None)
    repo.save(post)
    before = repo.documents["p1"]
    # WHEN legal approves what it saw, THEN it is refused as stale
    assert refused(lambda: review.decide(ctx, "p1", "legal", LEGAL1, "approve", seen)).key == \
        "stale_content"
    assert repo.documents["p1"] == before


def test_request_changes_with_a_comment_returns_the_post_and_closes_the_other_request() -> None:
    repo = MemoryPostRepository()
    ctx = context(repo, workflow(), Clock(NOW))
    post = in_review(repo, ctx.workflow)
    outcome = review.decide(ctx, "p1", "legal", LEGAL1, "request_changes", post.content_hash,
                            "Bitte ohne Prozent")
    stored = repo.get("p1")
    assert outcome.recorded and stored.status is Status.CHANGES_REQUESTED
    assert (stored.step("legal").status, stored.step("legal").comment) == (
        StepStatus.CHANGES_REQUESTED, "Bitte ohne Prozent")
    assert repo.sent(ev.DecisionRecorded) == [ev.DecisionRecorded(
        "p1", "legal", "request_changes", LEGAL1.slack_id, "Bitte ohne Prozent")]
    assert repo.sent(ev.ReviewVoided) == [ev.ReviewVoided("p1", "brand", "request_changes")]


def test_a_reviewer_group_is_asked_through_the_directory() -> None:
    # GIVEN legal reviewed by the members of S0LEGAL, of whom GROUPIE is one
    repo = MemoryPostRepository()
    ctx = context(repo, group_workflow(), Clock(NOW))
    post = in_review(repo, ctx.workflow)
    directory = FakeDirectory(groups={"S0LEGAL": {GROUPIE.slack_id}})
    # WHEN someone outside the group, or anyone without a directory, approves: refused
    assert refused(lambda: review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash,
                                         directory=directory)).key == "not_a_reviewer"
    assert refused(lambda: review.decide(ctx, "p1", "legal", GROUPIE, "approve",
                                         post.content_hash)).key == "not_a_reviewer"
    assert repo.outbox == []
    # WHEN the member approves with the directory, THEN it is recorded
    outcome = review.decide(ctx, "p1", "legal", GROUPIE, "approve", post.content_hash,
                            directory=directory)
    assert outcome.recorded
    assert [a.reviewer_id for a in repo.get("p1").step("legal").approvals] == [GROUPIE.slack_id]
    assert review.eligible_reviewers(ctx, directory, "legal") == {GROUPIE.slack_id}
    assert review.eligible_reviewers(ctx, None, "legal") == frozenset()


class RivalSavesFirst(MemoryPostRepository):
    """Between a reviewer's read and save, a rival's change of the same post is stored first,
    so the reviewer's save loses on the version, as DynamoDB's conditional write would."""

    def __init__(self) -> None:
        super().__init__()
        self.rival: Callable[[Post], object] | None = None

    def save(self, post: Post, *, unless_paused: bool = False) -> None:
        if self.rival is not None:
            rival, self.rival = self.rival, None
            theirs = self.get(post.id)
            rival(theirs)
            super().save(theirs)
        super().save(post, unless_paused=unless_paused)


def test_a_decision_that_loses_a_race_is_applied_to_what_was_stored_first() -> None:
    # GIVEN a post in review, and brand's approval landing just before legal's
    repo = RivalSavesFirst()
    ctx = context(repo, workflow(), Clock(NOW))
    post = in_review(repo, ctx.workflow)
    repo.rival = lambda theirs: theirs.decide(ctx.workflow, "brand", BRAND, "approve",
                                              theirs.content_hash, "", NOW,
                                              eligible(ctx.workflow, "brand"))
    # WHEN legal approves
    outcome = review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    # THEN legal's approval is stored on top of brand's, and the post is scheduled once
    stored = repo.get("p1")
    assert outcome.recorded and stored.status is Status.SCHEDULED and stored.version == 3
    assert [m.step for m in repo.sent(ev.DecisionRecorded)] == ["brand", "legal"]
    assert len(repo.sent(ev.PostScheduled)) == 1


class AlwaysBusy(MemoryPostRepository):
    """Every save loses a race."""

    def save(self, post: Post, *, unless_paused: bool = False) -> None:
        if post.version > 0:
            raise Conflict("conflict", post=post.id)
        super().save(post, unless_paused=unless_paused)


def test_a_decision_that_loses_every_race_gives_up_busy_and_stores_nothing() -> None:
    repo = AlwaysBusy()
    ctx = context(repo, workflow(), Clock(NOW))
    post = in_review(repo, ctx.workflow)
    with pytest.raises(Conflict) as busy:
        review.decide(ctx, "p1", "legal", LEGAL1, "approve", post.content_hash)
    assert busy.value.key == "busy"
    assert repo.get("p1").step("legal").approvals == [] and repo.outbox == []
