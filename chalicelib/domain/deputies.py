"""A reviewer's absence and who decides for them meanwhile: plain values and the rules on them.

While a reviewer is away, their deputy may decide wherever the reviewer may; the decision is
recorded as the deputy's, ``as_deputy_for`` the reviewer. The author rule is the deputy's own:
a deputy never decides on a post they wrote, nor for the post's author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidContent

# An absence longer than this is a change of reviewers, which belongs in the workflow.
LONGEST_ABSENCE = timedelta(days=366)

_RELATIVE = re.compile(r"^(\d{1,3})\s*([dhtDHT])$")  # 3d, 12h; German "t" for Tage
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})?$")


@dataclass(frozen=True)
class Away:
    """``reviewer`` is away from ``start`` until ``until`` (exclusive); ``deputy`` decides for
    them meanwhile. ``by``: who set it (the reviewer, by Slack id or e-mail)."""

    reviewer: str
    deputy: str
    start: datetime
    until: datetime
    by: str

    def covers(self, now: datetime) -> bool:
        return self.start <= now < self.until

    def to_dict(self) -> dict[str, Any]:
        return {"reviewer": self.reviewer, "deputy": self.deputy, "from": _iso(self.start),
                "until": _iso(self.until), "by": self.by}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Away:
        return cls(str(data["reviewer"]), str(data["deputy"]), _parse(str(data["from"])),
                   _parse(str(data["until"])), str(data.get("by") or ""))


def _iso(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_until(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """When an absence ends, from what a person typed: ``3d`` (or ``12h``) from now, or a date
    (``2026-12-24``, ``24.12.``, ``24.12.2026``) in the brand's time zone: away through the end
    of that day. An ISO time with an offset is taken as it is. InvalidContent for anything else,
    a moment already past, or more than a year ahead."""
    typed = " ".join(text.split())
    if not typed:
        raise InvalidContent("away_until_missing")
    until = _relative(typed, now) or _day_end(typed, now, zone) or _moment(typed)
    if until is None:
        raise InvalidContent("away_until_invalid", until=typed[:40])
    if until <= now:
        raise InvalidContent("away_until_past", until=typed[:40])
    if until - now > LONGEST_ABSENCE:
        raise InvalidContent("away_too_long", until=typed[:40])
    return until


def _relative(typed: str, now: datetime) -> datetime | None:
    match = _RELATIVE.match(typed)
    if match is None:
        return None
    amount, unit = int(match.group(1)), match.group(2).lower()
    return now + (timedelta(hours=amount) if unit == "h" else timedelta(days=amount))


def _day_end(typed: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    today = now.astimezone(zone).date()
    iso, german = _ISO_DATE.match(typed), _GERMAN_DATE.match(typed)
    try:
        if iso is not None:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        elif german is not None:
            year = int(german.group(3)) if german.group(3) else today.year
            day = date(year, int(german.group(2)), int(german.group(1)))
            if not german.group(3) and day < today:
                day = date(year + 1, day.month, day.day)  # "24.12." in January: next December
        else:
            return None
    except ValueError:
        return None  # 31.02.
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def _moment(typed: str) -> datetime | None:
    try:
        moment = _parse(typed)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def check_deputy(reviewer: str, deputy: str, *, deputy_is_bot: bool, deputy_exists: bool) -> None:
    """A deputy is another person: not the reviewer, not a bot, someone the workspace knows."""
    if not deputy:
        raise InvalidContent("deputy_missing")
    if not deputy_exists:
        raise InvalidContent("deputy_unknown")
    if deputy == reviewer:
        raise InvalidContent("deputy_is_self")
    if deputy_is_bot:
        raise InvalidContent("deputy_is_bot")


def covered(periods: list[Away], now: datetime) -> dict[str, str]:
    """deputy -> the reviewer they decide for now, of these absences (the one ending last wins
    when a reviewer left the same deputy twice)."""
    active = sorted((a for a in periods if a.covers(now)), key=lambda a: a.until)
    return {a.deputy: a.reviewer for a in active}
