"""One post bound for one channel (a publication), the words it carries there (its copy), and
how the network's answer ended (its outcome).

A publication is what the publish queue carries and what everything done at most once is keyed
on; it holds no text, so no draft travels through the queue: the worker reads the post.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

from chalicelib.domain.media import Image

OutcomeStatus = Literal["published", "failed", "unknown"]
OUTCOME_STATUSES: tuple[OutcomeStatus, ...] = ("published", "failed", "unknown")


@dataclass(frozen=True)
class Publication:
    """One post bound for one channel, in one attempt."""

    post_id: str
    channel: str  # the channel's NAME from the workflow file, not its network
    content_hash: str
    attempt: int = 1  # which dispatch of this channel; an admin's retry is the next one
    not_after: str | None = None  # ISO time after which it must not go out any more
    # ISO time before which it must not go out: the post's time. The queue's delay is the
    # nearest whole second, so it may end up to half a second before; the worker waits that out.
    not_before: str | None = None

    def key(self) -> dict[str, str | int]:
        """What makes a publication this publication: the key of the idempotency store and the
        send ledger. An admin's retry is a new attempt, so it is not mistaken for a redelivery
        of the attempt that failed."""
        return {"post_id": self.post_id, "channel": self.channel,
                "content_hash": self.content_hash, "attempt": self.attempt}

    @property
    def idempotency_key(self) -> str:
        """The key a network de-duplicates on. Same post, channel and content -> same key on
        every attempt and every redelivery, while an edited post (new hash) is a new
        publication."""
        material = "\n".join((self.post_id, self.channel, self.content_hash))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Copy:
    """What a channel publishes for a post: the channel's text, its images (in order, with their
    alt texts; the bytes are read through services.ports.MediaStore by sha256), and the post's
    title, author and time (for networks and receivers that show or keep them)."""

    text: str
    title: str
    author: str
    publish_at: str | None
    images: tuple[Image, ...] = ()
    # An answer (a post of kind "reply"): the network id of what it answers, so the network
    # publishes it as a reply in that conversation.
    reply_to: str | None = None


@dataclass(frozen=True)
class Outcome:
    """How a publication ended on its network. ``unknown``: the request may have been applied
    and the answer was lost, so a person checks instead of the code re-sending blindly."""

    status: OutcomeStatus
    url: str | None = None
    external_id: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """For the idempotency store, which keeps JSON."""
        return {"status": self.status, "url": self.url, "external_id": self.external_id,
                "error": self.error}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Outcome:
        status = data.get("status")
        if status not in OUTCOME_STATUSES:
            raise ValueError(f"not an outcome status: {status!r}")

        def text(name: str) -> str | None:
            value = data.get(name)
            return None if value is None else str(value)

        return cls(cast(OutcomeStatus, status), url=text("url"),  # type: ignore[redundant-cast,unused-ignore]
                   external_id=text("external_id"), error=text("error"))
