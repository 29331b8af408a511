"""Deputies: a reviewer names who decides for them while they are away.

During the absence the deputy may decide (and hold) wherever the reviewer may; the decision is
the deputy's own, recorded ``as_deputy_for`` the reviewer, and the author rule is the deputy's:
a deputy never decides on a post they wrote, nor stands in for the post's own author. Review
requests in that period name the deputy too (the Slack notifier asks ``deputies_now``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from chalicelib.domain.deputies import Away, check_deputy, covered
from chalicelib.domain.errors import InvalidContent
from chalicelib.domain.post import Post, Reviewer
from chalicelib.services.ports import Context, DeputyStore, PersonLookup, ReviewerDirectory

log = logging.getLogger("freigabe.deputies")


def _store(ctx: Context) -> DeputyStore:
    if ctx.deputies is None:
        raise InvalidContent("away_unavailable")
    return ctx.deputies


def set_away(ctx: Context, reviewer: str, until: datetime, deputy: str, *,
             people: PersonLookup, by: str | None = None) -> Away:
    """The reviewer is away from now until ``until``; ``deputy`` decides for them meanwhile.
    Replaces any absence the reviewer had set before. InvalidContent (nothing stored) when the
    deputy is not another person of the workspace, or ``until`` is not ahead."""
    store = _store(ctx)
    now = ctx.clock()
    if until <= now:
        raise InvalidContent("away_until_past", until=until.isoformat())
    kind = people.member_kind(deputy) if deputy else "unknown"
    check_deputy(reviewer, deputy, deputy_is_bot=kind == "bot", deputy_exists=kind != "unknown")
    for earlier in store.of_reviewer(reviewer, now):
        store.remove(earlier)
    away = Away(reviewer=reviewer, deputy=deputy, start=now, until=until, by=by or reviewer)
    store.put(away)
    log.info("away set", extra={"reviewer": reviewer, "deputy": deputy, "until": away.to_dict()["until"]})
    return away


def end_away(ctx: Context, reviewer: str) -> list[Away]:
    """The reviewer is back: every absence they set that has not ended yet is dropped (their
    deputy's decisions so far keep their ``as_deputy_for``)."""
    store = _store(ctx)
    ended = store.of_reviewer(reviewer, ctx.clock())
    for away in ended:
        store.remove(away)
    if ended:
        log.info("away ended", extra={"reviewer": reviewer})
    return ended


def away_of(ctx: Context, reviewer: str) -> Away | None:
    """The reviewer's absence that has not ended yet, if any."""
    if ctx.deputies is None:
        return None
    found = ctx.deputies.of_reviewer(reviewer, ctx.clock())
    return found[0] if found else None


def deputies_now(ctx: Context, reviewer_ids: Iterable[str],
                 now: datetime | None = None) -> dict[str, str]:
    """deputy -> the reviewer they stand in for, of these reviewers, right now (one query per
    reviewer; review requests name few)."""
    if ctx.deputies is None:
        return {}
    moment = now or ctx.clock()
    periods: list[Away] = []
    for reviewer in dict.fromkeys(reviewer_ids):
        if reviewer and ":" not in reviewer:  # "T…:U…": another company's member, never away here
            periods += ctx.deputies.of_reviewer(reviewer, moment)
    return covered(periods, moment)


def covering(ctx: Context, deputy: str, now: datetime | None = None) -> list[Away]:
    """The absences this person stands in for right now, ending soonest first (one query)."""
    if ctx.deputies is None or not deputy:
        return []
    moment = now or ctx.clock()
    return [away for away in ctx.deputies.covered_by(deputy, moment) if away.covers(moment)]


def acting_for(post: Post | None, eligible: frozenset[str], absences: list[Away]) -> str | None:
    """Of these absences, the reviewer of the step (``eligible``) the deputy decides for; never
    the post's own author (their deputy is not their hand on their own post)."""
    for away in absences:
        if post is not None and away.reviewer == post.author_slack_id:
            continue
        if Reviewer(away.reviewer, None).listed_in(eligible):
            return away.reviewer
    return None


def widened(ctx: Context, reviewer: Reviewer, eligible: frozenset[str], post: Post | None,
            absences: list[Away] | None = None) -> tuple[frozenset[str], str | None]:
    """Who may decide the step, as it holds for this person now: ``eligible`` itself for one of
    its reviewers; with this person added, and the reviewer they stand in for, for a deputy
    during an absence. ``absences``: ``covering`` already read for this person."""
    if reviewer.listed_in(eligible) or reviewer.team_id is not None:
        return eligible, None
    if absences is None:
        absences = covering(ctx, reviewer.slack_id)
    for_whom = acting_for(post, eligible, absences)
    if for_whom is None:
        return eligible, None
    return eligible | {reviewer.slack_id}, for_whom


def is_reviewer(ctx: Context, user_id: str, directory: ReviewerDirectory | None) -> bool:
    """Whether this Slack user reviews any step of any brand (named, or in a reviewer group
    that can be read): the web page offers them its Away form."""
    if not user_id:
        return False
    for workflow in ctx.organization.brands.values():
        for rule in workflow.steps:
            if rule.reviewers is not None and user_id in rule.reviewers:
                return True
            if rule.reviewer_group is not None and directory is not None:
                try:
                    if user_id in directory.group_members(rule.reviewer_group):
                        return True
                except Exception as err:  # noqa: BLE001 - unreadable group: not a member
                    log.warning("reviewer group unreadable",
                                extra={"group": rule.reviewer_group, "error": type(err).__name__})
    return False

