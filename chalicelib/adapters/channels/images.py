"""A post's images on their way to a network: the approved bytes read back by sha256 and checked
against it, the multipart bodies the networks' upload endpoints take, and the media list the
webhook and the outbox carry.

Uploading an image publishes nothing (the network keeps an unattached upload until it expires),
so media steps are sent as idempotent requests: retried on timeouts and 5xx as well. Only the
request that creates the post keeps the once-only rules of base.HttpClient.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.adapters.channels.base import ChannelFailure, failed
from chalicelib.domain.media import Image
from chalicelib.services.ports import MediaMissing, MediaStore, RetryLater

logger = logging.getLogger(__name__)

# How long the webhook's and the outbox's image URLs stay readable. S3 ends a presigned URL
# earlier when the temporary credentials that signed it expire, so receivers should fetch the
# images when the publication arrives rather than keep the URL.
MEDIA_URL_SECONDS = 6 * 3600
STORE_RETRY_SECONDS = 30.0

FormField = tuple[str, str | tuple[str, bytes, str]]  # name, value or (filename, bytes, type)

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


def filename(position: int, image: Image) -> str:
    """A neutral file name for an upload (the uploader's own file name is not published)."""
    return f"image-{position}.{_EXTENSIONS.get(image.content_type, 'bin')}"


def multipart(fields: Sequence[FormField]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type header."""
    import urllib3  # ships with botocore; imported here to keep cold starts lean

    body, content_type = urllib3.encode_multipart_formdata(list(fields))
    return body, content_type


def image_failure(position: int, message: str) -> ChannelFailure:
    """A media step's failure, saying which image it was; nothing was published."""
    return failed(f"image {position}: {message}")


class ImageReader:
    """Reads a post's images from the MediaStore, one at a time, each checked against the
    sha256 the reviewers approved; the store is built only when a post has images."""

    def __init__(self, channel: str, media: Callable[[], MediaStore] | None) -> None:
        self.channel = channel
        self._media = media

    def store(self) -> MediaStore:
        if self._media is None:
            raise failed(f"{self.channel}: the post has images but no image store is configured")
        return self._media()

    def read(self, position: int, image: Image) -> bytes:
        """The approved bytes of image ``position`` (1-based, as people count)."""
        store = self.store()
        try:
            data = store.read(image.sha256)
        except MediaMissing:
            raise failed(f"image {position} is no longer in the image store; "
                         "it cannot go out as approved") from None
        except Exception as err:  # noqa: BLE001 - any store trouble (S3 down) is worth a retry
            logger.warning("channel=%s image=%d store read failed: %s", self.channel, position,
                           type(err).__name__)
            raise RetryLater(STORE_RETRY_SECONDS, f"{self.channel}: image store unavailable") from None
        if hashlib.sha256(data).hexdigest() != image.sha256:
            raise failed(f"image {position}: the stored bytes differ from the approved ones; "
                         "nothing was published")
        return data

    def entries(self, images: Sequence[Image]) -> list[dict[str, Any]]:
        """What the webhook body and the outbox line carry for each image, in order."""
        if not images:
            return []
        store = self.store()
        return [{"sha256": image.sha256, "content_type": image.content_type, "size": image.size,
                 "alt": image.alt, "url": store.url(image.sha256, MEDIA_URL_SECONDS)}
                for image in images]
