"""Reviewers' decisions: the one way a decision enters, whatever surface it came from."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.post import Post, Reviewer
from chalicelib.services.conflicts import until_saved
from chalicelib.services.ports import Context, ReviewerDirectory


def eligible_reviewers(ctx: Context, directory: ReviewerDirectory | None,
                       step_name: str) -> frozenset[str]:
    step = ctx.workflow.step(step_name)
    if step.reviewers is not None:
        return frozenset(step.reviewers)
    if directory is None or step.reviewer_group is None:
        return frozenset()
    return directory.group_members(step.reviewer_group)


@dataclass(frozen=True)
class DecisionOutcome:
    post: Post
    recorded: bool  # False: the same decision was already there (double click, retry)


def decide(ctx: Context, post_id: str, step: str, reviewer: Reviewer, decision: str,
           content_hash: str, comment: str = "",
           directory: ReviewerDirectory | None = None) -> DecisionOutcome:
    """Record a decision, or raise NotEligible and change nothing.

    Concurrent clicks race on the post's version; the loser re-reads and finds either its
    own decision already there (a repeat) or a new state to decide against.
    """
    try:
        eligible = eligible_reviewers(ctx, directory, step)
    except KeyError:
        eligible = frozenset()

    def record(post: Post) -> bool:
        return post.decide(ctx.workflow, step, reviewer, decision, content_hash, comment,
                           ctx.clock(), eligible)

    post, recorded = until_saved(ctx.repo, post_id, record)
    return DecisionOutcome(post, recorded)
