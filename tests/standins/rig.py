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
from chalicelib.domain.media import Image
from chalicelib.domain.publication import Copy, Publication
from chalicelib.services.ports import ChannelPublisher, MediaStore
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
    images: tuple[Image, ...] = (),
) -> Outgoing:
    material = "\n".join([title, text, *(f"{i.sha256} {i.alt}" for i in images)])
    content_hash = hashlib.sha256(material.encode()).hexdigest()
    return Outgoing(
        Publication(post_id=post_id, channel=channel, content_hash=content_hash),
        Copy(text=text, title=title, author="redaktion@example.com",
             publish_at="2026-04-01T08:00:00+00:00", images=images),
    )


def approved_image(sha256: str, data: bytes, alt: str, content_type: str, width: int, height: int) -> Image:
    """An image as a post carries it after review (its bytes stored under ``sha256``)."""
    return Image(media_id=f"m-{sha256[:8]}", sha256=sha256, content_type=content_type,
                 size=len(data), width=width, height=height, alt=alt)


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
    media: MediaStore | None = None,
    **options: Any,
) -> StandinRig:
    """A publisher for ``standin`` that resolves SECRET_REF to ``secret`` (default: the right one)
    and reads images from ``media``."""
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
    store = (lambda: media) if media is not None else None
    rig.publisher = build_publisher("main", config, resolve, http_options=http_options, media=store)
    return rig
