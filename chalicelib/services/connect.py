"""Connecting a run-time channel's account and keeping its token alive (docs/api.md, "Connecting
an account").

- ``start``: an admin asks to connect; a random ``state`` is stored with the admin's subject,
  the channel, the PKCE verifier, a hash of a value only the admin's browser holds (a cookie)
  and a 10-minute expiry; the answer is the network's authorization URL.
- ``finish``: the network sends the admin back with ``code`` and ``state``; the state is taken
  (deleted on use, so a replay finds nothing), must belong to the same admin and browser, and
  the code is exchanged for tokens, which go to the vault, never to the table.
- ``TokenSource.access_token``: a fresh token for a publisher, refreshed before it runs out and
  after a 401, exactly once however many workers ask at the same moment (X's refresh tokens
  work once): a lease on the channel's record picks one refresher, the others wait for the
  token version it stores and read the new token.
- ``warn_expiring``: admins hear 7 days and 1 day before a token that cannot be refreshed runs
  out, and at once when a channel stops working, each once, with a link to reconnect.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.accounts import ChannelAccount, parse_time
from chalicelib.domain.errors import DomainError, Forbidden, NotFound
from chalicelib.domain.oauth import (
    STATE_LIFETIME,
    OAuthApp,
    OAuthNetwork,
    OAuthRefused,
    OAuthUnavailable,
    Pkce,
    TokenGrant,
    due_warning,
    iso,
    needs_refresh,
)
from chalicelib.services.ports import ChannelStore, Identity, RetryLater, TokenVault

log = logging.getLogger("freigabe.connect")

LEASE = timedelta(seconds=30)  # longer than one token request may take
WAIT_SECONDS = 10.0  # how long a worker waits for another one's refresh
POLL_SECONDS = 0.1
SYSTEM = "freigabe"


class ConnectRefused(DomainError):
    """A callback that cannot be honoured (unknown, replayed, expired or foreign ``state``; the
    network said no): 400 in the admin's words, nothing changed."""

    key = "oauth_state_invalid"


class NotConnected(LookupError):
    """The channel has no usable token; ``reason`` says why in an admin's words (English; the
    publication's result)."""

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(reason)
        self.channel = channel
        self.reason = reason


# -- what connecting needs from the outside -----------------------------------------------------

class ConnectStates(Protocol):
    """Started connects, each used once, and notices sent once (adapters/oauth/states.py)."""

    def put(self, state: str, record: dict[str, str], expires_at: datetime) -> None: ...

    def take(self, state: str, now: datetime) -> dict[str, str] | None:
        """The record, deleted in the same step; None when there is none or it expired."""

    def once(self, key: str) -> bool:
        """True the first time ``key`` is seen, False ever after."""


class AccountNotices(Protocol):
    """What admins are told about a channel (Slack direct messages)."""

    def channel_expiring(self, channel: str, ends_at: datetime, reconnect_url: str) -> None: ...

    def channel_stopped(self, channel: str, reason: str, reconnect_url: str) -> None: ...


@dataclass
class Connect:
    records: ChannelStore
    vault: TokenVault
    states: ConnectStates
    networks: Callable[[str], OAuthNetwork | None]
    clock: Callable[[], datetime]
    admin_page: str  # where the admin section lives; links in notices point there
    notices: Callable[[], AccountNotices] | None = None
    new_id: Callable[[], str] = field(default=lambda: secrets.token_urlsafe(32))
    sleep: Callable[[float], None] = time.sleep

    def reconnect_url(self, channel: str) -> str:
        return f"{self.admin_page}#admin/channels/{channel}"


def _binding_hash(binding: str) -> str:
    return hashlib.sha256(binding.encode("utf-8")).hexdigest()


def _account(connect: Connect, name: str) -> ChannelAccount:
    account = connect.records.get(name)
    if account is None:
        raise NotFound("oauth_channel_not_found", name=name)
    return account


def _network(connect: Connect, account: ChannelAccount) -> OAuthNetwork:
    network = connect.networks(account.type)
    if network is None:
        raise ConnectRefused("oauth_not_supported", name=account.name, type=account.type)
    return network


