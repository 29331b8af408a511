"""Reviewers' decisions: the one way a decision enters, whatever surface it came from."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chalicelib.domain.errors import NotEligible, Paused
from chalicelib.domain.post import Post, Reviewer
from chalicelib.services import deputies
from chalicelib.services.conflicts import until_saved
from chalicelib.services.ports import Context, ReviewerDirectory

log = logging.getLogger("freigabe.review")


def eligible_reviewers(ctx: Context, directory: ReviewerDirectory | None,
                       step_name: str, post: Post | None = None) -> frozenset[str]:
    """Who may decide the step: of the post's brand's workflow (the default one without)."""
    step = (ctx.workflow_for(post) if post is not None else ctx.workflow).step(step_name)
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
           directory: ReviewerDirectory | None = None, *, labels: Sequence[str] = (),
           quote: str | None = None, checklist: Sequence[str] = ()) -> DecisionOutcome:
    """Record a decision, or raise NotEligible and change nothing.

    Concurrent clicks race on the post's version; the loser re-reads and finds either its
    own decision already there (a repeat) or a new state to decide against.
    """
    def record(post: Post) -> bool:
        eligible = _eligible(ctx, directory, step, post)
        # A deputy during an absence decides for the reviewer, on the record as such.
        allowed, for_whom = deputies.widened(ctx, reviewer, eligible, post)
        return post.decide(ctx.workflow_for(post), step, reviewer, decision, content_hash,
                           comment, ctx.clock(), allowed, labels=labels, quote=quote,
                           checklist=checklist, as_deputy_for=for_whom)

    post, recorded = saved_with_claim(ctx, post_id, record)
    return DecisionOutcome(post, recorded)


def saved_with_claim(ctx: Context, post_id: str,
                     change: Callable[[Post], bool]) -> tuple[Post, bool]:
    """``until_saved`` for a decision (a reviewer's in Slack or on the web, an external one
    through a link): when it makes the post due now, the claim goes into the same write,
    which also checks the pause switch; the publications are queued once it is stored.
    Otherwise ``take_if_due`` after the save."""
    send: Callable[[], object] | None = None  # the claim's, of the attempt being saved
    paused = False  # a claim was refused for the pause: save the decision alone

    def record(post: Post) -> bool:
        nonlocal send
        changed = change(post)
        send = _claim_with_decision(ctx, post) if changed and not paused else None
        return changed

    def save(post: Post) -> None:
        nonlocal paused
        try:
            ctx.repo.save(post, unless_paused=send is not None)
        except Paused:
            paused = True
            raise

    post, saved = until_saved(ctx.repo, post_id, record, save=save)
    if saved:
        if send is not None:
            _send_claimed(post, send)
        else:
            take_if_due(ctx, post)
    return post, saved


def _claim_with_decision(ctx: Context, post: Post) -> Callable[[], object] | None:
    """The last approval of a post due now claims it in the same save (one write, one status
    count, the pause switch checked in it); best effort like ``take_if_due``: a claim that
    cannot be prepared leaves the decision to be saved alone."""
    if ctx.claim_now is None:
        return None
    from chalicelib.services.scheduling import post_due_soon

    if not post_due_soon(post, ctx.clock()):
        return None
    try:
        return ctx.claim_now(post)
    except Exception as err:  # noqa: BLE001 - the decision stands; take_if_due tries again
        log.warning("post not claimed with its decision",
                    extra={"post_id": post.id, "error": type(err).__name__})
        return None


def _send_claimed(post: Post, send: Callable[[], object]) -> None:
    try:
        send()
    except Exception as err:  # noqa: BLE001 - claimed and stored: the tick's recovery sends it
        log.warning("claimed post not queued at once; the tick's recovery sends it",
                    extra={"post_id": post.id, "error": type(err).__name__})


def take_if_due(ctx: Context, post: Post) -> None:
    """The last approval (or the release of the last hold) of a post without a time, or with
    one within the tick's look-ahead, takes it to the publish queue at once: "as soon as
    approved" means seconds, whatever the stream relay still has to tell Slack. Best effort:
    the relay and the tick claim it otherwise, and only one claim wins."""
    if ctx.take_now is None:
        return
    from chalicelib.services.scheduling import post_due_soon

    if not post_due_soon(post, ctx.clock()):
        return
    try:
        ctx.take_now(post)
    except Exception as err:  # noqa: BLE001 - the decision stands; the relay or the tick sends it
        log.warning("post not queued at once; the relay or the tick takes it",
                    extra={"post_id": post.id, "error": type(err).__name__})


def _eligible(ctx: Context, directory: ReviewerDirectory | None, step: str,
              post: Post | None = None) -> frozenset[str]:
    try:
        return eligible_reviewers(ctx, directory, step, post)
    except KeyError:
        return frozenset()  # a step no longer in the workflow: nobody decides it


def hold(ctx: Context, post_id: str, step: str, reviewer: Reviewer, reason: str,
         content_hash: str, directory: ReviewerDirectory | None = None) -> DecisionOutcome:
    """Stop the post from publishing until released (a reviewer of that step, on the content
    they saw); ``recorded`` False: this reviewer already holds it."""
    def record(post: Post) -> bool:
        eligible = _eligible(ctx, directory, step, post)
        allowed, _ = deputies.widened(ctx, reviewer, eligible, post)
        return post.hold(ctx.workflow_for(post), step, reviewer, reason, ctx.clock(), allowed,
                         content_hash=content_hash)

    post, recorded = until_saved(ctx.repo, post_id, record)
    return DecisionOutcome(post, recorded)


def may_release(ctx: Context, step: str, by_slack_id: str,
                directory: ReviewerDirectory | None, post: Post | None = None) -> bool:
    """Besides the holder: any reviewer of that step, and the workflow's admins."""
    if ctx.workflow.is_admin(by_slack_id):
        return True
    try:
        return Reviewer(by_slack_id, None).listed_in(
            eligible_reviewers(ctx, directory, step, post))
    except KeyError:
        return False
    except Exception:  # noqa: BLE001 - a group that cannot be read: not a member (fail closed)
        return False


def release(ctx: Context, post_id: str, step: str, by_slack_id: str,
            directory: ReviewerDirectory | None = None) -> Post:
    """Lift the holds of a step: the holder, any reviewer of that step or an admin; NotEligible
    for anyone else, or when nothing holds the step."""
    if not by_slack_id:
        raise NotEligible("may_not_release", step=step)
    def record(post: Post) -> bool:
        allowed = may_release(ctx, step, by_slack_id, directory, post)
        post.release(step, by_slack_id, ctx.clock(), allowed)
        return True

    post, _ = until_saved(ctx.repo, post_id, record)
    take_if_due(ctx, post)
    return post
