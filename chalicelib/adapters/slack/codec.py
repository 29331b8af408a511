"""The one place that writes and reads what Freigabe hides in Slack payloads: button values and
modal metadata. Everything read back is checked; anything we did not write is a ValueError."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

VALUE_LIMIT = 2000  # Slack's limit for a button value


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def _load(raw: str) -> dict[str, Any]:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("not one of our payloads")
    return data


@dataclass(frozen=True)
class ReviewTarget:
    """What a decision button decides on: a step of a post, at one content hash."""

    post_id: str
    step: str
    content_hash: str

    def encode(self) -> str:
        return _dump({"p": self.post_id, "s": self.step, "h": self.content_hash})

    @classmethod
    def decode(cls, raw: str) -> ReviewTarget:
        data = _load(raw)
        if not all(isinstance(data.get(k), str) for k in "psh"):
            raise ValueError("not a review button")
        return cls(data["p"], data["s"], data["h"])


@dataclass(frozen=True)
class PublicationTarget:
    """What an admin's publication button acts on: channels of a post."""

    post_id: str
    channels: tuple[str, ...]

    def encode_all(self) -> str:
        """For Retry: every channel named (the value holds a list)."""
        return _dump({"p": self.post_id, "c": list(self.channels)})[:VALUE_LIMIT]

    def encode_one(self) -> str:
        """For "mark as published": one channel (the value holds a string)."""
        return _dump({"p": self.post_id, "c": self.channels[0]})[:VALUE_LIMIT]

    @classmethod
    def decode(cls, raw: str) -> PublicationTarget:
        data = _load(raw)
        post_id, channels = data.get("p"), data.get("c")
        if isinstance(channels, str):
            channels = [channels]
        if not isinstance(post_id, str) or not isinstance(channels, list) or not channels:
            raise ValueError("not a publication button")
        return cls(post_id, tuple(str(c) for c in channels))


@dataclass(frozen=True)
class ModalState:
    """What the comment modal carries from the click to the submission."""

    target: ReviewTarget
    decision: str
    channel: str | None  # where the click happened, for explanations
    lang: str

    def encode(self) -> str:
        return _dump({"p": self.target.post_id, "s": self.target.step, "h": self.target.content_hash,
                      "d": self.decision, "c": self.channel, "l": self.lang})

    @classmethod
    def decode(cls, raw: str) -> ModalState:
        data = _load(raw)
        target = ReviewTarget.decode(_dump(data))
        decision = data.get("d")
        if not isinstance(decision, str):
            raise ValueError("not a decision modal")
        channel = data.get("c")
        return cls(target, decision, str(channel) if channel else None, str(data.get("l") or "en"))


@dataclass(frozen=True)
class ConversationTarget:
    """What a reply's or mention's Answer and Done buttons act on: one conversation item
    (its conversation, a post id or ``inbox#<brand>``, and its key there)."""

    conversation: str
    key: str

    def encode(self) -> str:
        return _dump({"v": self.conversation, "k": self.key})

    @classmethod
    def decode(cls, raw: str) -> ConversationTarget:
        data = _load(raw)
        if not isinstance(data.get("v"), str) or not isinstance(data.get("k"), str):
            raise ValueError("not a conversation button")
        return cls(data["v"], data["k"])
