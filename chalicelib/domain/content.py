"""What is published, and the hash that binds every approval to it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from chalicelib.domain.media import Image

# What one version of a post may weigh, as compact UTF-8 JSON: it is stored in the post's item
# and once more as its own version (DynamoDB refuses any item over 400 KB).
MAX_CONTENT_BYTES = 100 * 1024


@dataclass(frozen=True)
class Content:
    """Everything that goes out. ``publish_at`` is deliberately not part of it."""

    text: str
    channels: tuple[str, ...]
    title: str = ""
    variants: dict[str, str] = field(default_factory=dict)
    # The images, in the order they go out, each with its alt text (see domain/media.py).
    media: tuple[Image, ...] = ()

    def canonical(self) -> dict[str, object]:
        canonical: dict[str, object] = {
            "title": self.title,
            "text": self.text,
            "variants": {k: self.variants[k] for k in sorted(self.variants)},
            "channels": sorted(self.channels),
        }
        if self.media:  # absent when there are none, so a text-only post keeps its hash
            canonical["media"] = [image.canonical() for image in self.media]
        return canonical

    @property
    def hash(self) -> str:
        encoded = json.dumps(self.canonical(), ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def text_for(self, channel: str) -> str:
        """The text a channel publishes: its variant if it has one."""
        return self.variants.get(channel) or self.text

    def all_texts(self) -> list[str]:
        return [self.title, self.text, *self.variants.values()]

    def changed_fields(self, other: Content) -> list[str]:
        mine, theirs = self.canonical(), other.canonical()
        names = [*mine, *(name for name in theirs if name not in mine)]
        return [name for name in names if mine.get(name) != theirs.get(name)]

    @property
    def size(self) -> int:
        """Bytes of the stored form (compact UTF-8 JSON), the figure the budget limits."""
        return len(json.dumps(self.to_dict(), ensure_ascii=False,
                              separators=(",", ":")).encode("utf-8"))

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "text": self.text,
            "variants": dict(self.variants),
            "channels": list(self.channels),
            **({"media": [image.to_dict() for image in self.media]} if self.media else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Content:
        variants = data.get("variants") or {}
        channels = data.get("channels") or []
        media = data.get("media") or []
        assert isinstance(variants, dict) and isinstance(channels, list | tuple)
        assert isinstance(media, list | tuple)
        return cls(
            text=str(data.get("text", "")),
            channels=tuple(str(c) for c in channels),
            title=str(data.get("title") or ""),
            variants={str(k): str(v) for k, v in variants.items()},
            media=tuple(Image.from_dict(item) for item in media),
        )
