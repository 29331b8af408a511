"""What a reviewer sees and is reminded of, whatever surface shows it: whether a decision
would be taken (before a comment modal opens), a reviewer's pending reviews, review requests due
a reminder, and the team's status and upcoming queue (who may see the queue: admins and
reviewers). Decisions themselves are recorded by
``review.decide``; the admins' switches live in ``admin``."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.errors import NotEligible
from chalicelib.domain.post import Post, Reviewer, Step, iso
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.status import Status
from chalicelib.domain.workflow import StepRule
from chalicelib.services import deputies
from chalicelib.services.conflicts import until_saved
from chalicelib.services.ports import Context, ControlStore, ReviewerDirectory
from chalicelib.services.review import eligible_reviewers

log = logging.getLogger("freigabe.review_desk")

# How many posts in review one look at the queue covers (App Home, reminders).
IN_REVIEW_LIMIT = 500
UPCOMING = 10


def _eligible(ctx: Context, directory: ReviewerDirectory | None, step: str,
              post: Post | None = None) -> frozenset[str]:
    try:
        return eligible_reviewers(ctx, directory, step, post)
    except KeyError:
        return frozenset()


def would_record(post: Post, ctx: Context, step: str, reviewer: Reviewer, decision: str,
                 content_hash: str, eligible: frozenset[str]) -> bool:
    """Whether the decision would be recorded now (False: it already is), on a copy of the
    post; raises NotEligible exactly as the real decision would. The placeholder comment
    lets the check pass the one rule the modal is still to satisfy."""
    trial = copy.deepcopy(post)
    flow = ctx.workflow_for(post)
    # Likewise a label and the required checklist items, which the modal asks for.
    try:
        rule = flow.step(step)
    except KeyError:
        rule = None
    return trial.decide(flow, step, reviewer, decision, content_hash, "(comment follows)",
                        ctx.clock(), eligible, labels=flow.reason_labels[:1],
                        checklist=rule.required_items() if rule is not None else ())


def check_decision(ctx: Context, post_id: str, step: str, reviewer: Reviewer, decision: str,
                   content_hash: str, directory: ReviewerDirectory | None = None) -> tuple[Post, bool]:
    """Before asking for a comment: the post, and whether this decision would be taken
    (False: it already is). Raises NotEligible; changes nothing."""
    post = ctx.repo.get(post_id)
    eligible, _ = deputies.widened(ctx, reviewer, _eligible(ctx, directory, step, post), post)
    return post, would_record(post, ctx, step, reviewer, decision, content_hash, eligible)


def pending_reviews(ctx: Context, posts: list[Post], reviewer: Reviewer,
                    directory: ReviewerDirectory | None = None) -> list[tuple[Post, Step]]:
    """The open steps of these posts that this reviewer may approve now."""
    pending = []
    eligible_by_step: dict[str, frozenset[str]] = {}
    # Whom this person stands in for now: their steps are theirs too (one query).
    absences = deputies.covering(ctx, reviewer.slack_id)
    for post in posts:
        if post.status is not Status.IN_REVIEW:
            continue
        for step in post.open_steps(ctx.workflow_for(post)):
            key = f"{post.brand}#{step.name}"  # step names may repeat across brands
            if key not in eligible_by_step:
                eligible_by_step[key] = _eligible(ctx, directory, step.name, post)
            eligible, _ = deputies.widened(ctx, reviewer, eligible_by_step[key], post,
                                           absences)
            if not reviewer.listed_in(eligible):
                continue
            try:
                if would_record(post, ctx, step.name, reviewer, "approve", post.content_hash,
                                eligible):
                    pending.append((post, step))
            except NotEligible:
                continue
    return pending


@dataclass(frozen=True)
class Reminder:
    post: Post
    step: Step
    ref: dict[str, Any]
    waited_hours: int


def request_ref(step: str) -> str:
    """Under which name the repository remembers where a step's review request lives."""
    return f"slack:{step}"


