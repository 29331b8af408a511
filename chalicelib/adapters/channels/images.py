"""A post's images on their way to a network: the multipart bodies the networks' upload
endpoints take and the failures that name an image. (Reading the approved bytes back by sha256,
and the media list the webhook and the outbox carry, is base.ImageReader's.)

Uploading an image publishes nothing (the network keeps an unattached upload until it expires),
so media steps are sent as idempotent requests: retried on timeouts and 5xx as well. Only the
request that creates the post keeps the once-only rules of base.HttpClient.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.adapters.channels.base import MEDIA_URL_SECONDS, ChannelFailure, ImageReader, failed
from chalicelib.domain.media import Image

__all__ = ["MEDIA_URL_SECONDS", "FormField", "ImageReader", "filename", "image_failure", "multipart"]

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