def _app(account: ChannelAccount, secrets_: dict[str, str] | None, redirect_uri: str) -> OAuthApp:
    return OAuthApp(channel=account.name, type=account.type, base_url=account.base_url,
                    settings=dict(account.settings), redirect_uri=redirect_uri,
                    client_secret=(secrets_ or {}).get("client_secret"))


# -- connecting -----------------------------------------------------------------------------

def start(connect: Connect, name: str, admin: Identity, redirect_uri: str,
          binding: str) -> str:
    """The network's authorization URL for this admin to connect ``name``. ``binding`` is a
    random value the caller also hands the admin's browser (a cookie): the callback must bring
    it back, so a link to the callback sent to someone else connects nothing."""
    account = _account(connect, name)
    if account.source != "runtime":
        raise Forbidden("oauth_channel_from_file", name=name)
    network = _network(connect, account)
    stored = connect.vault.get(name) or {}
    pkce, state = Pkce.new(), connect.new_id()
    try:
        authorization = network.authorize(_app(account, stored, redirect_uri), state, pkce)
    except OAuthRefused as err:
        raise ConnectRefused("oauth_refused", name=name, reason=err.reason) from None
    except OAuthUnavailable as err:
        raise ConnectRefused("oauth_unavailable", name=name, reason=str(err)) from None
    if authorization.client_secret and authorization.client_secret != stored.get("client_secret"):
        # Mastodon registered its app on the instance: keep what it answered.
        connect.vault.put(name, {**stored, "client_secret": authorization.client_secret})
    if authorization.settings and any(account.settings.get(k) != v
                                      for k, v in authorization.settings.items()):
        account = connect.records.save(
            account.changed(settings={**account.settings, **authorization.settings}),
            admin.email, "app registered on the instance")
    now = connect.clock()
    connect.states.put(state, {"channel": name, "subject": admin.subject, "email": admin.email,
                               "verifier": pkce.verifier, "binding": _binding_hash(binding),
                               "redirect_uri": redirect_uri},
                       now + STATE_LIFETIME)
    log.info("connect started", extra={"channel": name, "type": account.type})
    return authorization.url


def finish(connect: Connect, state: str, code: str | None, error: str | None,
           binding: str | None, admin: Identity | None) -> str:
    """Store the tokens the network grants for a started connect; the channel's name.
    ConnectRefused (nothing changed) for an unknown, replayed or expired state, another admin
    or browser, or a network that says no."""
    now = connect.clock()
    record = connect.states.take(state, now) if state else None
    if record is None:
        raise ConnectRefused("oauth_state_invalid")
    if not binding or _binding_hash(binding) != record.get("binding"):
        raise ConnectRefused("oauth_state_invalid")
    if admin is not None and admin.subject != record.get("subject"):
        raise ConnectRefused("oauth_state_invalid")
    name = record["channel"]
    if error or not code:
        raise ConnectRefused("oauth_denied", name=name, reason=(error or "no code")[:200])
    account = _account(connect, name)
    network = _network(connect, account)
    stored = connect.vault.get(name) or {}
    try:
        grant = network.exchange(_app(account, stored, record["redirect_uri"]), code,
                                 record["verifier"], now)
    except OAuthRefused as err:
        raise ConnectRefused("oauth_refused", name=name, reason=err.reason) from None
    except OAuthUnavailable as err:
        raise ConnectRefused("oauth_unavailable", name=name, reason=str(err)) from None
    _store_grant(connect, account, stored, grant)
    connect.records.save(account.changed(
        status="connected", account=grant.account or account.account,
        settings={**account.settings, **grant.settings}, expires_at=iso(grant.expires_at),
        refresh_expires_at=iso(grant.refresh_expires_at),
        refreshable=network.refreshable and grant.refresh_token is not None,
        last_error=None, last_ok_at=iso(now), token_version=account.token_version + 1),
        record.get("email") or SYSTEM, "connected" + (f" as {grant.account}" if grant.account else ""))
    log.info("channel connected", extra={"channel": name, "type": account.type})
    return name


