"""Builders for the use-case tests: a Context over the in-memory fakes, and posts stored in the
state a test starts from. The workflow and the moment come from the test (tests/unit/helpers.py
has the test workflow file's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import count

from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.status import Status
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import Context, PostRepository


def context(repo: PostRepository, workflow: Workflow, clock: Callable[[], datetime]) -> Context:
    """What the writers' and reviewers' use cases are handed; new posts are p1, p2, ..."""
    ids = (f"p{n}" for n in count(1))
    return Context(repo, workflow, clock, lambda: next(ids))


def submitted(repo: PostRepository, workflow: Workflow, post: Post, now: datetime) -> Post:
    """The post submitted by its author and stored; returns the stored post."""
    post.submit(workflow, post.author, now)
    repo.save(post)
    return repo.get(post.id)


def approved(repo: PostRepository, workflow: Workflow, post: Post, now: datetime) -> Post:
    """The post submitted and approved by the first listed reviewers of every required step,
    step after step, then stored: scheduled. Returns the stored post."""
    post.submit(workflow, post.author, now)
    while post.status is Status.IN_REVIEW:
        for step in post.open_steps(workflow):
            rule = workflow.step(step.name)
            reviewers = rule.reviewers or ()
            if not reviewers:
                raise ValueError(f"step {step.name} has a reviewer group: approve it in the test")
            for reviewer in reviewers[:rule.approvals_required]:
                post.decide(workflow, step.name, Reviewer(reviewer, None), "approve",
                            post.content_hash, "", now, frozenset(reviewers))
    repo.save(post)
    return repo.get(post.id)
