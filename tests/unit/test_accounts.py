"""Channels and accounts with fakes: a channel's status as of now, what a new run-time channel
may be, the health every surface reads, the admins' use cases, a run-time channel's publisher
(fresh token, one refresh after a 401, LinkedIn's retired version in words) and the post that
falls due on a channel that is not connected (held back, author and admins told, published
once connected)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.channels.base import HttpOptions
from chalicelib.adapters.channels.registry import (
    NOT_CONNECTED,
    ChannelDirectory,
    RuntimeChannels,
    build_runtime_publisher,
)
from chalicelib.domain import events as ev
from chalicelib.domain.accounts import ChannelAccount, new_channel
from chalicelib.domain.errors import Conflict, Forbidden, InvalidContent
from chalicelib.domain.post import CHANNEL_NOT_CONNECTED
from chalicelib.domain.publication import Copy, Publication
from chalicelib.domain.status import Status
from chalicelib.services import accounts
from chalicelib.services.ports import Identity
from tests.fakes.channels import MemoryChannelStore, MemoryTokenVault
from tests.fakes.clock import Clock
from tests.fakes.publishing import PublishingPorts
from tests.standins.linkedin import LinkedInStandin
from tests.standins.mastodon import MastodonStandin
from tests.standins.server import Recorded, Reply
from tests.unit.helpers import NOW as POST_NOW
from tests.unit.helpers import workflow

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN = Identity(email="Admin@Freigabe.example", name="Ada")
WRITER = Identity(email="wanda@freigabe.example", name="Wanda")


def at(**delta: float) -> str:
    return (NOW + timedelta(**delta)).isoformat().replace("+00:00", "Z")


# -- status ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("account", "expected"), [
    (ChannelAccount("a", "x"), "not_connected"),
    (ChannelAccount("a", "x", status="connected"), "connected"),
    (ChannelAccount("a", "x", status="connected", expires_at=at(days=30)), "connected"),
    (ChannelAccount("a", "x", status="connected", expires_at=at(days=6)), "expiring"),
    (ChannelAccount("a", "x", status="connected", expires_at=at(seconds=-1)), "expired"),
    # A refreshable token renews itself: only the refresh token's end counts.
    (ChannelAccount("a", "x", status="connected", expires_at=at(hours=-1), refreshable=True),
     "connected"),
    (ChannelAccount("a", "x", status="connected", refreshable=True,
                    refresh_expires_at=at(days=1)), "expiring"),
    (ChannelAccount("a", "x", status="error", expires_at=at(days=30)), "error"),
])
def test_status_as_of_now(account: ChannelAccount, expected: str) -> None:
    assert account.status_at(NOW) == expected
    assert account.is_usable(NOW) == (expected in ("connected", "expiring"))


def test_a_new_channel_keeps_its_client_secret_apart_and_gets_defaults() -> None:
    account, secrets = new_channel("li", "linkedin", None,
                                   {"client_id": "id", "client_secret": "s"}, frozenset())
    assert secrets == {"client_secret": "s"}
    assert account.settings == {"client_id": "id", "linkedin_version": "202510"}
    assert account.base_url == "https://api.linkedin.com" and account.status == "not_connected"


@pytest.mark.parametrize(("name", "type_", "base_url", "settings", "error"), [
    ("outbox", "x", None, {}, Conflict),
    ("UPPER", "x", None, {}, InvalidContent),
    ("a" * 41, "x", None, {}, InvalidContent),
    ("ok", "webhook", None, {}, InvalidContent),
    ("ok", "mastodon", None, {}, InvalidContent),
    ("ok", "x", "javascript:alert(1)", {}, InvalidContent),
    ("ok", "x", None, {"token_url": "not a url"}, InvalidContent),
    ("ok", "facebook_page", None, {"page_id": "abc"}, InvalidContent),
    ("ok", "linkedin", None, {"author": "someone"}, InvalidContent),
])
def test_bad_new_channels_are_refused(name: str, type_: str, base_url: str | None,
                                      settings: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        new_channel(name, type_, base_url, settings, frozenset({"outbox"}))


# -- the admins' use cases ------------------------------------------------------------------

def rig(**overrides: Any) -> accounts.Accounts:
    wf = replace(workflow(), admin_emails=frozenset({"admin@freigabe.example"}))
    return accounts.Accounts(store=MemoryChannelStore(Clock(NOW)), vault=MemoryTokenVault(),
                             workflow=wf, file_channels=wf.channels, clock=lambda: NOW,
                             **overrides)


def test_only_web_admins_manage_channels_whatever_the_case_of_their_email() -> None:
    a = rig()
    with pytest.raises(Forbidden):
        accounts.create(a, WRITER, "tx", "x", None, {})
    with pytest.raises(Forbidden):
        accounts.overview(a, WRITER)
    assert a.store.list() == []
    accounts.create(a, ADMIN, "tx", "x", None, {})
    assert [c["name"] for c in accounts.overview(a, ADMIN) if c["source"] == "runtime"] == ["tx"]


def test_health_lists_file_channels_by_their_last_result_and_summarises() -> None:
    a = rig()
    a.store.record_result("x", False, "HTTP 401: Unauthorized", at())
    a.store.record_result("mastodon", False, "HTTP 500", at())
    accounts.create(a, ADMIN, "tx", "x", None, {})
    listed = {acc.name: status for acc, status in accounts.health(a.store, a.file_channels, NOW)}
    assert listed["x"] == "error" and listed["mastodon"] == "connected"
    assert listed["tx"] == "not_connected"
    summary = accounts.summary(accounts.health(a.store, a.file_channels, NOW))
    assert summary["not_connected"] == ["tx"] and summary["error"] == ["x"]
    assert summary["connected"] == len(a.file_channels) - 1


def test_bluesky_credentials_refused_store_nothing() -> None:
    def sign_in(name: str, base_url: str, handle: str, app_password: str) -> str:
        if app_password != "right":
            raise LookupError("Invalid identifier or password")
        return handle

    a = rig(bluesky_sign_in=sign_in)
    accounts.create(a, ADMIN, "sky", "bluesky", None, {})
    with pytest.raises(InvalidContent) as refused:
        accounts.set_credentials(a, ADMIN, "sky", "team.bsky.social", "wrong")
    assert "wrong" not in str(refused.value.params)
    assert a.vault.get("sky") is None and a.store.get("sky").status == "not_connected"
    saved = accounts.set_credentials(a, ADMIN, "sky", "@team.bsky.social", "right")
    assert saved.status == "connected" and saved.account == "team.bsky.social"
    assert a.vault.get("sky") == {"app_password": "right"}
    assert saved.settings["identifier"] == "team.bsky.social"


# -- a run-time channel's publisher ---------------------------------------------------------

class Tokens:
    """A TokenSource that counts: the first token is refused by the stand-in, a refresh gives
    a good one (``good``), or none."""

    def __init__(self, first: str, fresh: str | None) -> None:
        self.first, self.fresh = first, fresh
        self.refreshes: list[str | None] = []

    def access_token(self, channel: str) -> str:
        if not self.first:
            raise LookupError(f"the channel {channel} is not connected")
        return self.first

    def after_unauthorized(self, channel: str, rejected: str | None = None) -> str | None:
        self.refreshes.append(rejected)
        if self.fresh is not None:
            self.first = self.fresh
        return self.fresh


FAST = HttpOptions(max_attempts=1, sleep_budget=0, sleep=lambda _s: None)
COPY = Copy(text="Hallo", title="", author="wanda@freigabe.example", publish_at=None)
PUB = Publication("p1", "social", "h" * 64)


def test_after_a_401_the_token_is_refreshed_once_and_the_post_goes_out() -> None:
    with MastodonStandin() as network:
        account = ChannelAccount("social", "mastodon", status="connected",
                                 base_url=network.base_url)
        tokens = Tokens("stale-token", network.secret)
        outcome = build_runtime_publisher(account, tokens, http_options=FAST).publish(PUB, COPY)
        assert outcome.status == "published", outcome
        assert tokens.refreshes == ["stale-token"]
        assert len(network.publish_requests()) == 2
        assert network.publish_requests()[-1].bearer() == network.secret


def test_a_401_that_cannot_be_refreshed_fails_without_a_second_send() -> None:
    with MastodonStandin() as network:
        account = ChannelAccount("social", "mastodon", status="connected",
                                 base_url=network.base_url)
        tokens = Tokens("stale-token", None)
        outcome = build_runtime_publisher(account, tokens, http_options=FAST).publish(PUB, COPY)
        assert outcome.status == "failed" and outcome.error.startswith("HTTP 401")
        assert len(network.publish_requests()) == 1


def test_a_channel_without_a_token_is_not_connected() -> None:
    account = ChannelAccount("social", "mastodon", status="connected", base_url="http://127.0.0.1:9")
    outcome = build_runtime_publisher(account, Tokens("", None), http_options=FAST).publish(PUB, COPY)
    assert outcome.status == "failed" and outcome.error.startswith(NOT_CONNECTED)


class RetiringLinkedIn(LinkedInStandin):
    """LinkedIn after it retired version 202401 (426 NONEXISTENT_VERSION)."""

    def _version_problem(self, request: Recorded) -> Reply | None:
        if request.headers.get("linkedin-version") == "202401":
            return Reply(426, {"status": 426, "code": "NONEXISTENT_VERSION",
                               "message": "Requested version 20240100 is not active"})
        return super()._version_problem(request)


def test_linkedin_426_says_the_api_version_was_retired() -> None:
    with RetiringLinkedIn() as network:
        account = ChannelAccount("li", "linkedin", status="connected", base_url=network.base_url,
                                 settings={"author": "urn:li:person:abc",
                                           "linkedin_version": "202401"})
        outcome = build_runtime_publisher(account, Tokens(network.secret, None),
                                          http_options=FAST).publish(PUB, COPY)
    assert outcome.status == "failed"
    assert "202401" in outcome.error and "retired" in outcome.error


def test_the_directory_tells_whom_it_was_given_when_linkedin_retired_the_version() -> None:
    told: list[tuple[str, str]] = []
    store = MemoryChannelStore(Clock(NOW))
    with RetiringLinkedIn() as network:
        store.save(ChannelAccount("li", "linkedin", status="connected", base_url=network.base_url,
                                  settings={"author": "urn:li:person:abc",
                                            "linkedin_version": "202401"}), "a", "connected")
        tokens = Tokens(network.secret, None)
        directory = ChannelDirectory({}, lambda ref: "", runtime=RuntimeChannels(store, lambda: tokens),
                                     on_linkedin_retired=lambda *told_of: told.append(told_of))
        outcome = directory.publisher("li").publish(PUB, COPY)
    assert outcome.status == "failed" and "retired" in (outcome.error or "")
    assert told == [("li", "202401")]


def test_the_directory_builds_run_time_channels_and_notes_results() -> None:
    store = MemoryChannelStore(Clock(NOW))
    with MastodonStandin() as network:
        store.save(ChannelAccount("social", "mastodon", status="connected",
                                  base_url=network.base_url), "a", "connected")
        tokens = Tokens(network.secret, None)
        directory = ChannelDirectory({}, lambda ref: "", runtime=RuntimeChannels(store, lambda: tokens))
        assert directory.publisher("social").publish(PUB, COPY).status == "published"
    assert store.results()["social"][1] is None and store.results()["social"][0]
    with pytest.raises(KeyError):
        directory.publisher("nowhere")


# -- a post due on a channel that is not connected ------------------------------------------

def test_a_post_claimed_ahead_of_its_time_is_held_back_when_access_ends_before_it() -> None:
    """The tick claims up to two minutes before a post's time; a token that cannot be
    refreshed and ends in between would fail at the worker. Held back instead, at the claim."""
    ports = PublishingPorts()
    store = MemoryChannelStore(ports.clock)
    publish_at = POST_NOW + timedelta(hours=1)
    store.save(ChannelAccount("mastodon", "mastodon", status="connected",
                              base_url="https://m.example",
                              expires_at=(publish_at - timedelta(seconds=30)).isoformat()),
               "a", "connected")
    ports.scheduling.unusable = lambda names, now: accounts.unusable(store, names, now)
    ports.approved(channels=("outbox", "mastodon"), publish_at=publish_at)
    ports.clock.now = publish_at - timedelta(seconds=90)  # token still valid, post 90 s away

    assert ports.tick()["claimed"] == 0
    post = ports.repo.get("p1")
    assert post.status is Status.SCHEDULED and ports.queue.messages == []
    assert post.results["mastodon"].error == CHANNEL_NOT_CONNECTED
    assert ports.notices.sent == [("p1", "channel_not_connected")]


def test_a_due_post_on_a_channel_not_connected_is_held_back_then_published() -> None:
    # GIVEN a post approved for mastodon, whose account is a run-time one not connected
    ports = PublishingPorts()
    store = MemoryChannelStore(ports.clock)
    saved = store.save(ChannelAccount("mastodon", "mastodon", base_url="https://m.example"),
                       "a", "created")
    ports.scheduling.unusable = lambda names, now: accounts.unusable(store, names, now)
    ports.approved(channels=("outbox", "mastodon"))
    # WHEN it falls due
    ports.clock.now = POST_NOW + timedelta(hours=1)
    ports.tick()
    ports.tick()
    # THEN it stays scheduled, each blocked channel says why, the author's message was
    # recorded once and the admins were told once
    post = ports.repo.get("p1")
    assert post.status is Status.SCHEDULED and ports.queue.messages == []
    assert post.results["mastodon"].error == CHANNEL_NOT_CONNECTED
    held = [m for _, m in ports.repo.outbox if isinstance(m, ev.ChannelsNotConnected)]
    assert held == [ev.ChannelsNotConnected("p1", ("mastodon",))]
    assert ports.notices.sent == [("p1", "channel_not_connected")]
    # WHEN an admin connects it
    store.save(saved.changed(status="connected"), "a", "connected")
    ports.clock.now += timedelta(minutes=1)
    ports.tick()
    # THEN it goes out on both channels
    assert ports.repo.get("p1").status is Status.PUBLISHING
    assert sorted(m.channel for m in ports.queue.take()) == ["mastodon", "outbox"]
