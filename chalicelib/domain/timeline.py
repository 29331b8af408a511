"""The audit timeline: append-only events, each carrying the hash of the one before, so any
altered, reordered or missing event is detectable."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

# Events that give the post a content version it did not have before: the repository stores
# that version once, beside the post.
NEW_CONTENT_EVENTS = ("created", "edited")
# Events that carry the hash of the post's content at that moment, the latest one being the
# content the post must hold now.
CONTENT_EVENTS = ("created", "submitted", "edited", "scheduled")


def genesis(post_id: str) -> str:
    return hashlib.sha256(f"freigabe:{post_id}".encode()).hexdigest()


@dataclass(frozen=True)
class TimelineEvent:
    seq: int
    at: str  # ISO-8601 UTC
    type: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    prev: str = ""
    hash: str = ""

    def body(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "type": self.type, "actor": self.actor,
                "data": self.data, "prev": self.prev}

    def compute_hash(self) -> str:
        encoded = json.dumps(self.body(), ensure_ascii=False, sort_keys=True,
                             separators=(",", ":"), default=str).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineEvent:
        return cls(seq=int(data["seq"]), at=str(data["at"]), type=str(data["type"]),
                   actor=str(data["actor"]), data=dict(data.get("data") or {}),
                   prev=str(data["prev"]), hash=str(data["hash"]))


def chain(post_id: str, previous_hash: str | None, seq: int, at: str, type_: str,
          actor: str, data: dict[str, Any]) -> TimelineEvent:
    prev = previous_hash or genesis(post_id)
    draft = TimelineEvent(seq=seq, at=at, type=type_, actor=actor, data=data, prev=prev)
    return TimelineEvent(**{**draft.__dict__, "hash": draft.compute_hash()})


def verify(post_id: str, events: list[TimelineEvent], expected_count: int | None = None,
           expected_head: str | None = None) -> list[str]:
    """Problems found in a timeline; empty when it is intact.

    ``expected_count`` and ``expected_head`` come from the post itself, which records how
    many events it has and the last hash, so a truncated tail is caught too.
    """
    problems: list[str] = []
    prev = genesis(post_id)
    for position, event in enumerate(events, start=1):
        if event.seq != position:
            problems.append(f"event {position}: sequence number {event.seq} (missing or reordered)")
        if event.prev != prev:
            problems.append(f"event {event.seq} ({event.type}): does not follow the event before it")
        if event.compute_hash() != event.hash:
            problems.append(f"event {event.seq} ({event.type}): content was altered")
        prev = event.hash
    if expected_count is not None and expected_count != len(events):
        problems.append(f"expected {expected_count} events, found {len(events)}")
    if expected_head is not None and events and expected_head != events[-1].hash:
        problems.append("the last event is not the one the post recorded")
    return problems
