"""The month's X spend per channel, against the in-memory fake and against DynamoDB (moto's
server over HTTP): adding under a budget, refusing past it, taking back, and a race of workers
that cannot all squeeze under the budget."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.fakes.x_spend import MemoryXSpend


@pytest.fixture(params=["memory", "dynamodb"])
def spend(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryXSpend()
        return
    table = request.getfixturevalue("table")
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.x_spend import DynamoXSpend

    yield DynamoXSpend(bootstrap.container().aws("dynamodb"), table)


def test_costs_add_up_per_channel_and_month(spend: Any) -> None:
    assert spend.add("x", "2026-12", Decimal("0.015"), None) == (True, Decimal(0))
    assert spend.add("x", "2026-12", Decimal("0.20"), None) == (True, Decimal("0.015"))
    assert spend.add("x", "2027-01", Decimal("0.015"), None) == (True, Decimal(0))
    assert spend.add("x2", "2026-12", Decimal("0.015"), None) == (True, Decimal(0))
    assert spend.spent("x", "2026-12") == Decimal("0.215")
    assert spend.spent("x", "2027-01") == Decimal("0.015")
    assert spend.spent("x", "2026-11") == Decimal(0)


def test_an_amount_past_the_budget_is_refused_and_changes_nothing(spend: Any) -> None:
    assert spend.add("x", "2026-12", Decimal("0.20"), Decimal("0.30")) == (True, Decimal(0))
    assert spend.add("x", "2026-12", Decimal("0.20"), Decimal("0.30")) == (False, Decimal("0.20"))
    assert spend.add("x", "2026-12", Decimal("0.50"), Decimal("0.30")) == (False, Decimal("0.20"))
    # exactly filling it is allowed
    assert spend.add("x", "2026-12", Decimal("0.10"), Decimal("0.30")) == (True, Decimal("0.20"))
    assert spend.spent("x", "2026-12") == Decimal("0.30")
    # a budget of nothing refuses the first post of a month
    assert spend.add("x", "2027-01", Decimal("0.015"), Decimal(0)) == (False, Decimal(0))
    assert spend.spent("x", "2027-01") == Decimal(0)


def test_a_cost_taken_back_makes_room_again(spend: Any) -> None:
    spend.add("x", "2026-12", Decimal("0.20"), Decimal("0.20"))
    spend.take_back("x", "2026-12", Decimal("0.20"))
    assert spend.spent("x", "2026-12") == Decimal(0)
    assert spend.add("x", "2026-12", Decimal("0.20"), Decimal("0.20"))[0] is True


def test_workers_racing_for_the_last_room_cannot_all_pass_the_budget(spend: Any) -> None:
    # GIVEN room for exactly three $0.20 posts, and eight workers adding one each at once
    budget = Decimal("0.60")
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        added, _ = spend.add("x", "2026-12", Decimal("0.20"), budget)
        with lock:
            results.append(added)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN three got in and the spend is exactly the budget
    assert sorted(results) == [False] * 5 + [True] * 3
    assert spend.spent("x", "2026-12") == budget
