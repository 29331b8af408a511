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
    reviewer_id: str  # a Slack user id, or "external:<name>" for a link step's reviewer
    comment: str
    labels: tuple[str, ...] = ()
    quote: str | None = None
    checklist: tuple[str, ...] = ()
    as_deputy_for: str | None = None  # the absent reviewer a deputy decided for


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
    """Too late to publish: the author is told, and so is each step's channel (``steps``: the
    required steps, whose channels saw the review)."""

    post_id: str
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldPlaced:
    post_id: str
    step: str
    by: str
    reason: str


@dataclass(frozen=True)
class HoldReleased:
    post_id: str
    step: str
    by: str


@dataclass(frozen=True)
class ReviewOverdue:
    """A review request passed its due time (told once per request); ``escalate_to`` is the
    step's Slack user, user group or channel, None: the step's own channel."""

    post_id: str
    step: str
    escalate_to: str | None


@dataclass(frozen=True)
class ChannelsNotConnected:
    """A post fell due on channels that are not connected: it is held back (not failed) until
    an admin reconnects them; its author is told once per set of channels."""

    post_id: str
    channels: tuple[str, ...]


Message = (
    ReviewRequested | ReviewVoided | DecisionRecorded | PostScheduled | PostSettled | PostExpired
    | HoldPlaced | HoldReleased | ReviewOverdue | ChannelsNotConnected
)


_KINDS: dict[str, type] = {
    kind.__name__: kind
    for kind in (ReviewRequested, ReviewVoided, DecisionRecorded, PostScheduled, PostSettled,
                 PostExpired, HoldPlaced, HoldReleased, ReviewOverdue, ChannelsNotConnected)
}


def message_to_dict(message: Message) -> dict[str, object]:
    return {"kind": type(message).__name__, **message.__dict__}


def message_from_dict(data: dict[str, object]) -> Message | None:
    """None for a kind this version does not know (written by a newer one)."""
    fields = dict(data)
    kind = _KINDS.get(str(fields.pop("kind", "")))
    if kind is None:
        return None
    # Stored as JSON, tuples come back as lists.
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    try:
        return kind(**fields)  # type: ignore[no-any-return]
    except TypeError:
        return None
