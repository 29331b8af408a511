"""One set of storage rules, run against the in-memory fake and against DynamoDB (moto's
server over HTTP, as `make run` uses it): what one proves of the other holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, NotFound, Paused, StorageRefused
from chalicelib.domain.status import Status
from chalicelib.domain.timeline import verify
from tests.fakes import MemoryPostRepository
from tests.fakes.control import FakeControlStore
from tests.unit.helpers import AUTHOR, BRAND, LEGAL1, NOW, content, eligible, new_post, workflow


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryPostRepository()
        return
    table = request.getfixturevalue("table")
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.repository import DynamoPostRepository

    yield DynamoPostRepository(bootstrap.container().aws("dynamodb"), table)


def scheduled(post_id: str, hours: float, text: str = "Hallo") -> Any:
    wf = workflow()
    post = new_post(text, post_id=post_id, publish_at=NOW + timedelta(hours=hours))
    post.submit(wf, AUTHOR, NOW)
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", NOW, eligible(wf, "brand"))
    return post


def test_a_saved_post_reads_back_whole_with_its_timeline(repo: Any) -> None:
    post = scheduled("p1", 1, "Grüße 👋 <b>")
    repo.save(post)
    assert post.version == 1 and post.new_events == []
    loaded, events, refs = repo.get_full("p1")
    assert loaded.status is Status.SCHEDULED
    assert loaded.content == post.content
    assert [s.status for s in loaded.steps] == [s.status for s in post.steps]
    assert [e.type for e in events] == ["created", "submitted", "in_review", "decision", "scheduled"]
    assert verify("p1", events, loaded.timeline_count, loaded.timeline_head) == []
    assert refs == {}


def test_a_stale_save_is_a_conflict_and_stores_nothing(repo: Any) -> None:
    repo.save(scheduled("p1", 1))
    first, second = repo.get("p1"), repo.get("p1")
    first.withdraw(AUTHOR, NOW)
    repo.save(first)
    second.withdraw(AUTHOR, NOW)
    with pytest.raises(Conflict):
        repo.save(second)
    _, events, _ = repo.get_full("p1")
    assert [e.type for e in events].count("withdrawn") == 1


def test_a_save_unless_paused_stores_nothing_while_publishing_is_paused(repo: Any,
                                                                       request: Any) -> None:
    """The claim of a post due now is stored with its decision only while publishing is not
    paused, checked in the same write (the pause switch shares the table)."""
    if isinstance(repo, MemoryPostRepository):
        repo.control = control = FakeControlStore()
    else:
        from chalicelib import bootstrap
        from chalicelib.adapters.dynamodb.control import ControlStore

        control = ControlStore(bootstrap.container().aws("dynamodb"),
                               request.getfixturevalue("table"))
    repo.save(scheduled("p1", 0.5))
    control.pause("Krise", "U0ADMIN", NOW)
    post = repo.get("p1")
    post.claim(NOW)
    with pytest.raises(Paused):
        repo.save(post, unless_paused=True)
    assert repo.get("p1").status is Status.SCHEDULED
    control.resume("U0ADMIN", NOW)
    repo.save(post, unless_paused=True)
    assert repo.get("p1").status is Status.PUBLISHING
    assert repo.count_by_status()["publishing"] == 1


def test_creating_the_same_id_twice_is_a_conflict(repo: Any) -> None:
    repo.save(new_post(post_id="p1"))
    with pytest.raises(Conflict):
        repo.save(new_post(post_id="p1"))


def test_missing_posts_are_not_found(repo: Any) -> None:
    with pytest.raises(NotFound):
        repo.get("nope")
    with pytest.raises(NotFound):
        repo.get_full("nope")


def test_due_returns_only_scheduled_posts_whose_time_has_come(repo: Any) -> None:
    repo.save(scheduled("soon", 1))
    repo.save(scheduled("later", 5))
    repo.save(new_post(post_id="draft", publish_at=NOW))
    withdrawn = scheduled("gone", 1)
    withdrawn.withdraw(AUTHOR, NOW)
    repo.save(withdrawn)
    assert [p.id for p in repo.due(NOW + timedelta(hours=2))] == ["soon"]
    assert [p.id for p in repo.due(NOW + timedelta(hours=6))] == ["soon", "later"]
    assert repo.due(NOW) == []


def test_by_author_newest_first_with_status_filter(repo: Any) -> None:
    for index in range(3):
        post = new_post(post_id=f"p{index}")
        post.created_at = f"2026-11-2{index}T10:00:00Z"
        repo.save(post)
    other = new_post(post_id="other")
    other.author = other.author_id = "someone@freigabe.example"
    repo.save(other)
    assert [p.id for p in repo.by_author(AUTHOR)] == ["p2", "p1", "p0"]
    assert [p.id for p in repo.by_author(AUTHOR.upper(), "draft")] == ["p2", "p1", "p0"]
    assert repo.by_author(AUTHOR, "scheduled") == []


def test_calendar_spans_months(repo: Any) -> None:
    repo.save(scheduled("nov", 1))
    repo.save(scheduled("dec", 24 * 10))
    repo.save(scheduled("jan", 24 * 60))
    found = repo.calendar(NOW, NOW + timedelta(days=20))
    assert [p.id for p in found] == ["nov", "dec"]


def test_refs_are_kept_beside_the_post(repo: Any) -> None:
    repo.save(new_post(post_id="p1"))
    repo.save_ref("p1", "slack:brand", {"channel": "C0BRAND", "ts": "1.2"})
    _, _, refs = repo.get_full("p1")
    assert refs == {"slack:brand": {"channel": "C0BRAND", "ts": "1.2"}}


# -- content stored once per version (DynamoDB's 400 KB item limit) ------------------------------

BIG = "Rabatt " + "x" * 140_000  # legal and brand review it; three copies would pass 400 KB


def test_content_is_stored_once_however_many_steps_approve(repo: Any) -> None:
    wf = workflow()
    post = new_post(BIG)
    post.submit(wf, AUTHOR, NOW)
    repo.save(post)
    for step, reviewer in (("legal", LEGAL1), ("brand", BRAND)):
        post = repo.get("p1")
        post.decide(wf, step, reviewer, "approve", post.content_hash, "", NOW, eligible(wf, step))
        repo.save(post)
    loaded = repo.get("p1")
    assert loaded.status is Status.SCHEDULED
    assert [s.seen_hash for s in loaded.required_steps()] == [loaded.content_hash] * 2
    assert repo.content_version("p1", loaded.content_hash) == loaded.content


def test_each_content_version_reads_back_by_its_hash(repo: Any) -> None:
    wf = workflow()
    post = new_post("Erste Fassung")
    post.submit(wf, AUTHOR, NOW)
    first = post.content
    repo.save(post)
    post = repo.get("p1")
    post.edit(wf, AUTHOR, NOW, content("Zweite Fassung"), None)
    repo.save(post)
    assert repo.content_version("p1", first.hash) == first
    assert repo.content_version("p1", post.content_hash) == post.content
    assert repo.content_version("p1", "0" * 64) is None
    loaded, events, _ = repo.get_full("p1")
    assert loaded.content == post.content and events[-1].type == "in_review"


def test_a_post_over_the_item_limit_is_refused_by_name_and_stores_nothing(repo: Any) -> None:
    with pytest.raises(StorageRefused):
        repo.save(new_post("x" * 420_000))
    with pytest.raises(NotFound):
        repo.get("p1")


def test_status_counts_follow_every_save_and_a_recount_repairs_them(repo: Any) -> None:
    repo.save(scheduled("p1", 1))
    repo.save(scheduled("p2", 2))
    draft = new_post("Entwurf", post_id="p3")
    repo.save(draft)
    withdrawn = repo.get("p2")
    withdrawn.withdraw(AUTHOR, NOW)
    repo.save(withdrawn)
    counts = repo.count_by_status()
    assert (counts["scheduled"], counts["withdrawn"], counts["draft"]) == (1, 1, 1)
    assert sum(counts.values()) == 3
    if isinstance(repo, MemoryPostRepository):
        return
    # A process that stopped between a save and its count leaves the figures off: the
    # recount (every 15 minutes) puts them right from the status index.
    counts_key = {"PK": {"S": "CONTROL"}, "SK": {"S": "COUNTS"}}
    repo._client.update_item(TableName=repo._table, Key=counts_key, UpdateExpression="ADD scheduled :n",
                             ExpressionAttributeValues={":n": {"N": "5"}})
    assert repo.count_by_status()["scheduled"] == 6
    assert repo.recount_statuses()["scheduled"] == 1
    assert repo.count_by_status()["scheduled"] == 1


def test_a_table_without_counts_is_counted_on_first_ask(repo: Any) -> None:
    repo.save(scheduled("p1", 1))
    if not isinstance(repo, MemoryPostRepository):
        repo._client.delete_item(TableName=repo._table, Key={"PK": {"S": "CONTROL"}, "SK": {"S": "COUNTS"}})
    assert repo.count_by_status()["scheduled"] == 1
