"""Builds the publisher for a channel: from its workflow-file config, or, for a channel an admin
created at run time, from its stored record and the token vault (asked through a TokenSource,
which refreshes a token about to expire, and once more after a 401).

Building reads no secret and opens no connection: secrets are resolved at the first publish,
so a cold start that never publishes never calls SSM or Secrets Manager. Every publication's
result is noted for the channel's health (the admin page, ``GET /health``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from chalicelib.adapters.channels.base import (
    HttpClient,
    HttpOptions,
    Secret,
    failed,
)
from chalicelib.adapters.channels.bluesky import BlueskyPublisher
from chalicelib.adapters.channels.facebook_page import FacebookPagePublisher
from chalicelib.adapters.channels.images import ImageReader
from chalicelib.adapters.channels.linkedin import LinkedInPublisher
from chalicelib.adapters.channels.mastodon import MastodonPublisher
from chalicelib.adapters.channels.outbox import OutboxPublisher
from chalicelib.adapters.channels.webhook import WebhookPublisher
from chalicelib.adapters.channels.x import XPublisher
from chalicelib.config import (
    BlueskyChannel,
    ChannelConfig,
    FacebookPageChannel,
    LinkedInChannel,
    MastodonChannel,
    OutboxChannel,
    WebhookChannel,
    XChannel,
)
from chalicelib.domain.accounts import DEFAULT_LINKEDIN_VERSION, ChannelAccount
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.services.ports import (
    ChannelPublisher,
    ChannelStore,
    MediaStore,
    TokenSource,
)

log = logging.getLogger(__name__)
NOT_CONNECTED = "held: channel not connected"


def build_publisher(
    name: str,
    config: ChannelConfig,
    resolve_secret: Callable[[str], str],
    *,
    http_options: HttpOptions | None = None,
    media: Callable[[], MediaStore] | None = None,
) -> ChannelPublisher:
    """``name`` is the channel's key in the workflow file; it labels logs and error messages.
    ``media`` gives the image store, called only when a publication has images."""
    http = HttpClient(name, http_options)
    images = ImageReader(name, media)
    if isinstance(config, MastodonChannel):
        return MastodonPublisher(name, config, Secret(config.access_token, resolve_secret), http, images)
    if isinstance(config, BlueskyChannel):
        return BlueskyPublisher(name, config, Secret(config.app_password, resolve_secret), http, images)
    if isinstance(config, LinkedInChannel):
        return LinkedInPublisher(name, config, Secret(config.access_token, resolve_secret), http, images)
    if isinstance(config, XChannel):
        return XPublisher(name, config, Secret(config.access_token, resolve_secret), http, images)
    if isinstance(config, FacebookPageChannel):
        token = Secret(config.access_token, resolve_secret)
        return FacebookPagePublisher(name, config, token, http, images)
    if isinstance(config, WebhookChannel):
        return WebhookPublisher(name, config, Secret(config.secret, resolve_secret), http, images)
    if isinstance(config, OutboxChannel):
        return OutboxPublisher(name, config, images)
    raise TypeError(f"no publisher for channel type {type(config).__name__}")


@dataclass(frozen=True)
class RuntimeChannels:
    """Where run-time channels come from: their records and their tokens."""

    store: ChannelStore
    tokens: Callable[[], TokenSource]  # built when a run-time channel first publishes


class ChannelDirectory:
    """The workflow file's channels and the run-time ones as publishers, each built on first
    use (a run-time one again when its record changed)."""

    def __init__(self, channels: Mapping[str, ChannelConfig],
                 resolve_secret: Callable[[str], str],
                 media: Callable[[], MediaStore] | None = None,
                 runtime: RuntimeChannels | None = None,
                 on_linkedin_retired: Callable[[str, str], None] | None = None) -> None:
        self._channels = channels
        self._resolve = resolve_secret
        self._media = media
        self._runtime = runtime
        # Told (channel, version) when LinkedIn answers 426: the admins hear of it at once.
        self._on_retired = on_linkedin_retired
        self._built: dict[str, ChannelPublisher] = {}
        self._built_runtime: dict[tuple[str, int], ChannelPublisher] = {}

    def publisher(self, name: str) -> ChannelPublisher:
        """KeyError for a channel neither the workflow file nor the table has."""
        if name in self._channels:
            if name not in self._built:
                built = build_publisher(name, self._channels[name], self._resolve,
                                        media=self._media)
                self._built[name] = self._noted(name, self._told(built))
            return self._built[name]
        if self._runtime is None:
            raise KeyError(name)
        account = self._runtime.store.get(name)
        if account is None:
            raise KeyError(name)
        key = (name, account.version)
        if key not in self._built_runtime:
            built = build_runtime_publisher(account, self._runtime.tokens(), media=self._media)
            self._built_runtime = {key: self._noted(name, self._told(built))}
        return self._built_runtime[key]

    def _told(self, publisher: ChannelPublisher) -> ChannelPublisher:
        """A LinkedIn publisher (however wrapped) learns whom to tell of a retired version."""
        inner = getattr(publisher, "inner", publisher)
        if isinstance(inner, LinkedInPublisher) and self._on_retired is not None:
            inner.on_retired = self._on_retired
        return publisher

    def _noted(self, name: str, publisher: ChannelPublisher) -> ChannelPublisher:
        if self._runtime is None:
            return publisher
        return NotedPublisher(name, publisher, self._runtime.store)


class NotedPublisher:
    """Notes each result for the channel's health; noting never changes the outcome."""

    def __init__(self, name: str, inner: ChannelPublisher, store: ChannelStore) -> None:
        self.name = name
        self.inner = inner
        self._store = store

    @property
    def sends_idempotency_key(self) -> bool:
        return self.inner.sends_idempotency_key

    def publish(self, publication: Publication, copy: Copy) -> Outcome:
        outcome = self.inner.publish(publication, copy)
        if outcome.status != "unknown":
            at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
            try:
                self._store.record_result(self.name, outcome.status == "published",
                                          outcome.error, at)
            except Exception as err:  # noqa: BLE001 - health is a note; the outcome stands
                log.warning("channel=%s result not noted: %s", self.name, type(err).__name__)
        return outcome


