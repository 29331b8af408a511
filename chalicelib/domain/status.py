"""Post statuses and the one table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIALLY_PUBLISHED = "partially_published"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class StepStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    NOT_REQUIRED = "not_required"


class ResultStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    FAILED = "failed"
    UNKNOWN = "unknown"


S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.DRAFT: frozenset({S.IN_REVIEW, S.SCHEDULED, S.WITHDRAWN}),
    # IN_REVIEW -> IN_REVIEW: an edit while in review restarts the review.
    # ... -> EXPIRED: not approved by its publish time plus the late window.
    S.IN_REVIEW: frozenset(
        {S.IN_REVIEW, S.CHANGES_REQUESTED, S.REJECTED, S.SCHEDULED, S.WITHDRAWN, S.EXPIRED}
    ),
    S.CHANGES_REQUESTED: frozenset({S.IN_REVIEW, S.SCHEDULED, S.WITHDRAWN, S.EXPIRED}),
    S.REJECTED: frozenset(),
    S.SCHEDULED: frozenset({S.IN_REVIEW, S.PUBLISHING, S.WITHDRAWN, S.EXPIRED}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.PARTIALLY_PUBLISHED, S.FAILED}),
    # An admin's retry sends the failed channels again.
    S.PARTIALLY_PUBLISHED: frozenset({S.PUBLISHING, S.PUBLISHED}),
    S.FAILED: frozenset({S.PUBLISHING, S.PUBLISHED, S.PARTIALLY_PUBLISHED}),
    S.PUBLISHED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.EXPIRED: frozenset(),
}

# Statuses in which the writer may still change the content.
EDITABLE = frozenset({S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.SCHEDULED})
# "Any status before publishing" (docs/api.md, withdraw).
WITHDRAWABLE = frozenset({S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.SCHEDULED})
TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# Not yet approved: only its author sees such a post in the team's calendar.
UNAPPROVED = frozenset({S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED})
# On the team's calendar at all (with a publication time).
ON_CALENDAR = UNAPPROVED | {S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.PARTIALLY_PUBLISHED, S.FAILED}
# Settled with channels an admin may send again.
RETRYABLE = frozenset({S.FAILED, S.PARTIALLY_PUBLISHED})


def can_transition(source: Status, target: Status) -> bool:
    return target in TRANSITIONS[source]
