"""The transition table, exhaustively: every pair of statuses is either allowed or not, and
the allowed set is exactly the one the product promises."""

from __future__ import annotations

import itertools

from chalicelib.domain.status import TERMINAL, TRANSITIONS, WITHDRAWABLE, Status, can_transition

S = Status
ALLOWED = {
    (S.DRAFT, S.IN_REVIEW), (S.DRAFT, S.SCHEDULED), (S.DRAFT, S.WITHDRAWN),
    (S.IN_REVIEW, S.IN_REVIEW), (S.IN_REVIEW, S.CHANGES_REQUESTED), (S.IN_REVIEW, S.REJECTED),
    (S.IN_REVIEW, S.SCHEDULED), (S.IN_REVIEW, S.WITHDRAWN), (S.IN_REVIEW, S.EXPIRED),
    (S.CHANGES_REQUESTED, S.IN_REVIEW), (S.CHANGES_REQUESTED, S.SCHEDULED),
    (S.CHANGES_REQUESTED, S.WITHDRAWN), (S.CHANGES_REQUESTED, S.EXPIRED),
    (S.SCHEDULED, S.IN_REVIEW), (S.SCHEDULED, S.PUBLISHING), (S.SCHEDULED, S.WITHDRAWN),
    (S.SCHEDULED, S.EXPIRED),
    (S.PUBLISHING, S.PUBLISHED), (S.PUBLISHING, S.PARTIALLY_PUBLISHED), (S.PUBLISHING, S.FAILED),
    (S.PARTIALLY_PUBLISHED, S.PUBLISHING), (S.PARTIALLY_PUBLISHED, S.PUBLISHED),
    (S.FAILED, S.PUBLISHING), (S.FAILED, S.PUBLISHED), (S.FAILED, S.PARTIALLY_PUBLISHED),
}


def test_every_pair_of_statuses() -> None:
    for source, target in itertools.product(Status, Status):
        assert can_transition(source, target) == ((source, target) in ALLOWED), (source, target)


def test_every_status_has_a_row() -> None:
    assert set(TRANSITIONS) == set(Status)


def test_published_withdrawn_expired_rejected_are_final() -> None:
    assert {S.PUBLISHED, S.WITHDRAWN, S.EXPIRED, S.REJECTED} == TERMINAL


def test_nothing_reaches_publishing_except_from_scheduled_or_a_retry() -> None:
    sources = {s for s in Status if can_transition(s, S.PUBLISHING)}
    assert sources == {S.SCHEDULED, S.FAILED, S.PARTIALLY_PUBLISHED}


def test_withdrawable_is_everything_before_publishing() -> None:
    assert {S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.SCHEDULED} == WITHDRAWABLE
    assert all(can_transition(s, S.WITHDRAWN) for s in WITHDRAWABLE)
