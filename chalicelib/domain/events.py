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