def _store_grant(connect: Connect, account: ChannelAccount, stored: dict[str, str],
                 grant: TokenGrant) -> None:
    tokens = {key: value for key, value in stored.items()
              if key in ("client_secret", "app_password")}
    tokens["access_token"] = grant.access_token
    if grant.refresh_token:
        tokens["refresh_token"] = grant.refresh_token
    elif "refresh_token" in stored and account.refreshable:
        tokens["refresh_token"] = stored["refresh_token"]  # LinkedIn may keep the old one
    if grant.expires_at is not None:
        tokens["expires_at"] = iso(grant.expires_at) or ""
    connect.vault.put(account.name, tokens)


# -- tokens that refresh themselves -----------------------------------------------------------

@dataclass
class TokenSource:
    """A run-time channel's access token for its publisher (services.ports.TokenSource and
    TokenRefresher): ``ChannelDirectory`` hands it to each publisher it builds for a run-time
    channel. Waiting for another worker's refresh that does not finish is RetryLater."""

    connect: Connect
    redirect_uri: str = ""

    def access_token(self, channel: str) -> str:
        """A token to send now, refreshed first (once) when it is about to run out.
        NotConnected (a LookupError) when there is none and none can be had."""
        token = self.refresh(channel, force=False)
        if token is None:
            raise NotConnected(channel, f"the token of channel {channel} has expired; "
                               "an admin must connect the account again")
        return token

    def after_unauthorized(self, channel: str, rejected: str | None = None) -> str | None:
        """The network answered 401: a refreshed token, or None when none can be had (the
        channel is then marked expired and the admins are told). ``rejected``: the token that
        was refused; when another worker already replaced it, that one is used instead."""
        return self.refresh(channel, force=True, rejected=rejected)

    def refresh(self, channel: str, *, force: bool, rejected: str | None = None) -> str | None:
        connect = self.connect
        account = _account_or_gone(connect, channel)
        tokens = connect.vault.get(channel) or {}
        token = tokens.get("access_token")
        if account.status in ("not_connected", "error") or not token:
            raise NotConnected(channel, f"the channel {channel} is not connected")
        now = connect.clock()
        if rejected is not None and rejected != token:
            return token  # someone refreshed since this token was read
        if not force and not needs_refresh(parse_time(account.expires_at), now):
            return None if account.status == "expired" else token
        if not tokens.get("refresh_token") or not account.refreshable:
            ends = parse_time(account.expires_at)
            if force or account.status == "expired" or (ends is not None and ends <= now):
                mark_stopped(connect, account, "the network refused the token and it cannot be "
                             "refreshed: connect the account again" if force else
                             "the token has expired and cannot be refreshed: connect the "
                             "account again")
                return None
            return token  # still valid for a few minutes and nothing can renew it
        return self._refresh(account, tokens)

    def _refresh(self, account: ChannelAccount, tokens: dict[str, str]) -> str | None:
        connect, name = self.connect, account.name
        holder = secrets.token_hex(8)
        if not connect.records.lease_refresh(name, connect.clock() + LEASE, holder):
            return self._await(account)
        # Another worker may have refreshed between our read and the lease: read again under it.
        current = _account_or_gone(connect, name)
        if current.token_version != account.token_version:
            fresh = connect.vault.get(name) or {}
            connect.records.finish_refresh(name, holder, current.expires_at, current.token_version)
            return fresh.get("access_token")
        network = _network(connect, current)
        now = connect.clock()
        try:
            grant = network.refresh(_app(current, tokens, self.redirect_uri),
                                    tokens["refresh_token"], now)
        except OAuthRefused as err:
            mark_stopped(connect, current, f"the token could not be refreshed ({err.reason}); "
                         "connect the account again")
            return None
        except OAuthUnavailable:
            # Nothing was spent: the refresh token still works once the lease runs out.
            raise RetryLater(LEASE.total_seconds(),
                             f"{name}: the token endpoint could not be reached") from None
        _store_grant(connect, current, tokens, grant)
        connect.records.finish_refresh(name, holder, iso(grant.expires_at),
                                       current.token_version + 1)
        log.info("token refreshed", extra={"channel": name})
        return grant.access_token

    def _await(self, account: ChannelAccount) -> str | None:
        connect, name = self.connect, account.name
        waited = 0.0
        while waited < WAIT_SECONDS:
            connect.sleep(POLL_SECONDS)
            waited += POLL_SECONDS
            current = _account_or_gone(connect, name)
            if current.token_version != account.token_version:
                token = (connect.vault.get(name) or {}).get("access_token")
                if token:
                    return token
            if current.status == "expired":
                return None
        raise RetryLater(WAIT_SECONDS, f"{name}: another worker's token refresh did not finish")


