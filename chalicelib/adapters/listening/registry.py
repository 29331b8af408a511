"""Which channels are read, and each one's listener: the workflow file's channels of a network
that can be read, and the run-time channels that are connected; X only where the admin turned
listening on (``listen = true`` in the file, the ``listen`` setting of a run-time channel).

Building reads no secret and opens no connection; tokens are read at the first read, through
the same Secret (file) or TokenSource (run-time channels) the publishers use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Protocol

from chalicelib.adapters.channels.base import HttpOptions, Secret
from chalicelib.adapters.channels.bluesky import BlueskyPublisher
from chalicelib.adapters.channels.registry import TokenSecret, runtime_config
from chalicelib.adapters.listening.base import http_for
from chalicelib.adapters.listening.bluesky import BlueskyListener
from chalicelib.adapters.listening.facebook_page import FacebookPageListener
from chalicelib.adapters.listening.linkedin import LinkedInListener
from chalicelib.adapters.listening.mastodon import MastodonListener
from chalicelib.adapters.listening.x import XListener
from chalicelib.config import (
    BlueskyChannel,
    ChannelConfig,
    FacebookPageChannel,
    LinkedInChannel,
    MastodonChannel,
    XChannel,
)
from chalicelib.domain.accounts import ChannelAccount
from chalicelib.domain.conversation import Reading
from chalicelib.services.ports import TokenSource

log = logging.getLogger("freigabe.listening")
LISTENING_TYPES = ("mastodon", "bluesky", "linkedin", "facebook_page", "x")


class Listener(Protocol):
    def read_new(self, cursor: str | None) -> Reading: ...


Watched = Callable[[str], list[str]]  # channel -> our recent network ids there


def build_listener(name: str, config: ChannelConfig, secret: Secret, watched: Watched,
                   http_options: HttpOptions | None = None) -> Listener | None:
    """The channel's listener, or None for a channel that is not read (webhook, outbox, an X
    channel without ``listen``)."""
    http = http_for(name, http_options)
    if isinstance(config, MastodonChannel):
        return MastodonListener(name, str(config.base_url), secret, http)
    if isinstance(config, BlueskyChannel):
        return BlueskyListener(BlueskyPublisher(name, config, secret, http))
    if isinstance(config, LinkedInChannel):
        return LinkedInListener(name, str(config.base_url), config.api_version, secret, http,
                                lambda: watched(name))
    if isinstance(config, FacebookPageChannel):
        return FacebookPageListener(name, str(config.base_url), secret, http,
                                    lambda: watched(name))
    if isinstance(config, XChannel) and config.listen:
        return XListener(name, str(config.base_url), secret, http)
    return None


def file_secret(config: ChannelConfig, resolve: Callable[[str], str]) -> Secret | None:
    reference = (config.app_password if isinstance(config, BlueskyChannel)
                 else getattr(config, "access_token", None))
    return Secret(reference, resolve) if isinstance(reference, str) else None


def listeners(file_channels: Mapping[str, ChannelConfig], resolve: Callable[[str], str],
              runtime: Iterable[ChannelAccount], tokens: Callable[[], TokenSource],
              watched: Watched, now: datetime,
              http_options: HttpOptions | None = None) -> list[tuple[str, Listener]]:
    """Every channel to read now, by name: the file's first, then the connected run-time ones
    (the file wins on a name)."""
    found: list[tuple[str, Listener]] = []
    for name, config in file_channels.items():
        secret = file_secret(config, resolve)
        listener = build_listener(name, config, secret, watched, http_options) if secret else None
        if listener is not None:
            found.append((name, listener))
    for account in runtime:
        if (account.name in file_channels or account.type not in LISTENING_TYPES
                or account.status_at(now) not in ("connected", "expiring")):
            continue
        if account.type == "x" and account.settings.get("listen") not in ("true", "1", "on"):
            continue
        try:
            config = runtime_config(account)
        except Exception as err:  # noqa: BLE001 - a record missing settings cannot be read
            log.info("channel not read", extra={"channel": account.name,
                                                "error": type(err).__name__})
            continue
        if isinstance(config, XChannel):
            config = config.model_copy(update={"listen": True})
        listener = build_listener(account.name, config, TokenSecret(account.name, tokens()),
                                  watched, http_options)
        if listener is not None:
            found.append((account.name, listener))
    return found
