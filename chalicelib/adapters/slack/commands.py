"""`/freigabe status [brand] | queue [brand] | due | channels | stats [30d] | pause <reason> |
resume | help`: answered in the acknowledgement, visible only to the person who typed it. `queue`
answers only admins and reviewers (``review_desk.may_see_queue``); `status` (counts only) answers
everyone. With a brand, both speak of that brand's posts alone (adapters/slack/brand_filter.py)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.slack import away, blocks, brand_filter
from chalicelib.adapters.slack.texts import tr
from chalicelib.domain.errors import Forbidden, NotEligible
from chalicelib.services import admin, review_desk

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.adapters.slack.deps import SlackServices

log = logging.getLogger("freigabe.slack.commands")

Answer = tuple[str, list[dict[str, Any]]]

# The manifest's should_escape: true makes Slack send people as <@U…|name> (what `away` needs)
# and escape &, < and > in the rest; words meant as text (a pause's reason) are read back plain.
_MARKUP = re.compile(r"<([@#!])?([^<>|]*)(?:\|([^<>]*))?>")


def plain(text: str) -> str:
    """A command's escaped text as the person typed it: <@U…|lena> is @lena, <#C…|news> is
    #news, a link its label or address, and &amp; &lt; &gt; the characters themselves."""
    def readable(found: re.Match[str]) -> str:
        sigil, target, label = found.group(1) or "", found.group(2), found.group(3)
        if sigil in ("@", "#"):
            return sigil + (label or target)
        if sigil == "!":  # <!here>, <!subteam^S…|@legal>
            return label or "@" + target
        return label or target

    return _MARKUP.sub(readable, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def answer(services: SlackServices, user_id: str, text: str, lang: str) -> Answer:
    ctx = services.context
    word, _, rest = text.strip().partition(" ")
    word = word.lower()
    if word == "status":
        if rest.strip():
            return brand_filter.status(services, plain(rest), lang)
        status = review_desk.team_status(ctx, services.control)
        return blocks.status_answer(status.counts, status.pause, ctx.workflow, lang)
    if word == "queue":
        if not review_desk.may_see_queue(ctx, user_id, services.directory):
            log.info("queue refused: not a reviewer or admin", extra={"user": user_id})
            return blocks.notice(blocks.escape(tr("queue_reviewers_only", lang)))
        if rest.strip():
            return brand_filter.queue(services, plain(rest), lang)
        return blocks.queue_answer(list(review_desk.upcoming(ctx)), ctx.workflow, lang)
    if word == "due":
        due = review_desk.due_soon(ctx, user_id, services.directory)
        return away.with_covering(services, user_id, lang,
                                  blocks.due_answer(due, ctx.workflow, lang, ctx.clock()))
    if word == "away":
        return away.answer(services, user_id, rest, lang)
    if word == "pause":
        return _pause(services, user_id, plain(rest), lang)
    if word == "resume":
        return _resume(services, user_id, lang)
    if word == "channels":
        return _channels(services, lang)
    if word == "stats":
        return _stats(services, rest, lang)
    if word in ("", "help"):
        return blocks.notice(tr("help", lang))
    unknown = blocks.escape(tr("unknown_command", lang, text=plain(text).strip()[:100]))
    return blocks.notice(unknown + "\n\n" + tr("help", lang))


def _pause(services: SlackServices, user_id: str, reason: str, lang: str) -> Answer:
    try:
        admin.pause(services.admin, user_id, reason)
    except Forbidden:
        log.info("pause refused: not an admin", extra={"user": user_id})
        return blocks.notice(blocks.escape(tr("admins_only", lang)))
    except NotEligible:
        return blocks.notice(blocks.escape(tr("pause_needs_reason", lang)))
    log.info("publishing paused", extra={"user": user_id})
    return blocks.notice(blocks.escape(tr("paused", lang, reason=reason.strip()[:500])))


def _resume(services: SlackServices, user_id: str, lang: str) -> Answer:
    try:
        previous = admin.resume(services.admin, user_id)
    except Forbidden:
        log.info("resume refused: not an admin", extra={"user": user_id})
        return blocks.notice(blocks.escape(tr("admins_only", lang)))
    log.info("publishing resumed", extra={"user": user_id})
    return blocks.notice(blocks.escape(tr("resumed" if previous else "not_paused", lang)))


def _channels(services: SlackServices, lang: str) -> Answer:
    """Every channel and its health, as the admin page shows it (never a secret)."""
    if services.channels is None:
        return blocks.notice(blocks.escape(tr("channels_empty", lang)))
    lines = [f"*{blocks.escape(tr('channels_header', lang))}*"]
    for account, status in services.channels():
        line = tr("channels_line", lang, name=account.name, type=account.type,
                  source=tr(f"channels_source_{account.source}", lang),
                  status=tr(f"channel_{status}", lang))
        if account.account:
            line += tr("channels_account", lang, account=account.account)
        if account.expires_at and status in ("expiring", "expired"):
            line += tr("channels_expires", lang, at=account.expires_at)
        if account.last_error and status != "connected":
            line += tr("channels_error", lang, error=account.last_error[:200])
        lines.append(blocks.escape(line))
    if len(lines) == 1:
        lines.append(blocks.escape(tr("channels_empty", lang)))
    lines.append(blocks.escape(tr("channels_reconnect", lang)))
    return blocks.notice("\n".join(lines))


def _stats(services: SlackServices, period: str, lang: str) -> Answer:
    """The figures of the last n days (default 30) for everyone who asks, like `status`."""
    from chalicelib.adapters.slack import stats_blocks
    from chalicelib.services import analytics

    ctx = services.context
    today = ctx.clock().date()
    try:
        first, last = analytics.period_of_days(period, today)
    except analytics.InvalidPeriod:
        return stats_blocks.bad_period(lang)
    if services.stats is None:
        return blocks.notice(blocks.escape(stats_blocks.text("nothing", lang)))
    organization = ctx.organization
    figures = analytics.stats(services.stats, first, last, None,
                              lambda brand: organization.brand(brand).answer_within_hours, today)
    return stats_blocks.stats_answer(figures, organization, first, last, lang)
