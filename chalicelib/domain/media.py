"""Images: what a post carries besides its words, bound to the approval by their exact bytes.

An image is stored once under the sha256 of its bytes (content-addressed) and never overwritten;
a post refers to it by that hash, in order, with its alt text. The content hash covers each
image's sha256, its alt text and its position, so changing any of them voids approvals like a
text edit does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The types accepted, by the magic bytes that start them (never by the declared type alone).
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
GIF = "image/gif"
IMAGE_TYPES: tuple[str, ...] = (JPEG, PNG, WEBP, GIF)

# What any upload may weigh and measure, whatever the networks allow: the largest still-image
# limit among the seven channel types (Facebook Page photos, 10 MB; X and Mastodon allow less
# and are checked per channel at submission), and a pixel bound that keeps a decoder's memory
# within a Lambda's.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 10_000
MAX_IMAGES = 10  # per post (Facebook's multi-photo limit; networks allow fewer and say so)
MAX_ALT_CHARS = 1_500  # for receivers without a network limit (webhook, outbox, Facebook): Mastodon's

MEDIA_UPLOADING = "uploading"
MEDIA_READY = "ready"


def sniff(head: bytes) -> str | None:
    """The image type the first bytes say, or None when they are none of the accepted ones."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    return None


@dataclass(frozen=True)
class Image:
    """One image of a post, as the reviewers saw it and as it goes out."""

    media_id: str
    sha256: str
    content_type: str
    size: int
    width: int
    height: int
    alt: str = ""

    def canonical(self) -> dict[str, str]:
        """What the content hash covers: the bytes (by their hash) and the alt text."""
        return {"sha256": self.sha256, "alt": self.alt}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.media_id, "sha256": self.sha256, "content_type": self.content_type,
                "size": self.size, "width": self.width, "height": self.height, "alt": self.alt}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Image:
        return cls(media_id=str(data.get("id") or data.get("media_id") or ""),
                   sha256=str(data["sha256"]), content_type=str(data["content_type"]),
                   size=int(data["size"]), width=int(data["width"]),
                   height=int(data["height"]), alt=str(data.get("alt") or ""))


@dataclass(frozen=True)
class MediaObject:
    """An upload: created with a presigned POST, ``ready`` once its bytes were checked."""

    id: str
    owner: str  # the uploader's sign-in subject; only they see it until a post refers to it
    status: str  # MEDIA_UPLOADING or MEDIA_READY
    filename: str
    declared_type: str
    declared_size: int
    created_at: str
    content_type: str | None = None  # what the bytes are, once checked
    size: int | None = None
    width: int | None = None
    height: int | None = None
    sha256: str | None = None

    def image(self, alt: str) -> Image:
        """This upload as one of a post's images (ready uploads only)."""
        if self.status != MEDIA_READY or self.sha256 is None:
            raise ValueError(f"media {self.id} is not ready")
        return Image(media_id=self.id, sha256=self.sha256, content_type=self.content_type or "",
                     size=self.size or 0, width=self.width or 0, height=self.height or 0,
                     alt=alt)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "owner": self.owner, "status": self.status,
                "filename": self.filename, "declared_type": self.declared_type,
                "declared_size": self.declared_size, "created_at": self.created_at,
                "content_type": self.content_type, "size": self.size, "width": self.width,
                "height": self.height, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaObject:
        def number(name: str) -> int | None:
            value = data.get(name)
            return None if value is None else int(value)

        return cls(id=str(data["id"]), owner=str(data["owner"]), status=str(data["status"]),
                   filename=str(data.get("filename") or ""),
                   declared_type=str(data.get("declared_type") or ""),
                   declared_size=int(data.get("declared_size") or 0),
                   created_at=str(data.get("created_at") or ""),
                   content_type=data.get("content_type"), size=number("size"),
                   width=number("width"), height=number("height"), sha256=data.get("sha256"))


def image_changes(before: tuple[Image, ...], after: tuple[Image, ...]) -> list[str]:
    """What changed between two image lists, in words a reviewer reads ("image 2 replaced",
    "image 1 alt text changed", "image 3 added", "images reordered")."""
    changes: list[str] = []
    old = [image.sha256 for image in before]
    new = [image.sha256 for image in after]
    if sorted(old) == sorted(new) and old != new:
        changes.append("images reordered")
    for position, image in enumerate(after, start=1):
        if position > len(before):
            changes.append(f"image {position} added")
            continue
        previous = before[position - 1]
        if image.sha256 != previous.sha256 and sorted(old) != sorted(new):
            changes.append(f"image {position} replaced")
        elif image.sha256 == previous.sha256 and image.alt != previous.alt:
            changes.append(f"image {position} alt text changed")
    for position in range(len(after) + 1, len(before) + 1):
        changes.append(f"image {position} removed")
    if sorted(old) == sorted(new) and old != new:
        moved_alts = {i.sha256: i.alt for i in before}
        for position, image in enumerate(after, start=1):
            if moved_alts.get(image.sha256) != image.alt:
                changes.append(f"image {position} alt text changed")
    return changes
