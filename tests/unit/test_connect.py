"""Connecting accounts and keeping tokens alive (services/connect.py), against the in-memory
channel store and vault and a network fake that counts what it was asked."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.accounts import ChannelAccount
from chalicelib.domain.oauth import (
    Authorization,
    OAuthApp,
    OAuthRefused,
    Pkce,
    TokenGrant,
    due_warning,
    iso,
)
from chalicelib.services import connect
from chalicelib.services.ports import Identity
from tests.fakes.channels import MemoryChannelStore, MemoryTokenVault

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN = Identity(email="admin@example.com", name="Admin", subject="sub-admin")
OTHER = Identity(email="other@example.com", name="Other", subject="sub-other")
CALLBACK = "http://127.0.0.1:8000/oauth/callback"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class States:
    def __init__(self) -> None:
        self.items: dict[str, tuple[dict[str, str], datetime]] = {}
        self.seen: set[str] = set()

    def put(self, state: str, record: dict[str, str], expires_at: datetime) -> None:
        self.items[state] = (record, expires_at)

    def take(self, state: str, now: datetime) -> dict[str, str] | None:
        found = self.items.pop(state, None)
        return found[0] if found and found[1] > now else None

    def once(self, key: str) -> bool:
        first = key not in self.seen
        self.seen.add(key)
        return first


@dataclass
class Network:
    refreshable: bool = True
    refuse_refresh: bool = False
    refreshes: int = 0
    exchanged: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def authorize(self, app: OAuthApp, state: str, pkce: Pkce) -> Authorization:
        return Authorization(f"https://network.example/authorize?state={state}"
                             f"&challenge={pkce.challenge}", settings={"client_id": "registered"},
                             client_secret="app-secret")

    def exchange(self, app: OAuthApp, code: str, verifier: str, now: datetime) -> TokenGrant:
        self.exchanged.append((code, verifier))
        return TokenGrant("access-1", "refresh-1" if self.refreshable else None,
                          now + timedelta(hours=2), account="@demo")

    def refresh(self, app: OAuthApp, refresh_token: str, now: datetime) -> TokenGrant:
        with self.lock:
            self.refreshes += 1
            number = self.refreshes
        if self.refuse_refresh:
            raise OAuthRefused("X refused (HTTP 400): Value passed for the token was invalid.")
        assert app.client_secret == "app-secret"
        return TokenGrant(f"access-{number + 1}", f"refresh-{number + 1}",
                          now + timedelta(hours=2))


class Notices:
    def __init__(self) -> None:
        self.expiring: list[tuple[str, datetime, str]] = []
        self.stopped: list[tuple[str, str, str]] = []

    def channel_expiring(self, channel: str, ends_at: datetime, reconnect_url: str) -> None:
        self.expiring.append((channel, ends_at, reconnect_url))

    def channel_stopped(self, channel: str, reason: str, reconnect_url: str) -> None:
        self.stopped.append((channel, reason, reconnect_url))


@dataclass
class Rig:
    store: MemoryChannelStore
    vault: MemoryTokenVault
    states: States
    network: Network
    notices: Notices
    clock: Clock
    service: connect.Connect


@pytest.fixture
def rig() -> Rig:
    clock = Clock()
    store, vault, states, network, notices = (MemoryChannelStore(clock), MemoryTokenVault(),
                                              States(), Network(), Notices())
    store.save(ChannelAccount(name="x", type="x", base_url="https://api.x.com"), "admin", "created")
    service = connect.Connect(records=store, vault=vault, states=states,
                              networks=lambda kind: network if kind != "bluesky" else None,
                              clock=clock, admin_page="http://127.0.0.1:8000/",
                              notices=lambda: notices, sleep=lambda _s: None)
    return Rig(store, vault, states, network, notices, clock, service)


def connected(rig: Rig) -> str:
    url = connect.start(rig.service, "x", ADMIN, CALLBACK, "browser-1")
    state = url.split("state=")[1].split("&")[0]
    assert connect.finish(rig.service, state, "code-1", None, "browser-1", None) == "x"
    return state


def test_a_connect_stores_tokens_in_the_vault_and_the_record_says_connected(rig: Rig) -> None:
    connected(rig)
    account = rig.store.get("x")
    assert account is not None
    assert (account.status, account.account, account.refreshable) == ("connected", "@demo", True)
    assert account.expires_at == iso(NOW + timedelta(hours=2))
    assert account.settings["client_id"] == "registered"
    assert rig.vault.get("x") == {"access_token": "access-1", "refresh_token": "refresh-1",
                                  "client_secret": "app-secret",
                                  "expires_at": iso(NOW + timedelta(hours=2))}
    assert "access-1" not in repr(account)  # the record never holds a token
    # The PKCE verifier the callback sent matches the challenge the authorization URL named.
    code, verifier = rig.network.exchanged[0]
    assert code == "code-1" and 43 <= len(verifier) <= 128
    assert [change.what for change in rig.store.log("x")][-1] == "connected as @demo"


def test_a_replayed_state_is_refused_and_changes_nothing(rig: Rig) -> None:
    state = connected(rig)
    before = rig.store.get("x")
    with pytest.raises(connect.ConnectRefused):
        connect.finish(rig.service, state, "code-2", None, "browser-1", None)
    assert rig.store.get("x") == before and len(rig.network.exchanged) == 1


@pytest.mark.parametrize("binding,admin,late", [
    ("another-browser", None, False), (None, None, False), ("browser-1", OTHER, False),
    ("browser-1", None, True)])
def test_a_state_from_another_browser_admin_or_too_late_is_refused(
        rig: Rig, binding: str | None, admin: Identity | None, late: bool) -> None:
    url = connect.start(rig.service, "x", ADMIN, CALLBACK, "browser-1")
    state = url.split("state=")[1].split("&")[0]
    if late:
        rig.clock.now = NOW + timedelta(minutes=11)
    with pytest.raises(connect.ConnectRefused):
        connect.finish(rig.service, state, "code-1", None, binding, admin)
    account = rig.store.get("x")
    assert account is not None and account.status == "not_connected"
    assert rig.network.exchanged == [] and "access_token" not in (rig.vault.get("x") or {})


def test_a_denied_consent_is_refused_in_words(rig: Rig) -> None:
    url = connect.start(rig.service, "x", ADMIN, CALLBACK, "b")
    state = url.split("state=")[1].split("&")[0]
    with pytest.raises(connect.ConnectRefused) as refused:
        connect.finish(rig.service, state, None, "access_denied", "b", None)
    assert refused.value.key == "oauth_denied"


def test_a_token_about_to_expire_is_refreshed_once_and_rotated(rig: Rig) -> None:
    connected(rig)
    source = connect.TokenSource(rig.service)
    assert source.access_token("x") == "access-1" and rig.network.refreshes == 0
    rig.clock.now = NOW + timedelta(hours=1, minutes=56)
    assert source.access_token("x") == "access-2"
    assert source.access_token("x") == "access-2" and rig.network.refreshes == 1
    assert (rig.vault.get("x") or {})["refresh_token"] == "refresh-2"
    account = rig.store.get("x")
    assert account is not None and account.token_version == 2


def test_a_401_forces_one_refresh_and_a_second_worker_gets_the_new_token(rig: Rig) -> None:
    connected(rig)
    source = connect.TokenSource(rig.service)
    assert source.after_unauthorized("x", rejected="access-1") == "access-2"
    # Another worker was refused the same old token a moment later: no second refresh.
    assert source.after_unauthorized("x", rejected="access-1") == "access-2"
    assert rig.network.refreshes == 1


def test_five_workers_at_once_make_one_refresh_and_all_get_the_new_token(rig: Rig) -> None:
    connected(rig)
    rig.clock.now = NOW + timedelta(hours=3)
    source = connect.TokenSource(rig.service)
    rig.service.sleep = lambda _s: threading.Event().wait(0.01)
    start, got = threading.Barrier(5), []

    def worker() -> None:
        start.wait()
        got.append(source.access_token("x"))

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["access-2"] * 5 and rig.network.refreshes == 1


def test_a_refused_refresh_marks_the_channel_expired_and_tells_the_admins_once(rig: Rig) -> None:
    connected(rig)
    rig.network.refuse_refresh = True
    rig.clock.now = NOW + timedelta(hours=3)
    source = connect.TokenSource(rig.service)
    with pytest.raises(connect.NotConnected):
        source.access_token("x")
    with pytest.raises(connect.NotConnected):
        source.access_token("x")
    account = rig.store.get("x")
    assert account is not None and account.status == "expired"
    assert "could not be refreshed" in (account.last_error or "")
    assert len(rig.notices.stopped) == 1
    assert rig.notices.stopped[0][2] == "http://127.0.0.1:8000/#admin/channels/x"
    assert rig.network.refreshes == 1


def test_warnings_come_7_days_and_1_day_before_and_once_when_it_stops(rig: Rig) -> None:
    ends = NOW + timedelta(days=60)
    rig.store.save(rig.store.get("x").changed(  # type: ignore[union-attr]
        status="connected", expires_at=iso(ends), refreshable=False), "admin", "connected")
    for days_before, told in ((10, 0), (7, 1), (6, 1), (1, 2), (0.5, 2)):
        rig.clock.now = ends - timedelta(days=days_before)
        connect.warn_expiring(rig.service, rig.store.list())
        assert len(rig.notices.expiring) == told, days_before
    rig.clock.now = ends + timedelta(minutes=1)
    assert connect.warn_expiring(rig.service, rig.store.list())["stopped"] == 1
    connect.warn_expiring(rig.service, rig.store.list())
    assert len(rig.notices.stopped) == 1
    assert rig.store.get("x").status == "expired"  # type: ignore[union-attr]


def test_a_retired_linkedin_version_marks_the_channel_and_tells_admins(rig: Rig) -> None:
    connected(rig)
    connect.version_retired(rig.service, "x", "202401")
    account = rig.store.get("x")
    assert account is not None and account.status == "error"
    assert "retired API version 202401" in rig.notices.stopped[0][1]


def test_due_warning_picks_the_nearest() -> None:
    assert due_warning(None, NOW) is None
    assert due_warning(NOW + timedelta(days=8), NOW) is None
    assert due_warning(NOW + timedelta(days=3), NOW) == "7d"
    assert due_warning(NOW + timedelta(hours=3), NOW) == "1d"
    assert due_warning(NOW, NOW) == "expired"
