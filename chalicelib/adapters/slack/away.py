"""`/freigabe away <until> @deputy` and `/freigabe away off`: a reviewer names who decides for
them while they are away, and says when they are back. Answered only to the person who typed it.

``<until>``: a date (``2026-12-24``, ``24.12.``), or ``3d`` / ``12h`` from now, in the workflow's
time zone (services/deputies.py and domain/deputies.py say what a deputy may do).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.texts import when
from chalicelib.domain.deputies import Away, parse_until
from chalicelib.domain.errors import InvalidContent
from chalicelib.i18n import t
from chalicelib.services import deputies

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.adapters.slack.deps import SlackServices

log = logging.getLogger("freigabe.slack.away")

# A person as Slack writes them into a command's text (`<@U123|lena>`, escaping on), or an id.
MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
OFF = frozenset({"off", "aus", "zurück", "back", "end", "ende"})

Answer = tuple[str, list[dict[str, Any]]]


def answer(services: SlackServices, user_id: str, rest: str, lang: str) -> Answer:
    ctx = services.context
    words = rest.split()
    try:
        if not words:
            return _current(services, user_id, lang)
        if len(words) == 1 and words[0].lower() in OFF:
            ended = deputies.end_away(ctx, user_id)
            return _say(t("away_ended" if ended else "away_not_away", lang))
        deputy = next((_person(w) for w in words if _person(w)), "")
        typed = " ".join(w for w in words if not _person(w) and not w.startswith("@"))
        if not deputy:
            key = "deputy_by_name" if any(w.startswith("@") for w in words) else "deputy_missing"
            return _say(t(key, lang) + "\n" + t("away_usage", lang))
        until = parse_until(typed, ctx.clock(), ctx.workflow.zone)
        away = deputies.set_away(ctx, user_id, until, deputy, people=services.directory,
                                 by=user_id)
    except InvalidContent as err:
        log.info("away refused", extra={"user": user_id, "reason": err.key})
        return _say(t(err.key, lang, **err.params) + "\n" + t("away_usage", lang))
    return blocks.notice(_set_line(away, ctx.workflow.timezone, lang))


def _person(word: str) -> str:
    found = MENTION.match(word)
    if found:
        return found.group(1)
    return word if USER_ID.match(word) else ""


def _current(services: SlackServices, user_id: str, lang: str) -> Answer:
    ctx = services.context
    lines: list[tuple[str, bool]] = []  # (text, already mrkdwn with a mention)
    away = deputies.away_of(ctx, user_id)
    lines.append((_set_line(away, ctx.workflow.timezone, lang), True) if away
                 else (t("away_not_away", lang), False))
    for covered in deputies.covering(ctx, user_id):
        lines.append((covered_line(covered, ctx.workflow.timezone, lang), True))
    lines.append((t("away_usage", lang), False))
    text = "\n".join(line if mention else blocks.escape(line) for line, mention in lines)
    return blocks.notice(text)


def _say(text: str) -> Answer:
    return blocks.notice(blocks.escape(text))


def last_minute(away: Away) -> Any:
    """What people read as the end: the last minute of the absence (a date means its whole day)."""
    return away.until - timedelta(minutes=1)


def _set_line(away: Away, timezone: str, lang: str) -> str:
    """Mentions are Slack's own markup; every other piece is escaped."""
    return blocks.escape(t("away_set", lang, until=when(last_minute(away), timezone, lang),
                           deputy="\x00")).replace("\x00", f"<@{away.deputy}>")


def covered_line(away: Away, timezone: str, lang: str) -> str:
    """"You decide for @Lena until …" (App Home, `/freigabe due`, `/freigabe away`)."""
    return blocks.escape(t("away_covering", lang, reviewer="\x00",
                           until=when(last_minute(away), timezone, lang))
                         ).replace("\x00", f"<@{away.reviewer}>")


def with_covering(services: SlackServices, user_id: str, lang: str, said: Answer) -> Answer:
    """An answer (`/freigabe due`) with whom the person stands in for now, first."""
    ctx = services.context
    lines = [covered_line(a, ctx.workflow.timezone, lang)
             for a in deputies.covering(ctx, user_id)]
    if not lines:
        return said
    text, shown = said
    covering = "\n".join(lines)
    return covering + "\n" + text, [*blocks.notice(covering)[1], *shown]
