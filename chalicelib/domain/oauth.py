"""Connecting a network account by OAuth, as values: what a connect needs to know of a channel's
developer app, what the network granted, and the rules about when a token must be refreshed
or an admin warned. No I/O here; the networks' own flows live in ``adapters/oauth``."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

# Refresh this long before the access token runs out, so a publish never races the expiry.
REFRESH_MARGIN = timedelta(minutes=5)
# How long a started connect may take (the admin signs in at the network meanwhile).
STATE_LIFETIME = timedelta(minutes=10)
# Warnings before a token that cannot be refreshed runs out: (name, how long before).
WARNINGS: tuple[tuple[str, timedelta], ...] = (("7d", timedelta(days=7)), ("1d", timedelta(days=1)))
OAUTH_TYPES = ("mastodon", "x", "linkedin", "facebook_page")


class OAuthRefused(Exception):
    """The network said no (a denied consent, a spent or revoked refresh token, a wrong client
    secret). ``reason`` is the network's own words, never a token."""

    def __init__(self, reason: str, *, retired_version: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retired_version = retired_version


class OAuthUnavailable(Exception):
    """The network could not be asked (no connection, a 5xx): nothing changed, try again."""


@dataclass(frozen=True)
class OAuthApp:
    """One channel's developer app and where its network lives."""

    channel: str
    type: str
    base_url: str | None
    settings: Mapping[str, str]
    redirect_uri: str
    client_secret: str | None = None


@dataclass(frozen=True)
class Authorization:
    """Where to send the admin, and what the network registered on the way (Mastodon's app)."""

    url: str
    settings: Mapping[str, str] = field(default_factory=dict)  # non-secret: client_id ...
    client_secret: str | None = None


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None  # None: the network sets no expiry
    refresh_expires_at: datetime | None = None
    account: str | None = None  # the handle or name the admin connected
    settings: Mapping[str, str] = field(default_factory=dict)  # e.g. LinkedIn's author URN

    def __repr__(self) -> str:  # a grant in a traceback must not show its tokens
        return f"TokenGrant(account={self.account!r}, expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @staticmethod
    def new() -> Pkce:
        """RFC 7636 S256: 43-128 characters of the unreserved alphabet."""
        verifier = secrets.token_urlsafe(64)[:96]
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return Pkce(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


def expires_in(now: datetime, seconds: object) -> datetime | None:
    """An ``expires_in`` answer as a time; None when the network sent none (or nonsense)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float | str):
        return None
    try:
        value = float(seconds)
    except ValueError:
        return None
    return now + timedelta(seconds=value) if value > 0 else None


def needs_refresh(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at - REFRESH_MARGIN <= now


def due_warning(expires_at: datetime | None, now: datetime) -> str | None:
    """Which warning is due for a token that cannot be refreshed: "expired", "1d", "7d" or None.
    The nearest one wins, so a warning skipped while the schedule was off is not sent late."""
    if expires_at is None:
        return None
    if expires_at <= now:
        return "expired"
    for name, ahead in sorted(WARNINGS, key=lambda item: item[1]):
        if expires_at - ahead <= now:
            return name
    return None


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


class OAuthNetwork(Protocol):
    """One network's connect flow (adapters/oauth). Each raises OAuthRefused when the network
    says no and OAuthUnavailable when it cannot be asked."""

    @property
    def refreshable(self) -> bool:
        """Whether the network can give a new access token without the admin."""

    def authorize(self, app: OAuthApp, state: str, pkce: Pkce) -> Authorization: ...

    def exchange(self, app: OAuthApp, code: str, verifier: str, now: datetime) -> TokenGrant: ...

    def refresh(self, app: OAuthApp, refresh_token: str, now: datetime) -> TokenGrant: ...
