"""Reviewers' absences against the in-memory fake and against DynamoDB (moto's server over
HTTP): found from either side while they run, never once they have ended, removed from both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.deputies import Away
from tests.fakes.deputies import MemoryDeputies

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryDeputies()
        return
    table = request.getfixturevalue("table")
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.deputies import DynamoDeputies

    yield DynamoDeputies(bootstrap.container().aws("dynamodb"), table)


def test_an_absence_is_found_from_both_sides_until_it_ends(store: Any) -> None:
    lena = Away("U0LEGAL1", "U0DEPUTY", NOW, NOW + timedelta(days=2), "U0LEGAL1")
    lars = Away("U0LEGAL2", "U0DEPUTY", NOW, NOW + timedelta(days=1), "U0LEGAL2")
    store.put(lena)
    store.put(lars)
    assert store.of_reviewer("U0LEGAL1", NOW) == [lena]
    assert store.covered_by("U0DEPUTY", NOW) == [lars, lena]  # ending soonest first
    later = NOW + timedelta(days=1)  # Lars is back
    assert store.of_reviewer("U0LEGAL2", later) == []
    assert store.covered_by("U0DEPUTY", later) == [lena]
    store.remove(lena)
    assert store.of_reviewer("U0LEGAL1", NOW) == []
    assert store.covered_by("U0DEPUTY", NOW) == [lars]
    assert store.of_reviewer("U0NOBODY", NOW) == []
