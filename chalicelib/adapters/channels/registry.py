"""Builds the publisher for a channel from its workflow-file config.

Building reads no secret and opens no connection: secrets are resolved at the first publish,
so a cold start that never publishes never calls SSM or Secrets Manager.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chalicelib.adapters.channels.base import HttpClient, HttpOptions, Secret
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
from chalicelib.services.ports import ChannelPublisher, MediaStore


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


class ChannelDirectory:
    """The workflow file's channels as publishers, each built on first use."""

    def __init__(self, channels: Mapping[str, ChannelConfig],
                 resolve_secret: Callable[[str], str],
                 media: Callable[[], MediaStore] | None = None) -> None:
        self._channels = channels
        self._resolve = resolve_secret
        self._media = media
        self._built: dict[str, ChannelPublisher] = {}

    def publisher(self, name: str) -> ChannelPublisher:
        """KeyError for a channel the workflow file no longer has."""
        if name not in self._built:
            self._built[name] = build_publisher(name, self._channels[name], self._resolve,
                                                 media=self._media)
        return self._built[name]
