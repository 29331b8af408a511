"""Lead times, change requests, on-time publishing, failures and answer times, per brand, step
and reviewer, over a chosen period (docs/api.md "Analytics").

How the figures are kept: the table's stream relay turns each relevant timeline event (a
decision, a post scheduled, a publication's result) into one small fact, kept in the partition
of the event's UTC day; replies and answers (issue 17) record theirs through ``record_fact``.
A period's figures read only its days, one query per day, never a scan; recording the same
event again overwrites the same fact.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain.post import Post
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.services.ports import StatsFact, StatsStore

# Published within this long of its time (publish_at, or the last approval when untimed).
ON_TIME_SECONDS = 120
MAX_DAYS = 366
DEFAULT_DAYS = 30
DEFAULT_ANSWER_WITHIN_HOURS = 4.0
# The timeline events that become facts; everything else is not counted.
COUNTED_EVENTS = ("decision", "scheduled", "publish_result")
PERIOD = re.compile(r"^\s*(\d{1,3})\s*d?\s*$", re.IGNORECASE)


class InvalidPeriod(ValueError):
    """A period no figures can be given for; ``key`` names the problem (i18n)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


# -- recording ---------------------------------------------------------------------------------

def utc_iso(moment: str | datetime) -> str:
    """An instant as ISO-8601 UTC with a Z, the form facts are kept and compared in."""
    value = moment if isinstance(moment, datetime) else _parse(moment)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def record_fact(store: StatsStore, kind: str, brand: str, subject: str, key: str | int,
                at: str | datetime, **data: Any) -> StatsFact:
    """Keep one fact. Issue 17 records ``incoming`` (``channel``, ``external_id``) and
    ``answer_published`` (``channel``, ``parent``: the incoming item's external id, and
    ``incoming_at`` when known) through this; ``key`` must be unique within ``subject``, so
    recording the same thing again overwrites it."""
    fact = StatsFact(kind=kind, brand=brand or "default", subject=subject, key=str(key),
                     at=utc_iso(at), data=dict(data))
    store.put(fact)
    return fact


def facts_of(post: Post, timeline: Sequence[TimelineEvent], event: TimelineEvent) -> list[StatsFact]:
    """The facts one stored timeline event gives (none for most). ``timeline``: the post's
    events, of which only those up to ``event`` are looked at, so a fact is the same however
    late it is recorded."""
    if event.type not in COUNTED_EVENTS:
        return []
    before = [e for e in timeline if e.seq < event.seq]
    submitted_at = _review_started(before)
    common = {"submitted_at": submitted_at}
    if event.type == "decision":
        data = {**common, "step": str(event.data.get("step") or ""), "reviewer": event.actor,
                "decision": str(event.data.get("decision") or ""),
                "labels": [str(label) for label in event.data.get("labels") or []]}
        if event.data.get("as_deputy_for"):
            data["as_deputy_for"] = str(event.data["as_deputy_for"])
        return [_fact("decision", post, event, data)]
    if event.type == "scheduled":
        return [_fact("scheduled", post, event, common)]
    status = str(event.data.get("status") or "")
    if status == "pending":
        return []
    due = _due(before)
    on_time = None
    if status == "published" and due is not None:
        on_time = (_parse(event.at) - _parse(due)).total_seconds() <= ON_TIME_SECONDS
    return [_fact("publish_result", post, event, {
        **common, "channel": str(event.data.get("channel") or ""), "status": status,
        "ok": status == "published", "due": due, "on_time": on_time})]


def record_event(store: StatsStore, post: Post, timeline: Sequence[TimelineEvent],
                 event: TimelineEvent) -> int:
    """Keep the facts of ``event`` alone (the stream hands the relay every inserted timeline
    event, so each counted event is recorded as it is stored); returns how many. Recording it
    again overwrites the same facts. A record the stream gave up on (it goes to the relay's
    failure queue after the mapping's retries) leaves its facts out until ``rebuild`` writes the
    post's facts again (`make figures POST=<id>`)."""
    facts = facts_of(post, timeline, event)
    for fact in facts:
        store.put(fact)
    return len(facts)


