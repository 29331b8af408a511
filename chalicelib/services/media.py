"""The writers' images: create an upload, complete it once its bytes arrived, read it.

The browser sends the bytes straight to the image store (an S3 presigned POST: Lambda's request
payload limit rules out passing them through the API). Completing checks what actually arrived,
never trusting the declared type: the magic bytes, the size, the pixels (Pillow decodes the
header and verifies the file), and computes the sha256 the post's approvals will bind to. Only
then is the upload kept, under that sha256.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import replace

from chalicelib.domain import media as rules
from chalicelib.domain.errors import InvalidContent, NotFound
from chalicelib.domain.media import MediaObject
from chalicelib.domain.post import iso
from chalicelib.services.ports import Context, Identity, MediaMissing, MediaStore

log = logging.getLogger("freigabe.media")

MAX_FILENAME = 255
# How the writer knows each type; the same words in both languages.
TYPE_NAMES = {rules.JPEG: "JPEG", rules.PNG: "PNG", rules.WEBP: "WebP", rules.GIF: "GIF"}
# What Pillow calls each accepted type once it has read the file.
PILLOW_FORMATS = {rules.JPEG: "JPEG", rules.PNG: "PNG", rules.WEBP: "WEBP", rules.GIF: "GIF"}


def _store(ctx: Context) -> MediaStore:
    if ctx.media is None:
        raise RuntimeError("this context has no image store")
    return ctx.media()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _accepted() -> str:
    return ", ".join(TYPE_NAMES[kind] for kind in rules.IMAGE_TYPES)


def create_upload(ctx: Context, who: Identity, filename: str, content_type: str,
                  size: int) -> tuple[MediaObject, dict[str, object]]:
    """A new upload record owned by the caller, and the presigned POST that may carry at
    most ``size`` bytes of ``content_type`` into it."""
    name = filename.strip()[:MAX_FILENAME] or "image"
    declared = content_type.strip().lower()
    if declared not in rules.IMAGE_TYPES:
        raise InvalidContent("media_type_not_accepted", filename=name, type=content_type[:100],
                             accepted=_accepted())
    if size <= 0:
        raise InvalidContent("media_empty", filename=name)
    if size > rules.MAX_UPLOAD_BYTES:
        raise InvalidContent("media_too_large", filename=name, size=_megabytes(size),
                             limit=_megabytes(rules.MAX_UPLOAD_BYTES))
    upload = MediaObject(id=ctx.new_id(), owner=who.subject, status=rules.MEDIA_UPLOADING,
                         filename=name, declared_type=declared, declared_size=size,
                         created_at=iso(ctx.clock()))
    # The record first: an upload without one could never be completed, only expire.
    ctx.repo.save_media(upload)
    form = _store(ctx).presign_upload(upload.id, declared, size)
    log.info("upload created", extra={"media_id": upload.id, "content_type": declared,
                                      "size": size})
    return upload, form


def _own(ctx: Context, who: Identity, media_id: str) -> MediaObject:
    found = ctx.repo.get_media(media_id) if media_id else None
    if found is None or found.owner.lower() != who.subject.lower():
        # Not "forbidden": whether someone else's upload exists is not the caller's business.
        raise NotFound("media_not_found", media=media_id)
    return found


def complete(ctx: Context, who: Identity, media_id: str) -> MediaObject:
    """Check what arrived for the upload and keep it; the ready media object. Completing a
    ready upload again answers it as it is."""
    upload = _own(ctx, who, media_id)
    if upload.status == rules.MEDIA_READY:
        return upload
    store = _store(ctx)
    try:
        data = store.read_upload(upload.id, rules.MAX_UPLOAD_BYTES)
    except MediaMissing:
        raise InvalidContent("media_not_uploaded", filename=upload.filename) from None
    checked = inspect(upload, data)
    store.keep(upload.id, checked.sha256 or "", checked.content_type or upload.declared_type)
    ctx.repo.save_media(checked)
    log.info("upload completed", extra={"media_id": upload.id, "content_type": checked.content_type,
                                        "size": checked.size})
    return checked


def inspect(upload: MediaObject, data: bytes) -> MediaObject:
    """The upload as its bytes say it is (ready), or InvalidContent naming what is wrong."""
    name = upload.filename
    if not data:
        raise InvalidContent("media_not_uploaded", filename=name)
    if len(data) > rules.MAX_UPLOAD_BYTES:
        raise InvalidContent("media_too_large", filename=name, size=_megabytes(len(data)),
                             limit=_megabytes(rules.MAX_UPLOAD_BYTES))
    actual = rules.sniff(data[:16])
    if actual is None:
        raise InvalidContent("media_not_an_image", filename=name, accepted=_accepted())
    if actual != upload.declared_type:
        raise InvalidContent("media_type_mismatch", filename=name, actual=TYPE_NAMES[actual],
                             declared=TYPE_NAMES.get(upload.declared_type, upload.declared_type))
    width, height = _pixels(name, actual, data)
    return replace(upload, status=rules.MEDIA_READY, content_type=actual, size=len(data),
                   width=width, height=height, sha256=hashlib.sha256(data).hexdigest())


def _pixels(name: str, kind: str, data: bytes) -> tuple[int, int]:
    """Width and height from the image's header, after Pillow verified the file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]]) as image:
            width, height = image.size
            # Before decoding anything: a small file may declare a huge canvas.
            if width * height > rules.MAX_PIXELS or max(width, height) > rules.MAX_SIDE:
                raise InvalidContent("media_too_many_pixels", filename=name, width=width,
                                     height=height, megapixels=rules.MAX_PIXELS // 1_000_000,
                                     side=rules.MAX_SIDE)
            image.verify()
    except Image.DecompressionBombError:
        raise InvalidContent("media_too_many_pixels", filename=name, width="?", height="?",
                             megapixels=rules.MAX_PIXELS // 1_000_000,
                             side=rules.MAX_SIDE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Pillow's ways of saying the file is damaged or not what its first bytes claim.
        raise InvalidContent("media_unreadable", filename=name,
                             type=TYPE_NAMES[kind]) from None
    if width <= 0 or height <= 0:
        raise InvalidContent("media_unreadable", filename=name, type=TYPE_NAMES[kind])
    return int(width), int(height)


def read(ctx: Context, who: Identity, media_id: str) -> tuple[MediaObject, str | None]:
    """The caller's upload and a short-lived GET URL of its bytes (None until ready)."""
    upload = _own(ctx, who, media_id)
    return upload, url_of(ctx, upload)


def url_of(ctx: Context, upload: MediaObject) -> str | None:
    """A short-lived GET URL of a ready upload's bytes, for previews; None before."""
    if upload.status != rules.MEDIA_READY or not upload.sha256:
        return None
    return _store(ctx).url(upload.sha256)