class TokenSecret(Secret):
    """A run-time channel's token, asked from the TokenSource at each publish (it may have been
    refreshed since), never kept beyond one publication."""

    def __init__(self, channel: str, tokens: TokenSource) -> None:
        super().__init__(f"vault:{channel}", lambda _reference: "")
        self.channel = channel
        self._tokens = tokens
        self.current: str | None = None

    def value(self) -> str:
        if self.current is None:
            try:
                self.current = self._tokens.access_token(self.channel)
            except LookupError as err:
                raise failed(f"{NOT_CONNECTED}: {err}") from None
        return self.current


class RuntimePublisher:
    """A run-time channel's publisher: a fresh token per publication; after a 401 one refresh
    and one more attempt (a 401 proves nothing was applied); LinkedIn's 426 in plain words."""

    def __init__(self, account: ChannelAccount, inner: ChannelPublisher, secret: TokenSecret,
                 tokens: TokenSource) -> None:
        self.account = account
        self.inner = inner
        self.secret = secret
        self._tokens = tokens

    @property
    def sends_idempotency_key(self) -> bool:
        return self.inner.sends_idempotency_key

    def publish(self, publication: Publication, copy: Copy) -> Outcome:
        self.secret.current = None
        outcome = self.inner.publish(publication, copy)
        if outcome.status == "failed" and (outcome.error or "").startswith("HTTP 401"):
            try:
                fresh = self._tokens.after_unauthorized(self.account.name, self.secret.current)
            except LookupError as err:
                return Outcome("failed", error=f"{outcome.error} ({err})")
            if fresh is not None:
                self.secret.current = fresh
                outcome = self.inner.publish(publication, copy)
        if (outcome.status == "failed" and self.account.type == "linkedin"
                and (outcome.error or "").startswith("HTTP 426")):
            version = self.account.settings.get("linkedin_version", DEFAULT_LINKEDIN_VERSION)
            outcome = Outcome("failed", error=(
                f"HTTP 426: this LinkedIn API version ({version}) has been retired; an admin "
                "sets a newer linkedin_version for the channel"))
        return outcome


class Unusable:
    """A run-time channel whose record cannot make a publisher (a setting is missing)."""

    sends_idempotency_key = False

    def __init__(self, error: str) -> None:
        self.error = error

    def publish(self, publication: Publication, copy: Copy) -> Outcome:
        return Outcome("failed", error=self.error)


def runtime_config(account: ChannelAccount) -> ChannelConfig:
    """The workflow-file shape of a run-time channel (its token comes from the vault)."""
    settings = account.settings
    data: dict[str, Any] = {"type": account.type, "access_token": f"ssm:/channels/{account.name}"}
    if account.base_url:
        data["base_url"] = account.base_url
    if account.type == "bluesky":
        data = {"type": "bluesky", "base_url": account.base_url or "https://bsky.social",
                "identifier": settings.get("identifier") or account.account or "",
                "app_password": data["access_token"]}
    elif account.type == "linkedin":
        data["author"] = settings.get("author", "")
        data["api_version"] = settings.get("linkedin_version", DEFAULT_LINKEDIN_VERSION)
    elif account.type == "facebook_page":
        data["page_id"] = settings.get("page_id", "")
    models: dict[str, type[BaseModel]] = {
        "mastodon": MastodonChannel, "bluesky": BlueskyChannel, "linkedin": LinkedInChannel,
        "x": XChannel, "facebook_page": FacebookPageChannel}
    return cast(ChannelConfig, models[account.type].model_validate(data))


def build_runtime_publisher(account: ChannelAccount, tokens: TokenSource, *,
                            http_options: HttpOptions | None = None,
                            media: Callable[[], MediaStore] | None = None) -> ChannelPublisher:
    try:
        config = runtime_config(account)
    except (ValidationError, KeyError) as err:
        fields = ", ".join(str(e["loc"][-1]) for e in err.errors()) if isinstance(
            err, ValidationError) else "type"
        return Unusable(f"channel {account.name} is missing settings ({fields}); reconnect it")
    secret = TokenSecret(account.name, tokens)
    http = HttpClient(account.name, http_options)
    images = ImageReader(account.name, media)
    inner: ChannelPublisher
    if isinstance(config, BlueskyChannel):
        inner = BlueskyPublisher(account.name, config, secret, http, images)
    elif isinstance(config, LinkedInChannel):
        inner = LinkedInPublisher(account.name, config, secret, http, images)
    elif isinstance(config, XChannel):
        inner = XPublisher(account.name, config, secret, http, images)
    elif isinstance(config, FacebookPageChannel):
        inner = FacebookPagePublisher(account.name, config, secret, http, images)
    elif isinstance(config, MastodonChannel):
        inner = MastodonPublisher(account.name, config, secret, http, images)
    else:  # pragma: no cover - runtime_config makes only the five above
        return Unusable(f"channel {account.name} has an unknown type")
    return RuntimePublisher(account, inner, secret, tokens)