def reminders_due(ctx: Context, post: Post, refs: dict[str, Any], now: datetime) -> list[Reminder]:
    """Open requests that waited longer than their step's remind_after_hours and were not
    reminded within the last such period."""
    due: list[Reminder] = []
    if post.status is not Status.IN_REVIEW:
        return due
    for step in post.open_steps(ctx.workflow_for(post)):
        ref = refs.get(request_ref(step.name))
        if not ref or ref.get("state") != "open" or ref.get("content_hash") != post.content_hash:
            continue
        try:
            period = timedelta(hours=ctx.workflow_for(post).step(step.name).remind_after_hours)
        except KeyError:
            continue
        since = parse_time(step.requested_at or ref.get("requested_at"))
        if since is None or now - since < period:
            continue
        last = parse_time(ref.get("reminded_at"))
        if last is not None and now - last < period:
            continue
        due.append(Reminder(post, step, ref,
                            int((now - since).total_seconds() // 3600)))
    return due


class ReviewRequests(Protocol):
    """Where review requests live (Slack): reminding in a request's thread."""

    def remind(self, reminder: Reminder, rule: StepRule) -> bool:
        """Post the reminder; False when it could not be posted (it is tried next time)."""


def send_reminders(ctx: Context, requests: ReviewRequests) -> dict[str, int]:
    """Remind every open request that waited too long: one query for the posts in review and
    one batch read of their requests' refs, however many posts there are."""
    now = ctx.clock()
    posts = ctx.repo.by_status(Status.IN_REVIEW.value, limit=IN_REVIEW_LIMIT)
    names = sorted({request_ref(rule.name) for flow in ctx.organization.brands.values()
                    for rule in flow.steps})
    refs = ctx.repo.refs_of([p.id for p in posts], names) if posts else {}
    reminded = failed = 0
    for post in posts:
        for due in reminders_due(ctx, post, refs.get(post.id, {}), now):
            try:
                rule = ctx.workflow_for(post).step(due.step.name)
            except KeyError:
                continue
            if not requests.remind(due, rule):
                failed += 1
                continue
            ctx.repo.save_ref(post.id, request_ref(due.step.name), {**due.ref, "reminded_at": iso(now)})
            reminded += 1
    return {"reminded": reminded, "failed": failed}


def due_soon(ctx: Context, reviewer_slack_id: str, directory: ReviewerDirectory | None = None,
             team_id: str | None = None) -> list[tuple[Post, Step]]:
    """What needs this reviewer next, soonest deadline first (requests without one last, oldest
    request first among them)."""
    pending = pending_for(ctx, Reviewer(reviewer_slack_id, None, team_id), directory)
    return sorted(pending, key=lambda item: (item[1].due_at is None,
                                              parse_time(item[1].due_at) or datetime.max.replace(tzinfo=UTC),
                                              item[1].requested_at or ""))


def overdue(ctx: Context, posts: list[Post] | None = None) -> list[tuple[Post, Step]]:
    """Open review requests past their due time, longest overdue first (App Home, the web
    page)."""
    now = ctx.clock()
    if posts is None:
        posts = ctx.repo.by_status(Status.IN_REVIEW.value, limit=IN_REVIEW_LIMIT)
    late = [(post, step) for post in posts if post.status is Status.IN_REVIEW
            for step in post.open_steps(ctx.workflow_for(post)) if step.is_overdue(now)]
    return sorted(late, key=lambda item: (parse_time(item[1].due_at) or now, item[0].id))


def escalate_overdue(ctx: Context) -> int:
    """Tell once about every review request past its due time (``ReviewOverdue``, to the step's
    ``escalate_to`` or, without one, its channel); returns how many were escalated."""
    escalated = 0
    for post, step in overdue(ctx):
        if step.escalated_at is not None:
            continue
        try:
            escalate_to = ctx.workflow_for(post).step(step.name).escalate_to
        except KeyError:
            continue
        try:
            _, saved = until_saved(ctx.repo, post.id, _escalation(ctx, step.name, escalate_to),
                                   read=post)
        except Exception as err:  # noqa: BLE001 - one post's trouble never stops the others
            log.warning("overdue review not escalated",
                        extra={"post_id": post.id, "error": type(err).__name__})
            continue
        escalated += int(saved)
    return escalated


# How far back the expiry looks for publish times, beyond the late window: the reminders run
# every 15 minutes, so a day covers any outage of the schedule short of a day.
EXPIRY_LOOKBACK = timedelta(days=1)


def expire_unapproved(ctx: Context) -> int:
    """End as ``expired`` every post still in review (or sent back for changes) whose publish
    time plus the late window has passed: it can no longer go out on time, so nobody should
    approve it by habit. The author and the steps' channels are told (``PostExpired``). Reads
    only the calendar index for the publish times that just left the window; returns how many
    expired."""
    now = ctx.clock()
    # The widest late window of any brand; each post is then held to its own brand's.
    latest = now - max(flow.late_window for flow in ctx.organization.brands.values())
    expired = 0
    for candidate in ctx.repo.calendar(latest - EXPIRY_LOOKBACK, latest):
        if candidate.status not in (Status.IN_REVIEW, Status.CHANGES_REQUESTED):
            continue
        try:
            _, saved = until_saved(ctx.repo, candidate.id, _expiry(ctx), read=candidate)
        except Exception as err:  # noqa: BLE001 - one post's trouble never stops the others
            log.warning("unapproved post not expired",
                        extra={"post_id": candidate.id, "error": type(err).__name__})
            continue
        if saved:
            expired += 1
            log.info("unapproved post expired", extra={"post_id": candidate.id})
    return expired


def _expiry(ctx: Context) -> Callable[[Post], bool]:
    def record(post: Post) -> bool:
        if post.status not in (Status.IN_REVIEW, Status.CHANGES_REQUESTED) or not post.publish_at:
            return False
        if post.publish_at + ctx.workflow_for(post).late_window > ctx.clock():
            return False
        post.expire(ctx.clock())
        return True

    return record


def _escalation(ctx: Context, step: str, escalate_to: str | None) -> Callable[[Post], bool]:
    def record(post: Post) -> bool:
        return post.escalate(step, escalate_to, ctx.clock())

    return record


def pending_for(ctx: Context, reviewer: Reviewer,
                directory: ReviewerDirectory | None = None) -> list[tuple[Post, Step]]:
    """What this reviewer may approve now, across every post in review (App Home)."""
    posts = ctx.repo.by_status(Status.IN_REVIEW.value, limit=IN_REVIEW_LIMIT)
    return pending_reviews(ctx, posts, reviewer, directory)


@dataclass(frozen=True)
class TeamStatus:
    counts: dict[str, int]
    pause: dict[str, Any] | None


def team_status(ctx: Context, control: ControlStore) -> TeamStatus:
    return TeamStatus(ctx.repo.count_by_status(), control.pause_state())


def upcoming(ctx: Context) -> Sequence[Post]:
    """The next scheduled posts, soonest first."""
    return ctx.repo.upcoming(ctx.clock(), limit=UPCOMING)


def may_see_queue(ctx: Context, user_id: str, directory: ReviewerDirectory | None) -> bool:
    """Whether this person may see what is scheduled (titles, times, channels before they go
    out): the workflow's admins and whoever reviews at least one step, named in its
    ``reviewers`` or a member of its ``reviewer_group``. Groups are asked only when the named
    lists do not decide; a group that cannot be read (no directory, a plan without user
    groups, Slack unavailable) counts as one the person is not in."""
    if not user_id:
        return False
    if ctx.workflow.is_admin(user_id):
        return True
    groups = []
    for rule in (rule for flow in ctx.organization.brands.values() for rule in flow.steps):
        if rule.reviewers is not None:
            if user_id in rule.reviewers:
                return True
        elif rule.reviewer_group is not None:
            groups.append(rule.reviewer_group)
    if directory is None:
        return False
    for group in groups:
        try:
            if user_id in directory.group_members(group):
                return True
        except Exception as err:  # noqa: BLE001 - membership unknown: not a member (fail closed)
            log.warning("reviewer group unreadable; treated as not a member",
                        extra={"group": group, "error": type(err).__name__})
    return False
