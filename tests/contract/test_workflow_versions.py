"""The workflow's saved versions, against the in-memory fake and against DynamoDB (moto's
server over HTTP): a version is stored only right after the current one, whoever races for
it; what is stored reads back whole; the listing is newest first without the text."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.workflow_versions import Change, WorkflowVersion
from tests.fakes.workflow_versions import MemoryVersions


@pytest.fixture(params=["memory", "dynamodb"])
def versions(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryVersions()
        return
    table = request.getfixturevalue("table")
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.workflows import DynamoWorkflowVersions

    yield DynamoWorkflowVersions(bootstrap.container().aws("dynamodb"), table)


def version(number: int, text: str = "", by: str = "admin@freigabe.example") -> WorkflowVersion:
    return WorkflowVersion(number, text or f"# version {number}\nlanguage = \"de\"\n", by,
                           f"2026-11-29T12:0{number % 10}:00+00:00",
                           (Change("steps.brand.reviewers", "changed", "U1", f"U{number}"),))


def test_an_empty_store_has_no_version(versions: Any) -> None:
    assert versions.current() is None and versions.get(1) is None and versions.history(10) == []


def test_versions_follow_one_another_and_read_back_whole(versions: Any) -> None:
    for number in (1, 2, 3):
        versions.save(version(number))
    assert versions.current() == version(3)
    assert versions.get(2) == version(2)
    listed = versions.history(2)
    assert [v.number for v in listed] == [3, 2] and all(v.toml == "" for v in listed)
    assert listed[0].changes == version(3).changes and listed[0].saved_by == "admin@freigabe.example"


@pytest.mark.parametrize("number", [0, 1, 2, 5])
def test_any_number_but_the_next_is_a_conflict_and_changes_nothing(versions: Any,
                                                                   number: int) -> None:
    versions.save(version(1))
    versions.save(version(2))
    with pytest.raises(Conflict):
        versions.save(version(number, text="# not stored\n"))
    assert versions.current() == version(2)
    assert [v.number for v in versions.history(10)] == [2, 1]


def test_of_admins_saving_at_once_exactly_one_wins(versions: Any) -> None:
    versions.save(version(1))
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def save(who: int) -> None:
        start.wait()
        try:
            versions.save(version(2, text=f"# by {who}\n", by=f"admin{who}@freigabe.example"))
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(who,)) for who in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    current = versions.current()
    assert current.number == 2 and versions.get(2) == current