def rebuild(store: StatsStore, post: Post, timeline: Sequence[TimelineEvent]) -> int:
    """Keep the facts of every counted event of the post's timeline again; returns how many.
    Each overwrites itself, so this never counts anything twice."""
    facts = [f for e in timeline for f in facts_of(post, timeline, e)]
    for fact in facts:
        store.put(fact)
    return len(facts)


def _fact(kind: str, post: Post, event: TimelineEvent, data: dict[str, Any]) -> StatsFact:
    return StatsFact(kind=kind, brand=post.brand or "default", subject=post.id,
                     key=f"{event.seq:06d}", at=utc_iso(event.at), data=data)


def _review_started(before: Iterable[TimelineEvent]) -> str | None:
    """When the review round in force began: the last submission, or the last return to
    review after an edit."""
    started = None
    for e in before:
        if e.type in ("submitted", "in_review"):
            started = e.at
    return utc_iso(started) if started else None


def _due(before: Iterable[TimelineEvent]) -> str | None:
    """When the post was meant to go out: its publish time, or (untimed) its last approval."""
    publish_at: str | None = None
    approved_at: str | None = None
    for e in before:
        if e.type == "created":
            publish_at = e.data.get("publish_at")
        elif e.type == "rescheduled":
            publish_at = e.data.get("to")
        elif e.type == "scheduled":
            publish_at, approved_at = e.data.get("publish_at"), e.at
    due = publish_at or approved_at
    return utc_iso(due) if due else None


# -- the period --------------------------------------------------------------------------------

def period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The UTC days from ``start`` to ``end`` (``YYYY-MM-DD`` or an ISO-8601 instant, both
    inclusive); without them the last DEFAULT_DAYS days up to today."""
    last = _day(end) if end else today
    first = _day(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidPeriod("stats_period_reversed")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidPeriod("stats_period_too_long")
    return first, last


def period_of_days(text: str, today: date) -> tuple[date, date]:
    """``/freigabe stats 30d``: the last n days up to today (empty: DEFAULT_DAYS)."""
    match = PERIOD.match(text or f"{DEFAULT_DAYS}d")
    if not match or not 1 <= int(match.group(1)) <= MAX_DAYS:
        raise InvalidPeriod("stats_period_days")
    return today - timedelta(days=int(match.group(1)) - 1), today


def _day(value: str) -> date:
    value = value.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return _parse(value).astimezone(UTC).date()
    except ValueError:
        raise InvalidPeriod("stats_period_invalid") from None


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


# -- the figures -------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for none."""
    return round(statistics.median(values), 2) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value at least 90 % of the values do
    not exceed (always one that was measured); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)], 2)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def stats(store: StatsStore, first: date, last: date, brand: str | None = None,
          answer_within_hours: Callable[[str], float] = lambda _brand: DEFAULT_ANSWER_WITHIN_HOURS,
          today: date | None = None) -> dict[str, Any]:
    """Every figure of the period (CONTRACT §10's shape, plus reviewers, schedule, brands and
    answers). One query per day of the period; answers also read up to their brand's target
    past its end (never past today), so an item answered in time just after it counts."""
    facts = [f for day in _days(first, last) for f in store.day(day, brand)]
    extra_days = math.ceil(max((answer_within_hours(f.brand) for f in facts
                                if f.kind == "incoming"), default=0) / 24)
    until = min(last + timedelta(days=extra_days), max(today or last, last))
    later = [f for day in _days(last + timedelta(days=1), until) for f in store.day(day, brand)
             if f.kind == "answer_published"]
    return {
        "from": first.isoformat(), "to": last.isoformat(), "brand": brand,
        "steps": _steps(facts), "reviewers": _reviewers(facts), "brands": _brands(facts),
        **_publishing(facts),
        "answers": _answers(facts + later, answer_within_hours),
    }


def _hours(fact: StatsFact) -> float | None:
    since = fact.data.get("submitted_at")
    if not since:
        return None
    return max(0.0, (_parse(fact.at) - _parse(str(since))).total_seconds() / 3600)


def _decision_figures(decisions: list[StatsFact], hours: list[float]) -> dict[str, Any]:
    changes = [d for d in decisions if d.data.get("decision") == "request_changes"]
    labels: Counter[str] = Counter()
    for d in decisions:
        if d.data.get("decision") != "approve":
            labels.update(d.data.get("labels") or [])
    return {"decisions": len(decisions), "median_hours_to_decision": median(hours),
            "p90_hours_to_decision": p90(hours),
            "changes_requested_rate": rate(len(changes), len(decisions)),
            "labels": dict(sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])))}


