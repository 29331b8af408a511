"""A channel's account as admins see it (CONTRACT §8): which network, whether it is connected,
when its token ends, and what went wrong last. Channels come from the workflow file
(``source="file"``) or are created by an admin at run time (``source="runtime"``); either way a
channel's name is what posts and rules refer to, so it never changes.

Only non-secret values live here: tokens, client secrets and app passwords are kept in the
token vault (services.ports.TokenVault), never in the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from chalicelib.domain.errors import Conflict, InvalidContent

Source = Literal["file", "runtime"]
AccountStatus = Literal["connected", "expiring", "expired", "error", "not_connected"]
STATUSES: tuple[AccountStatus, ...] = ("connected", "expiring", "expired", "error", "not_connected")

NAME = re.compile(r"^[a-z0-9_-]{1,40}$")
URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
# Networks an admin can connect from the web page; webhooks and the outbox stay in the file.
RUNTIME_TYPES = ("mastodon", "bluesky", "linkedin", "x", "facebook_page")
DEFAULT_BASE_URLS = {
    "bluesky": "https://bsky.social",
    "linkedin": "https://api.linkedin.com",
    "x": "https://api.x.com",
    "facebook_page": "https://graph.facebook.com/v23.0",
}
# Settings an admin may give, by name (all optional); client_secret is a secret: it goes to
# the vault and is never stored in the record nor returned.
SETTINGS = ("auth_url", "token_url", "linkedin_version", "client_id", "client_secret",
            "page_id", "author", "identifier", "scopes")
SECRET_SETTINGS = ("client_secret",)
SETTING_PATTERNS = {
    "auth_url": URL,
    "token_url": URL,
    "linkedin_version": re.compile(r"^\d{6}$"),
    "page_id": re.compile(r"^\d{1,40}$"),
    "author": re.compile(r"^urn:li:(organization|person):[A-Za-z0-9_-]+$"),
}
DEFAULT_LINKEDIN_VERSION = "202510"
SETTING_LIMIT = 500

# How long before a token that cannot be refreshed ends admins are warned (and the status says
# "expiring"): a week leaves time to reconnect before a post is due.
EXPIRY_WARNING = timedelta(days=7)
# Answers that say the token itself is no good (not the post).
AUTH_FAILURES = ("HTTP 401", "HTTP 403")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class ChannelAccount:
    name: str
    type: str
    source: Source = "runtime"
    status: AccountStatus = "not_connected"
    base_url: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    account: str | None = None  # the connected account's handle or name
    expires_at: str | None = None  # the access token's end (ISO, UTC)
    refresh_expires_at: str | None = None
    refreshable: bool = False
    last_ok_at: str | None = None
    last_error: str | None = None
    token_version: int = 0
    x_monthly_budget_usd: float | None = None
    version: int = 0  # of the stored record; 0: never stored

    def end_of_access(self) -> datetime | None:
        """When the channel stops working unless someone reconnects it: the refresh token's end
        for a refreshable token (it renews the access token by itself), else the token's."""
        if self.refreshable:
            return parse_time(self.refresh_expires_at)
        return parse_time(self.expires_at)

    def status_at(self, now: datetime) -> AccountStatus:
        """``status`` as of ``now``: a connected channel whose token ended is ``expired``, one
        whose token ends within EXPIRY_WARNING and cannot be refreshed is ``expiring``."""
        if self.status != "connected" and self.status != "expiring":
            return self.status
        end = self.end_of_access()
        if end is None:
            return "connected"
        if end <= now:
            return "expired"
        if end - now <= EXPIRY_WARNING:
            return "expiring"
        return "connected"

    def is_usable(self, now: datetime) -> bool:
        """Whether a publication can go out through it now."""
        return self.status_at(now) in ("connected", "expiring")

    def changed(self, **changes: object) -> ChannelAccount:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ChannelChange:
    """One entry of a channel's change log: who did what, when (never a secret)."""

    at: str
    by: str
    what: str


def status_from_last_result(last_error: str | None) -> AccountStatus:
    """A file channel's status: connected unless its last publication was refused for its
    token (401/403)."""
    if last_error and last_error.startswith(AUTH_FAILURES):
        return "error"
    return "connected"


def new_channel(name: str, type_: str, base_url: str | None, settings: dict[str, str],
                taken: frozenset[str]) -> tuple[ChannelAccount, dict[str, str]]:
    """A run-time channel as an admin asked for it, ``not_connected``, and the secret settings
    split off for the vault. InvalidContent for a bad name, type, URL or setting; Conflict when
    ``taken`` (every channel name in use, the workflow file's included) has the name."""
    if not NAME.match(name or ""):
        raise InvalidContent("channel_name_invalid", name=name)
    if name in taken:
        raise Conflict("channel_exists", name=name)
    if type_ not in RUNTIME_TYPES:
        raise InvalidContent("channel_type_unknown", type=type_, types=", ".join(RUNTIME_TYPES))
    if base_url is not None and (len(base_url) > SETTING_LIMIT or not URL.match(base_url)):
        raise InvalidContent("channel_setting_invalid", setting="base_url")
    if type_ == "mastodon" and not base_url:
        raise InvalidContent("channel_base_url_required", type=type_)
    plain: dict[str, str] = {}
    secret: dict[str, str] = {}
    for key, value in settings.items():
        if key not in SETTINGS:
            raise InvalidContent("channel_setting_unknown", setting=key, known=", ".join(SETTINGS))
        pattern = SETTING_PATTERNS.get(key)
        if (not isinstance(value, str) or not value.strip() or len(value) > SETTING_LIMIT
                or (pattern is not None and not pattern.match(value))):
            raise InvalidContent("channel_setting_invalid", setting=key)
        (secret if key in SECRET_SETTINGS else plain)[key] = value.strip()
    if type_ == "linkedin":
        plain.setdefault("linkedin_version", DEFAULT_LINKEDIN_VERSION)
    account = ChannelAccount(name=name, type=type_, source="runtime", status="not_connected",
                             base_url=(base_url or DEFAULT_BASE_URLS.get(type_, "")).rstrip("/"),
                             settings=plain)
    return account, secret