def _account_or_gone(connect: Connect, name: str) -> ChannelAccount:
    account = connect.records.get(name)
    if account is None:
        raise NotConnected(name, f"the channel {name} no longer exists")
    return account


def mark_stopped(connect: Connect, account: ChannelAccount, reason: str,
                 status: str = "expired") -> None:
    """The channel stopped working: record it (a lost race with another writer is re-read
    once) and tell the admins at once, once per stop."""
    from chalicelib.domain.errors import Conflict

    for _ in range(2):
        try:
            connect.records.save(account.changed(status=status, last_error=reason[:300]),
                                 SYSTEM, f"stopped working: {reason[:200]}")
            break
        except Conflict:
            current = connect.records.get(account.name)
            if current is None or current.status == status:
                return
            account = current
    _tell_stopped(connect, account.name, reason, f"stopped:{account.name}:{account.token_version}")


def _tell_stopped(connect: Connect, name: str, reason: str, key: str) -> None:
    if connect.notices is None or not connect.states.once(key):
        return
    try:
        connect.notices().channel_stopped(name, reason, connect.reconnect_url(name))
    except Exception as err:  # noqa: BLE001 - telling must never undo what was recorded
        log.warning("admins not told of a stopped channel",
                    extra={"channel": name, "error": type(err).__name__})


def version_retired(connect: Connect, name: str, version: str) -> None:
    """LinkedIn answered 426 NONEXISTENT_VERSION: the channel's ``linkedin_version`` was
    retired. The channel is marked ``error`` and the admins are told once per version."""
    account = connect.records.get(name)
    reason = (f"LinkedIn has retired API version {version}: set a current linkedin_version "
              "on the channel")
    if account is not None and account.source == "runtime":
        mark_stopped(connect, account, reason, status="error")
        return
    _tell_stopped(connect, name, reason, f"retired:{name}:{version}")


# -- nobody is surprised ------------------------------------------------------------------------

def warn_expiring(connect: Connect, accounts: Sequence[ChannelAccount]) -> dict[str, int]:
    """Run from the reminders schedule: each warning (7 days, 1 day, stopped) once per token."""
    now = connect.clock()
    counts = {"warned": 0, "stopped": 0}
    for account in accounts:
        if account.status not in ("connected", "expiring", "expired"):
            continue
        ends = account.end_of_access()
        due = due_warning(ends, now)
        if due is None or ends is None:
            continue
        if due == "expired":
            if account.refreshable and account.status != "expired" and \
                    parse_time(account.refresh_expires_at) is None:
                continue  # refreshed on next use
            if account.source == "runtime" and account.status != "expired":
                mark_stopped(connect, account, "the token has expired: connect the account again")
            else:
                _tell_stopped(connect, account.name, "the token has expired: connect the "
                              "account again", f"stopped:{account.name}:{account.token_version}")
            counts["stopped"] += 1
            continue
        key = f"expiring:{account.name}:{iso(ends)}:{due}"
        if connect.notices is None or not connect.states.once(key):
            continue
        try:
            connect.notices().channel_expiring(account.name, ends, connect.reconnect_url(account.name))
            counts["warned"] += 1
        except Exception as err:  # noqa: BLE001 - one admin's DM failing must not stop the rest
            log.warning("admins not warned of an expiring channel",
                        extra={"channel": account.name, "error": type(err).__name__})
    return counts
