"""A post's images put into Slack for its reviewers, privately.

Slack shows an image block only from a public URL or from a Slack file. The customer's bucket
stays private, so each image is uploaded as a Slack file through Slack's external upload flow
(files.getUploadURLExternal, the bytes to its upload URL, files.completeUploadExternal without a
channel, so the file is shared nowhere) and the blocks refer to it by id. The file id is
remembered per post and sha256 (the post's refs), so a re-sent request or App Home never
uploads the same image again.

An image that cannot be put into Slack is reported as not shown; the blocks then say so and
offer no Approve (nobody approves an image they did not see). Rate limits and outages still
raise, so the stream tries the whole request again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.media import GIF, JPEG, PNG, Image
from chalicelib.services.ports import MediaMissing, MediaStore, PostRepository

log = logging.getLogger("freigabe.slack.files")

FILE_REF = "slack_file:"  # + sha256: the Slack file that shows those bytes
UPLOAD_ALT_CHARS = 1_000  # files.getUploadURLExternal refuses a longer alt_txt
UPLOAD_SECONDS = 30.0
# What Slack's image blocks display; anything else (WebP) is shown as a PNG of the same pixels.
SHOWABLE = {PNG: "png", JPEG: "jpg", GIF: "gif"}


@dataclass(frozen=True)
class ShownImage:
    """One of a post's images as a Slack message can show it: ``file_id`` is None when it could
    not be put into Slack."""

    image: Image
    file_id: str | None


def file_ref(sha256: str) -> str:
    return f"{FILE_REF}{sha256}"


def remembered(images: tuple[Image, ...], refs: Mapping[str, Any]) -> list[ShownImage]:
    """The images with the Slack files already uploaded for them (None where there is none)."""
    shown = []
    for image in images:
        ref = refs.get(file_ref(image.sha256)) or {}
        file_id = ref.get("id")
        shown.append(ShownImage(image, str(file_id) if file_id else None))
    return shown


def images_of(client: Any, media: Callable[[], MediaStore] | None, repo: PostRepository,
              post_id: str, images: tuple[Image, ...]) -> list[ShownImage]:
    """One post's images as Slack files (for the review modal): the remembered ones read in
    one go, any others uploaded now."""
    if not images:
        return []
    names = {file_ref(image.sha256) for image in images}
    known = dict(repo.refs_of([post_id], names).get(post_id) or {})
    return SlackImages(client, media, repo).show(post_id, images, known)


class SlackImages:
    """Uploads what is not in Slack yet and remembers it in the post's refs."""

    def __init__(self, client: Any, media: Callable[[], MediaStore] | None,
                 repo: PostRepository) -> None:
        self._client = client
        self._media = media
        self._repo = repo

    def show(self, post_id: str, images: tuple[Image, ...],
             refs: dict[str, Any]) -> list[ShownImage]:
        """Every image with its Slack file, uploading the ones not uploaded before; ``refs``
        are the post's refs and learn each new file id."""
        shown = []
        for position, item in enumerate(remembered(images, refs), start=1):
            if item.file_id is None:
                file_id = self._upload(post_id, item.image, position)
                if file_id is not None:
                    ref = {"id": file_id}
                    self._repo.save_ref(post_id, file_ref(item.image.sha256), ref)
                    refs[file_ref(item.image.sha256)] = ref
                item = ShownImage(item.image, file_id)
            shown.append(item)
        return shown

    def _upload(self, post_id: str, image: Image, position: int) -> str | None:
        from slack_sdk.errors import SlackApiError

        from chalicelib.adapters.slack.client import is_transient

        if self._media is None:
            log.warning("no image store; image not shown", extra={"post_id": post_id})
            return None
        try:
            data, extension = displayable(self._media().read(image.sha256), image.content_type)
            answer = self._client.files_getUploadURLExternal(
                filename=f"image-{position}.{extension}", length=len(data),
                alt_txt=image.alt[:UPLOAD_ALT_CHARS] or None)
            file_id = str(answer["file_id"])
            _send(str(answer["upload_url"]), data)
            # No channel: the file is private to the app and shows only where a block refers to it.
            self._client.files_completeUploadExternal(
                files=[{"id": file_id, "title": f"image-{position}.{extension}"}])
        except SlackApiError as err:
            if is_transient(err):
                raise
            log.warning("image not uploaded to Slack", extra={
                "post_id": post_id, "position": position, "error": str(err.response.get("error"))})
            return None
        except (MediaMissing, UploadRefused, ValueError) as err:
            log.warning("image not uploaded to Slack", extra={
                "post_id": post_id, "position": position, "error": type(err).__name__})
            return None
        return file_id


class UploadRefused(Exception):
    """Slack's upload URL answered with a client error: trying again would not help."""


def displayable(data: bytes, content_type: str) -> tuple[bytes, str]:
    """The bytes Slack can show, and their file extension: the image itself, or for a type
    Slack's image blocks do not take (WebP) a lossless PNG of the same pixels. The approval
    still binds to the original bytes; this copy only shows them."""
    if content_type in SHOWABLE:
        return data, SHOWABLE[content_type]
    import io

    from PIL import Image as Pillow

    try:
        with Pillow.open(io.BytesIO(data)) as picture:
            buffer = io.BytesIO()
            picture.save(buffer, format="PNG")
    except (OSError, Pillow.DecompressionBombError) as err:
        raise ValueError("image cannot be decoded") from err
    return buffer.getvalue(), "png"


def _send(url: str, data: bytes) -> None:
    """The bytes to Slack's upload URL (raw body, which Slack accepts besides multipart)."""
    import urllib.error
    import urllib.request

    if not url.startswith(("https://", "http://")):
        raise UploadRefused("not an upload URL")
    request = urllib.request.Request(url, data=data, method="POST",  # noqa: S310 - checked above
                                     headers={"Content-Type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(request, timeout=UPLOAD_SECONDS) as response:  # noqa: S310 - Slack's URL
            response.read()
    except urllib.error.HTTPError as err:
        if 400 <= err.code < 500 and err.code != 429:
            raise UploadRefused(str(err.code)) from err
        raise


__all__ = ["FILE_REF", "ShownImage", "SlackImages", "displayable", "file_ref", "images_of",
           "remembered"]
