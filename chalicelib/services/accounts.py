"""Channels and accounts for the web page's admins (CONTRACT §8, docs/api.md "Admin: channels"):
every channel with its health, run-time channels created and removed, Bluesky's app password
checked and kept, a channel disconnected. The OAuth connect flows and the tokens' refresh are
services/connect.py's.

Health is one function (``health``) that the admin page, ``/freigabe channels``, ``GET /health``
and the tick all read, so they never disagree. Secrets go to the vault only; nothing here logs
one or returns one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.accounts import (
    ChannelAccount,
    new_channel,
    status_from_last_result,
)
from chalicelib.domain.errors import Conflict, Forbidden, InvalidContent, NotFound
from chalicelib.domain.post import iso
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import (
    ChannelStore,
    Identity,
    PostRepository,
    TokenVault,
)

log = logging.getLogger("freigabe.accounts")

# Posts bound for a channel: while one of these uses it, the channel cannot be deleted.
BOUND_STATUSES = ("in_review", "scheduled", "publishing")


class SignIn(Protocol):
    def __call__(self, name: str, base_url: str, handle: str, app_password: str) -> str:
        """Open a Bluesky session; returns the account's handle. Raises LookupError with the
        network's message when the handle or app password is refused."""


@dataclass
class Accounts:
    """What the admins' channel use cases need."""

    store: ChannelStore
    vault: TokenVault
    workflow: Workflow
    file_channels: Mapping[str, str]  # the workflow file's channels: name -> type
    clock: Callable[[], datetime]
    posts: PostRepository | None = None
    bluesky_sign_in: SignIn | None = None


def require_web_admin(workflow: Workflow, caller: Identity) -> None:
    if not workflow.is_web_admin(caller.email):
        raise Forbidden("not_web_admin")


# -- health ---------------------------------------------------------------------------------

def health(store: ChannelStore, file_channels: Mapping[str, str],
           now: datetime) -> list[tuple[ChannelAccount, str]]:
    """Every channel (the file's first, then run-time ones) with its status as of ``now``."""
    results = store.results()
    found: list[tuple[ChannelAccount, str]] = []
    for name, type_ in file_channels.items():
        last_ok, last_error = results.get(name, (None, None))
        status = status_from_last_result(last_error)
        account = ChannelAccount(name=name, type=type_, source="file", status=status,
                                 last_ok_at=last_ok, last_error=last_error)
        found.append((account, status))
    for account in store.list():
        if account.name in file_channels:
            continue  # the file wins; creating such a channel is refused
        last_ok, last_error = results.get(account.name, (account.last_ok_at, account.last_error))
        account = account.changed(last_ok_at=last_ok or account.last_ok_at,
                                  last_error=account.last_error or last_error)
        found.append((account, account.status_at(now)))
    return found


def summary(channels: list[tuple[ChannelAccount, str]]) -> dict[str, Any]:
    """What ``GET /health`` says of the channels: counts, and which are not usable."""
    def named(*statuses: str) -> list[str]:
        return sorted(a.name for a, s in channels if s in statuses)

    return {"connected": sum(1 for _, s in channels if s in ("connected", "expiring")),
            "expiring": named("expiring"), "expired": named("expired"), "error": named("error"),
            "not_connected": named("not_connected")}


def unusable(store: ChannelStore, channels: list[str], now: datetime) -> list[str]:
    """Of a post's channels, the run-time ones that cannot publish now (not connected, expired,
    refused). Only run-time records are read: the file's channels are as the file says."""
    blocked = []
    for name in channels:
        account = store.get(name)
        if account is not None and not account.is_usable(now):
            blocked.append(name)
    return blocked


def to_api(account: ChannelAccount, status: str) -> dict[str, Any]:
    """A channel as the admin page shows it: never a secret."""
    return {"name": account.name, "type": account.type, "source": account.source,
            "status": status, "account": account.account, "expires_at": account.expires_at,
            "last_ok_at": account.last_ok_at, "last_error": account.last_error,
            "base_url": account.base_url, "settings": dict(account.settings),
            "x_monthly_budget_usd": account.x_monthly_budget_usd}


# -- use cases ------------------------------------------------------------------------------

