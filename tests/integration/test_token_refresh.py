"""Tokens that refresh themselves, on the local AWS emulator (the lease in DynamoDB, the tokens in
SSM) against the X stand-in's token endpoint, whose refresh tokens work once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.oauth.networks import network_for
from chalicelib.domain.accounts import ChannelAccount
from chalicelib.domain.oauth import Pkce
from chalicelib.services import connect
from chalicelib.services.ports import Identity
from dev.oauth_standins import Standins, serve
from tests.conftest import free_port
from tests.integration.test_oauth_connect import consent

ADMIN = Identity(email="admin@freigabe.example", name="Admin")
TOKEN_CALL = "POST /x/2/oauth2/token"


class Notices:
    def __init__(self) -> None:
        self.stopped: list[tuple[str, str, str]] = []

    def channel_expiring(self, channel: str, ends_at: datetime, reconnect_url: str) -> None:
        raise AssertionError("an X token refreshes itself: no expiry warning")

    def channel_stopped(self, channel: str, reason: str, reconnect_url: str) -> None:
        self.stopped.append((channel, reason, reconnect_url))


class Clock:
    def __init__(self) -> None:
        self.shift = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


@pytest.fixture
def rig(table: str) -> Iterator[tuple[connect.Connect, Standins, Notices, Clock]]:
    server, state = serve(free_port())
    base = f"http://127.0.0.1:{server.server_address[1]}"
    container = bootstrap.container()
    clock, notices = Clock(), Notices()
    service = connect.Connect(records=container.channel_store, vault=container.token_vault,
                              states=container.connect_states, networks=network_for, clock=clock,
                              admin_page="http://127.0.0.1:8000/", notices=lambda: notices)
    container.channel_store.save(ChannelAccount(
        name="x", type="x", base_url=f"{base}/x",
        settings={"client_id": "x-client", "auth_url": f"{base}/x/i/oauth2/authorize"}),
        ADMIN.email, "created")
    container.token_vault.put("x", {"client_secret": "x-secret"})
    url = connect.start(service, "x", ADMIN, "http://127.0.0.1:8000/oauth/callback", "browser")
    back = consent(url)
    connect.finish(service, back["state"], back["code"], None, "browser", None)
    yield service, state, notices, clock
    server.shutdown()


def token(service: connect.Connect) -> str:
    return (service.vault.get("x") or {})["access_token"]


def test_a_token_two_hours_old_is_refreshed_before_use(rig: Any) -> None:
    service, state, _, clock = rig
    first = token(service)
    source = connect.TokenSource(service)
    assert source.access_token("x") == first and state.calls.get(TOKEN_CALL) == 1
    clock.shift = timedelta(hours=1, minutes=58)  # X's tokens last two hours
    fresh = source.access_token("x")
    assert fresh != first and fresh in state.tokens and state.calls[TOKEN_CALL] == 2
    account = service.records.get("x")
    assert account.token_version == 2 and account.status == "connected"


def test_five_workers_needing_a_token_at_once_refresh_it_exactly_once(rig: Any) -> None:
    service, state, _, clock = rig
    clock.shift = timedelta(hours=3)  # expired between approval and publish time
    source = connect.TokenSource(service)
    barrier, got = threading.Barrier(5), []

    def worker() -> None:
        barrier.wait()
        got.append(source.access_token("x"))

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(got) == 5 and len(set(got)) == 1 and got[0] in state.tokens
    assert state.calls[TOKEN_CALL] == 2  # the connect's exchange and one refresh


def test_a_401_refreshes_once_even_when_asked_twice(rig: Any) -> None:
    service, state, _, _ = rig
    old = token(service)
    source = connect.TokenSource(service)
    fresh = source.after_unauthorized("x", rejected=old)
    assert fresh and fresh != old
    assert source.after_unauthorized("x", rejected=old) == fresh
    assert state.calls[TOKEN_CALL] == 2


def test_a_revoked_refresh_token_marks_the_channel_expired_and_tells_the_admins(rig: Any) -> None:
    service, state, notices, clock = rig
    state.refresh_tokens.clear()  # the user revoked the app at X
    clock.shift = timedelta(hours=3)
    with pytest.raises(connect.NotConnected):
        connect.TokenSource(service).access_token("x")
    account = service.records.get("x")
    assert account.status == "expired" and "could not be refreshed" in account.last_error
    assert [(name, url) for name, _, url in notices.stopped] == [
        ("x", "http://127.0.0.1:8000/#admin/channels/x")]
    assert [change.what for change in service.records.log("x")][-1].startswith("stopped working")


def test_a_revoked_access_token_without_refresh_stops_the_channel(rig: Any) -> None:
    service, state, notices, _ = rig
    old = token(service)
    state.tokens.pop(old)
    tokens = service.vault.get("x")
    service.vault.put("x", {k: v for k, v in tokens.items() if k != "refresh_token"})
    assert connect.TokenSource(service).after_unauthorized("x", rejected=old) is None
    assert service.records.get("x").status == "expired" and len(notices.stopped) == 1


def test_pkce_is_new_for_every_connect() -> None:
    assert Pkce.new().verifier != Pkce.new().verifier
