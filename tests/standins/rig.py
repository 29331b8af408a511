"""Wiring a real publisher (built by the registry from a workflow-file config) to a stand-in,
with short timeouts and a recorded, non-sleeping sleep so retry tests run in milliseconds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import TypeAdapter

from chalicelib.adapters.channels.base import HttpOptions
from chalicelib.adapters.channels.registry import build_publisher
from chalicelib.config import ChannelConfig
from chalicelib.domain.publication import Copy, Publication
from chalicelib.services.ports import ChannelPublisher
from tests.standins.bluesky import BlueskyStandin
from tests.standins.networks import FacebookPageStandin
from tests.standins.server import Standin

SECRET_REF = "env:CHANNEL_SECRET"
LINKEDIN_AUTHOR = "urn:li:organization:5515715"
READ_TIMEOUT = 0.3


def channel_config(network: str, base_url: str) -> ChannelConfig:
    data: dict[str, Any] = {"type": network, "base_url": base_url, "access_token": SECRET_REF}
    if network == "bluesky":
        data = {
            "type": network,
            "base_url": base_url,
            "identifier": BlueskyStandin.handle_name,
            "app_password": SECRET_REF,
        }
    elif network == "linkedin":
        data["author"] = LINKEDIN_AUTHOR
    elif network == "facebook_page":
        data["page_id"] = FacebookPageStandin.page_id
    elif network == "webhook":
        data = {"type": network, "url": base_url, "secret": SECRET_REF}
    return TypeAdapter(ChannelConfig).validate_python(data)


class Outgoing(NamedTuple):
    """What the worker hands a publisher: the publication and the copy that goes with it."""

    publication: Publication
    copy: Copy


def outgoing(
    text: str = "Frühlingsaktion: ab heute 20 Prozent auf alles",
    *,
    post_id: str = "post-1",
    channel: str = "main",
    title: str = "Frühling",
) -> Outgoing:
    content_hash = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return Outgoing(
        Publication(post_id=post_id, channel=channel, content_hash=content_hash),
        Copy(text=text, title=title, author="redaktion@example.com",
             publish_at="2026-04-01T08:00:00+00:00"),
    )


@dataclass
class StandinRig:
    network: str
    standin: Standin
    publisher: ChannelPublisher
    sleeps: list[float] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)


def make_rig(
    standin: Standin,
    *,
    secret: str | None = None,
    base_url: str | None = None,
    **options: Any,
) -> StandinRig:
    """A publisher for ``standin`` that resolves SECRET_REF to ``secret`` (default: the right one)."""
    rig = StandinRig(standin.network, standin, publisher=None)  # type: ignore[arg-type]
    value = standin.secret if secret is None else secret

    def resolve(reference: str) -> str:
        rig.resolved.append(reference)
        if reference != SECRET_REF:
            raise LookupError(f"{reference} is not set")
        return value

    http_options = HttpOptions(
        **{
            "connect_timeout": 0.5,
            "read_timeout": READ_TIMEOUT,
            "sleep": rig.sleeps.append,
            "jitter": lambda: 0.0,
            **options,
        }
    )
    config = channel_config(standin.network, base_url or standin.base_url)
    rig.publisher = build_publisher("main", config, resolve, http_options=http_options)
    return rig