def overview(a: Accounts, caller: Identity) -> list[dict[str, Any]]:
    require_web_admin(a.workflow, caller)
    return [to_api(account, status) for account, status in health(a.store, a.file_channels,
                                                                   a.clock())]


def history(a: Accounts, caller: Identity, name: str) -> list[dict[str, str]]:
    require_web_admin(a.workflow, caller)
    if a.store.get(name) is None and not a.store.log(name):
        raise NotFound("channel_not_found", name=name)
    return [{"at": c.at, "by": c.by, "what": c.what} for c in a.store.log(name)]


def create(a: Accounts, caller: Identity, name: str, type_: str, base_url: str | None,
           settings: dict[str, str], x_monthly_budget_usd: float | None = None) -> ChannelAccount:
    require_web_admin(a.workflow, caller)
    taken = frozenset(a.file_channels) | frozenset(c.name for c in a.store.list())
    account, secrets = new_channel(name, type_, base_url, settings, taken)
    if x_monthly_budget_usd is not None:
        if type_ != "x" or x_monthly_budget_usd < 0:
            raise InvalidContent("channel_setting_invalid", setting="x_monthly_budget_usd")
        account = account.changed(x_monthly_budget_usd=x_monthly_budget_usd)
    saved = a.store.save(account, caller.email, f"created ({type_})")
    if secrets:
        # The developer app's secret, for the connect flow; never in the table.
        a.vault.put(name, secrets)
    log.info("channel created", extra={"channel": name, "type": type_})
    return saved


def _runtime(a: Accounts, name: str) -> ChannelAccount:
    if name in a.file_channels:
        raise Conflict("channel_from_file", name=name)
    account = a.store.get(name)
    if account is None:
        raise NotFound("channel_not_found", name=name)
    return account


def delete(a: Accounts, caller: Identity, name: str) -> None:
    """Disconnect and remove a run-time channel; Conflict while posts are bound for it."""
    require_web_admin(a.workflow, caller)
    _runtime(a, name)
    if a.posts is not None:
        for status in BOUND_STATUSES:
            users = [p.id for p in a.posts.by_status(status) if name in p.content.channels]
            if users:
                raise Conflict("channel_in_use", name=name, count=len(users))
    a.store.delete(name, caller.email)
    a.vault.delete(name)
    log.info("channel deleted", extra={"channel": name})


def disconnect(a: Accounts, caller: Identity, name: str) -> ChannelAccount:
    """Forget the channel's tokens; it stays, ``not_connected``, for a new connect."""
    require_web_admin(a.workflow, caller)
    account = _runtime(a, name)
    kept = {k: v for k, v in (a.vault.get(name) or {}).items() if k == "client_secret"}
    if kept:
        a.vault.put(name, kept)
    else:
        a.vault.delete(name)
    return a.store.save(account.changed(status="not_connected", account=None, expires_at=None,
                                        refresh_expires_at=None, refreshable=False,
                                        last_error=None),
                        caller.email, "disconnected")


def set_credentials(a: Accounts, caller: Identity, name: str, handle: str,
                    app_password: str) -> ChannelAccount:
    """Bluesky: a handle and an app password, kept only once a session opened with them."""
    require_web_admin(a.workflow, caller)
    account = _runtime(a, name)
    if account.type != "bluesky":
        raise InvalidContent("credentials_bluesky_only", type=account.type)
    handle, app_password = handle.strip().removeprefix("@"), app_password.strip()
    if not handle or not app_password:
        raise InvalidContent("credentials_missing")
    if a.bluesky_sign_in is None:
        raise InvalidContent("credentials_refused", problem="no sign-in configured")
    try:
        signed_in_as = a.bluesky_sign_in(name, account.base_url or "", handle, app_password)
    except LookupError as err:
        # Nothing is stored: the admin sees the network's reason (never the password).
        raise InvalidContent("credentials_refused", problem=str(err)) from None
    a.vault.put(name, {**(a.vault.get(name) or {}), "app_password": app_password})
    now = iso(a.clock())
    settings = {**account.settings, "identifier": handle}
    return a.store.save(account.changed(status="connected", account=signed_in_as,
                                        settings=settings, last_ok_at=now, last_error=None,
                                        expires_at=None, refreshable=False),
                        caller.email, f"connected as {signed_in_as}")
