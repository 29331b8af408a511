"""Messages the domain records for the outside world (Slack, the publish queue). Services
dispatch them after the post is stored, so nothing is announced that was not saved."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewRequested:
    post_id: str
    step: str
    content_hash: str


@dataclass(frozen=True)
class ReviewVoided:
    """An open request whose content changed or whose post left review."""

    post_id: str
    step: str
    reason: str


@dataclass(frozen=True)
class DecisionRecorded:
    post_id: str
    step: str
    decision: str
    reviewer_id: str
    comment: str


@dataclass(frozen=True)
class PostScheduled:
    post_id: str
    publish_at: str | None


@dataclass(frozen=True)
class PostSettled:
    """Every channel has a result: published, partially published or failed."""

    post_id: str
    status: str


@dataclass(frozen=True)
class PostExpired:
    post_id: str


Message = (
    ReviewRequested | ReviewVoided | DecisionRecorded | PostScheduled | PostSettled | PostExpired
)


_KINDS: dict[str, type] = {
    kind.__name__: kind
    for kind in (ReviewRequested, ReviewVoided, DecisionRecorded, PostScheduled, PostSettled,
                 PostExpired)
}


def message_to_dict(message: Message) -> dict[str, object]:
    return {"kind": type(message).__name__, **message.__dict__}


def message_from_dict(data: dict[str, object]) -> Message | None:
    """None for a kind this version does not know (written by a newer one)."""
    fields = dict(data)
    kind = _KINDS.get(str(fields.pop("kind", "")))
    if kind is None:
        return None
    try:
        return kind(**fields)  # type: ignore[no-any-return]
    except TypeError:
        return None
