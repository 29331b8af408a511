"""Builds the publisher for a channel from its workflow-file config.

Building reads no secret and opens no connection: secrets are resolved at the first publish,
so a cold start that never publishes never calls SSM or Secrets Manager.
"""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.adapters.channels.base import ChannelPublisher, HttpClient, HttpOptions, Secret
from chalicelib.adapters.channels.bluesky import BlueskyPublisher
from chalicelib.adapters.channels.facebook_page import FacebookPagePublisher
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


def build_publisher(
    name: str,
    config: ChannelConfig,
    resolve_secret: Callable[[str], str],
    *,
    http_options: HttpOptions | None = None,
) -> ChannelPublisher:
    """``name`` is the channel's key in the workflow file; it labels logs and error messages."""
    http = HttpClient(name, http_options)
    if isinstance(config, MastodonChannel):
        return MastodonPublisher(name, config, Secret(config.access_token, resolve_secret), http)
    if isinstance(config, BlueskyChannel):
        return BlueskyPublisher(name, config, Secret(config.app_password, resolve_secret), http)
    if isinstance(config, LinkedInChannel):
        return LinkedInPublisher(name, config, Secret(config.access_token, resolve_secret), http)
    if isinstance(config, XChannel):
        return XPublisher(name, config, Secret(config.access_token, resolve_secret), http)
    if isinstance(config, FacebookPageChannel):
        return FacebookPagePublisher(name, config, Secret(config.access_token, resolve_secret), http)
    if isinstance(config, WebhookChannel):
        return WebhookPublisher(name, config, Secret(config.secret, resolve_secret), http)
    if isinstance(config, OutboxChannel):
        return OutboxPublisher(name, config)
    raise TypeError(f"no publisher for channel type {type(config).__name__}")


def sends_idempotency_key(publisher: ChannelPublisher) -> bool:
    """Whether re-sending after an unknown outcome is safe (the network de-duplicates)."""
    return bool(getattr(publisher, "sends_idempotency_key", False))
