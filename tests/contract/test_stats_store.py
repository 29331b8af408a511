"""The figures' facts, against the in-memory fake and against DynamoDB (moto's server over
HTTP): kept per UTC day, read one day and one brand at a time, the same fact written twice is
one item."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.services.ports import StatsFact
from tests.fakes.stats import MemoryStatsStore


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryStatsStore()
        return
    table = request.getfixturevalue("table")
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.stats import DynamoStatsStore

    yield DynamoStatsStore(bootstrap.container().aws("dynamodb"), table)


def fact(brand: str, subject: str, key: str, at: str, **data: Any) -> StatsFact:
    return StatsFact("decision", brand, subject, key, at, dict(data))


def test_facts_are_read_by_day_and_brand(store: Any) -> None:
    store.put(fact("acme", "p1", "000004", "2026-11-28T23:59:59Z", step="legal", labels=["Ton"]))
    store.put(fact("acme", "p1", "000007", "2026-11-29T00:00:00Z", step="brand"))
    store.put(fact("acme-two", "p2", "000003", "2026-11-29T10:00:00Z", step="legal"))

    assert store.day("2026-11-28") == [
        fact("acme", "p1", "000004", "2026-11-28T23:59:59Z", step="legal", labels=["Ton"])]
    assert sorted(f.subject for f in store.day("2026-11-29")) == ["p1", "p2"]
    # "acme" is not a prefix match for "acme-two": the brand ends at its separator
    assert [f.subject for f in store.day("2026-11-29", "acme")] == ["p1"]
    assert store.day("2026-11-30") == []


def test_the_same_fact_written_again_is_one_item(store: Any) -> None:
    store.put(fact("acme", "p1", "000004", "2026-11-28T08:00:00Z", decision="approve"))
    store.put(fact("acme", "p1", "000004", "2026-11-28T08:00:00Z", decision="approve"))
    assert len(store.day("2026-11-28")) == 1
