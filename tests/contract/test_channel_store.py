"""Run-time channels' storage rules, against the in-memory fake and against DynamoDB and SSM
(moto's server over HTTP, as `make run` uses it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.accounts import ChannelAccount
from chalicelib.domain.errors import Conflict, NotFound
from tests.fakes.channels import MemoryChannelStore, MemoryTokenVault
from tests.fakes.clock import Clock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, clock: Clock) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryChannelStore(clock)
        return
    table = request.getfixturevalue("table")
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.channels import DynamoChannelStore

    yield DynamoChannelStore(bootstrap.container().aws("dynamodb"), table, clock)


@pytest.fixture(params=["memory", "ssm"])
def vault(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryTokenVault()
        return
    request.getfixturevalue("aws_endpoint")
    import uuid

    from chalicelib import bootstrap
    from chalicelib.adapters.token_vault import SsmTokenVault

    bootstrap.reset()
    yield SsmTokenVault(bootstrap.container().aws("ssm"), f"/freigabe/test-{uuid.uuid4().hex[:8]}")


def mastodon(name: str = "social") -> ChannelAccount:
    return ChannelAccount(name=name, type="mastodon", base_url="https://m.example",
                          settings={"client_id": "abc"})


def test_a_saved_channel_reads_back_and_is_listed(store: Any) -> None:
    saved = store.save(mastodon(), "admin@example.com", "created")
    assert saved.version == 1
    store.save(mastodon("another"), "admin@example.com", "created")
    assert store.get("social") == saved
    assert [c.name for c in store.list()] == ["another", "social"]
    assert store.get("missing") is None


def test_every_field_survives_the_round_trip(store: Any) -> None:
    account = mastodon().changed(status="connected", account="@team@m.example",
                                 expires_at="2026-12-01T11:00:00Z", refreshable=True,
                                 refresh_expires_at="2027-06-01T00:00:00Z", token_version=3,
                                 x_monthly_budget_usd=12.5, last_error="HTTP 401: gone")
    saved = store.save(account, "a@example.com", "connected")
    assert store.get("social") == saved
    cleared = store.save(saved.changed(last_error=None, expires_at=None), "a@example.com", "x")
    assert store.get("social") == cleared
    assert cleared.last_error is None and cleared.expires_at is None


def test_a_stale_or_duplicate_save_is_a_conflict_and_changes_nothing(store: Any) -> None:
    saved = store.save(mastodon(), "a@example.com", "created")
    with pytest.raises(Conflict):
        store.save(mastodon(), "b@example.com", "created")
    store.save(saved.changed(account="@one"), "a@example.com", "connected")
    with pytest.raises(Conflict):
        store.save(saved.changed(account="@two"), "b@example.com", "connected")
    assert store.get("social").account == "@one"
    assert [(c.by, c.what) for c in store.log("social")] == [
        ("a@example.com", "created"), ("a@example.com", "connected")]


def test_deleting_removes_the_channel_and_logs_who_did_it(store: Any, clock: Clock) -> None:
    store.save(mastodon(), "a@example.com", "created")
    clock.advance(minutes=5)
    store.delete("social", "b@example.com")
    assert store.get("social") is None and store.list() == []
    log = store.log("social")
    assert [(c.by, c.what) for c in log] == [("a@example.com", "created"),
                                             ("b@example.com", "deleted")]
    assert log[1].at.startswith("2026-12-01T09:05")
    with pytest.raises(NotFound):
        store.delete("social", "b@example.com")


def test_one_refresher_holds_the_lease_until_it_finishes_or_the_lease_ends(
        store: Any, clock: Clock) -> None:
    store.save(mastodon(), "a@example.com", "created")
    assert store.lease_refresh("social", NOW + timedelta(seconds=30), "worker-1")
    assert not store.lease_refresh("social", NOW + timedelta(seconds=30), "worker-2")
    store.finish_refresh("social", "worker-1", "2026-12-01T11:00:00Z", 2)
    refreshed = store.get("social")
    assert refreshed.token_version == 2 and refreshed.expires_at == "2026-12-01T11:00:00Z"
    assert refreshed.status == "connected"
    assert store.log("social")[-1].what == "token refreshed"
    # Given up: the next one may take it.
    assert store.lease_refresh("social", NOW + timedelta(seconds=30), "worker-2")
    clock.advance(seconds=31)
    assert store.lease_refresh("social", NOW + timedelta(seconds=90), "worker-3")
    with pytest.raises(Conflict):
        store.finish_refresh("social", "worker-2", None, 3)  # its lease ended and was taken
    assert store.get("social").token_version == 2


def test_of_many_refreshers_at_once_exactly_one_wins(store: Any) -> None:
    store.save(mastodon(), "a@example.com", "created")
    winners: list[str] = []
    start = threading.Barrier(8)

    def attempt(holder: str) -> None:
        start.wait()
        if store.lease_refresh("social", NOW + timedelta(seconds=30), holder):
            winners.append(holder)

    threads = [threading.Thread(target=attempt, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1


def test_a_missing_channel_cannot_be_leased(store: Any) -> None:
    assert not store.lease_refresh("nope", NOW + timedelta(seconds=30), "w")


def test_last_results_per_channel(store: Any) -> None:
    store.record_result("mastodon", True, None, "2026-12-01T09:00:00Z")
    store.record_result("x", False, "HTTP 401: Unauthorized", "2026-12-01T09:01:00Z")
    store.record_result("mastodon", False, "HTTP 500", "2026-12-01T09:02:00Z")
    assert store.results() == {"mastodon": ("2026-12-01T09:00:00Z", "HTTP 500"),
                               "x": (None, "HTTP 401: Unauthorized")}
    store.record_result("mastodon", True, None, "2026-12-01T09:03:00Z")
    assert store.results()["mastodon"] == ("2026-12-01T09:03:00Z", None)


def test_the_vault_keeps_secrets_per_channel(vault: Any) -> None:
    assert vault.get("social") is None
    vault.put("social", {"access_token": "tok-1", "refresh_token": "ref-1", "empty": ""})
    assert vault.get("social") == {"access_token": "tok-1", "refresh_token": "ref-1"}
    vault.put("social", {"access_token": "tok-2"})
    assert vault.get("social") == {"access_token": "tok-2"}
    vault.delete("social")
    vault.delete("social")  # twice is fine
    assert vault.get("social") is None


def test_ssm_keeps_the_tokens_as_a_secure_string(aws_endpoint: str) -> None:
    from chalicelib import bootstrap
    from chalicelib.adapters.token_vault import SsmTokenVault

    bootstrap.reset()
    ssm = bootstrap.container().aws("ssm")
    vault = SsmTokenVault(ssm, "/freigabe/secure-test/channels")
    vault.put("x-main", {"access_token": "secret-value"})
    stored = ssm.get_parameter(Name="/freigabe/secure-test/channels/x-main")["Parameter"]
    assert stored["Type"] == "SecureString"
    decrypted = ssm.get_parameter(Name="/freigabe/secure-test/channels/x-main",
                                  WithDecryption=True)["Parameter"]["Value"]
    assert json.loads(decrypted) == {"access_token": "secret-value"}