def _steps(facts: list[StatsFact]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[StatsFact]] = defaultdict(list)
    for f in facts:
        if f.kind == "decision":
            groups[(f.brand, str(f.data.get("step")))].append(f)
    rows = []
    for (brand, step), decisions in sorted(groups.items()):
        # Time to the FIRST decision of each review round of the step.
        first: dict[tuple[str, Any], StatsFact] = {}
        for d in sorted(decisions, key=lambda d: d.at):
            first.setdefault((d.subject, d.data.get("submitted_at")), d)
        hours = [h for h in (_hours(d) for d in first.values()) if h is not None]
        rows.append({"brand": brand, "step": step, **_decision_figures(decisions, hours)})
    return rows


def _reviewers(facts: list[StatsFact]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[StatsFact]] = defaultdict(list)
    for f in facts:
        if f.kind == "decision":
            groups[(f.brand, str(f.data.get("step")), str(f.data.get("reviewer")))].append(f)
    rows = []
    for (brand, step, reviewer), decisions in sorted(groups.items()):
        hours = [h for h in (_hours(d) for d in decisions) if h is not None]
        figures = _decision_figures(decisions, hours)
        figures["as_deputy"] = sum(1 for d in decisions if d.data.get("as_deputy_for"))
        rows.append({"brand": brand, "step": step, "reviewer": reviewer, **figures})
    return rows


def _publishing(facts: list[StatsFact]) -> dict[str, Any]:
    results = [f for f in facts if f.kind == "publish_result"]
    published = [f for f in results if f.data.get("ok")]
    timed = [f for f in published if f.data.get("on_time") is not None]
    failures = Counter(str(f.data.get("channel")) for f in results
                       if f.data.get("status") == "failed")
    unknown = Counter(str(f.data.get("channel")) for f in results
                      if f.data.get("status") == "unknown")
    return {"published": len(published),
            "on_time_rate": rate(sum(1 for f in timed if f.data.get("on_time")), len(timed)),
            "failures": dict(sorted(failures.items())), "unknown": dict(sorted(unknown.items()))}


def _brands(facts: list[StatsFact]) -> list[dict[str, Any]]:
    rows = []
    for brand in sorted({f.brand for f in facts}):
        mine = [f for f in facts if f.brand == brand]
        scheduled = [h for h in (_hours(f) for f in mine if f.kind == "scheduled") if h is not None]
        rows.append({"brand": brand, "scheduled": len(scheduled),
                     "median_hours_to_schedule": median(scheduled),
                     "p90_hours_to_schedule": p90(scheduled), **_publishing(mine)})
    return rows


def _answers(facts: list[StatsFact],
             answer_within_hours: Callable[[str], float]) -> list[dict[str, Any]]:
    """Per brand: incoming items of the period, how many were answered, hours to the first
    answer (median, p90), and the share answered within the brand's answer_within_hours."""
    first_answer: dict[tuple[str, str], str] = {}
    for f in sorted((f for f in facts if f.kind == "answer_published"), key=lambda f: f.at):
        first_answer.setdefault((str(f.data.get("channel")), str(f.data.get("parent"))), f.at)
    rows = []
    incoming = [f for f in facts if f.kind == "incoming"]
    for brand in sorted({f.brand for f in incoming}):
        target = float(answer_within_hours(brand))
        hours = []
        for item in (f for f in incoming if f.brand == brand):
            answered = first_answer.get((str(item.data.get("channel")),
                                         str(item.data.get("external_id"))))
            if answered is not None:
                hours.append(max(0.0, (_parse(answered) - _parse(item.at)).total_seconds() / 3600))
        count = sum(1 for f in incoming if f.brand == brand)
        rows.append({"brand": brand, "incoming": count, "answered": len(hours),
                     "median_hours_to_answer": median(hours), "p90_hours_to_answer": p90(hours),
                     "answer_within_hours": target,
                     "answered_within_rate": rate(sum(1 for h in hours if h <= target), count)})
    return rows
