"""The review use cases Slack needs besides recording a decision (services.review.decide):
checking a decision before a modal opens, a reviewer's pending reviews, the publishing
pause, status and queue, and which review requests are due a reminder. Nothing here speaks
Slack; the adapter passes in what it knows about people."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.errors import Forbidden, NotEligible
from chalicelib.domain.post import Post, Reviewer, Step, iso
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.status import Status
from chalicelib.services.ports import Context
from chalicelib.services.review import ReviewerDirectory, eligible_reviewers


class PauseStore(Protocol):
    def pause_state(self) -> dict[str, Any] | None: ...

    def pause(self, reason: str, by: str, at: datetime) -> None: ...

    def resume(self, by: str, at: datetime) -> dict[str, Any] | None: ...


def _eligible(ctx: Context, directory: ReviewerDirectory | None, step: str) -> frozenset[str]:
    try:
        return eligible_reviewers(ctx, directory, step)
    except KeyError:
        return frozenset()


def would_record(post: Post, ctx: Context, step: str, reviewer: Reviewer, decision: str,
                 content_hash: str, eligible: frozenset[str]) -> bool:
    """Whether the decision would be recorded now (False: it already is), on a copy of the
    post; raises NotEligible exactly as the real decision would. The placeholder comment
    lets the check pass the one rule the modal is still to satisfy."""
    trial = copy.deepcopy(post)
    return trial.decide(ctx.workflow, step, reviewer, decision, content_hash, "(comment follows)",
                        ctx.clock(), eligible)


def check_decision(ctx: Context, post_id: str, step: str, reviewer: Reviewer, decision: str,
                   content_hash: str, directory: ReviewerDirectory | None = None) -> tuple[Post, bool]:
    """Before asking for a comment: the post, and whether this decision would be taken
    (False: it already is). Raises NotEligible; changes nothing."""
    post = ctx.repo.get(post_id)
    return post, would_record(post, ctx, step, reviewer, decision, content_hash,
                              _eligible(ctx, directory, step))


def pending_reviews(ctx: Context, posts: list[Post], reviewer: Reviewer,
                    directory: ReviewerDirectory | None = None) -> list[tuple[Post, Step]]:
    """The open steps of these posts that this reviewer may approve now."""
    pending = []
    eligible_by_step: dict[str, frozenset[str]] = {}
    for post in posts:
        if post.status is not Status.IN_REVIEW:
            continue
        for step in post.open_steps(ctx.workflow):
            if step.name not in eligible_by_step:
                eligible_by_step[step.name] = _eligible(ctx, directory, step.name)
            if reviewer.slack_id not in eligible_by_step[step.name]:
                continue
            try:
                if would_record(post, ctx, step.name, reviewer, "approve", post.content_hash,
                                eligible_by_step[step.name]):
                    pending.append((post, step))
            except NotEligible:
                continue
    return pending


def is_admin(ctx: Context, user_id: str) -> bool:
    return user_id in ctx.workflow.admins


def pause(ctx: Context, store: PauseStore, user_id: str, reason: str) -> None:
    if not is_admin(ctx, user_id):
        raise Forbidden("admins_only")
    if not reason.strip():
        raise NotEligible("pause_needs_reason")
    store.pause(reason.strip()[:500], user_id, ctx.clock())


def resume(ctx: Context, store: PauseStore, user_id: str) -> dict[str, Any] | None:
    if not is_admin(ctx, user_id):
        raise Forbidden("admins_only")
    return store.resume(user_id, ctx.clock())


@dataclass(frozen=True)
class Reminder:
    post: Post
    step: Step
    ref_name: str
    ref: dict[str, Any]
    waited_hours: int


def ref_name(step: str) -> str:
    """Where the review request message of a step is remembered (repository refs)."""
    return f"slack:{step}"


def reminders_due(ctx: Context, post: Post, refs: dict[str, Any], now: datetime) -> list[Reminder]:
    """Open requests that waited longer than their step's remind_after_hours and were not
    reminded within the last such period."""
    due: list[Reminder] = []
    if post.status is not Status.IN_REVIEW:
        return due
    for step in post.open_steps(ctx.workflow):
        ref = refs.get(ref_name(step.name))
        if not ref or ref.get("state") != "open" or ref.get("content_hash") != post.content_hash:
            continue
        try:
            period = timedelta(hours=ctx.workflow.step(step.name).remind_after_hours)
        except KeyError:
            continue
        since = parse_time(step.requested_at or ref.get("requested_at"))
        if since is None or now - since < period:
            continue
        last = parse_time(ref.get("reminded_at"))
        if last is not None and now - last < period:
            continue
        due.append(Reminder(post, step, ref_name(step.name), ref,
                            int((now - since).total_seconds() // 3600)))
    return due


def reminded(ref: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**ref, "reminded_at": iso(now)}
