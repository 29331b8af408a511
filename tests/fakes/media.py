"""A MediaStore that keeps its objects in memory, and small real images for tests."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from chalicelib.services.ports import MediaMissing


class MemoryMediaStore:
    """services.ports.MediaStore over two dicts; records what it was asked."""

    def __init__(self) -> None:
        self.uploads: dict[str, bytes] = {}  # media id -> uploaded bytes
        self.objects: dict[str, bytes] = {}  # sha256 -> kept bytes
        self.attached: set[str] = set()
        self.presigned: list[tuple[str, str, int]] = []

    def presign_upload(self, media_id: str, content_type: str, size: int) -> dict[str, Any]:
        self.presigned.append((media_id, content_type, size))
        return {"url": f"memory://uploads/{media_id}",
                "fields": {"key": f"uploads/{media_id}", "Content-Type": content_type}}

    def put_upload(self, media_id: str, data: bytes) -> None:
        """What the browser's POST to S3 does."""
        self.uploads[media_id] = data

    def read_upload(self, media_id: str, limit: int) -> bytes:
        if media_id not in self.uploads:
            raise MediaMissing(media_id)
        return self.uploads[media_id][: limit + 1]

    def keep(self, media_id: str, sha256: str, content_type: str) -> None:
        data = self.uploads.pop(media_id)
        self.objects.setdefault(sha256, data)

    def attach(self, sha256: str) -> None:
        if sha256 not in self.objects:
            raise MediaMissing(sha256)
        self.attached.add(sha256)

    def read(self, sha256: str) -> bytes:
        if sha256 not in self.objects:
            raise MediaMissing(sha256)
        return self.objects[sha256]

    def url(self, sha256: str, seconds: int = 3600) -> str:
        return f"memory://media/{sha256}?expires={seconds}"

    def fingerprint(self, sha256: str) -> str | None:
        data = self.objects.get(sha256)
        return None if data is None else hashlib.sha256(data).hexdigest()

    def add(self, data: bytes) -> str:
        """Store bytes as kept and attached (a test's shortcut past the upload); their sha256."""
        sha256 = hashlib.sha256(data).hexdigest()
        self.objects[sha256] = data
        return sha256


def png(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG of the given size (Pillow)."""
    return _encode("PNG", width, height, color)


def jpeg(width: int = 64, height: int = 48, color: tuple[int, int, int] = (30, 30, 200)) -> bytes:
    return _encode("JPEG", width, height, color)


def webp(width: int = 64, height: int = 48, color: tuple[int, int, int] = (30, 200, 30)) -> bytes:
    return _encode("WEBP", width, height, color)


def gif(width: int = 64, height: int = 48, color: tuple[int, int, int] = (90, 90, 90)) -> bytes:
    return _encode("GIF", width, height, color)


def _encode(kind: str, width: int, height: int, color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=kind)
    return buffer.getvalue()
