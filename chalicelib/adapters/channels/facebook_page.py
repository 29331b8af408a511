"""Facebook Page: Graph API POST /{page-id}/feed with a Page access token.

Graph reports rate limiting as an error *code* (4, 17, 32, 341, 613), usually with HTTP 400 or
403 rather than 429; those requests were refused before any post was made, so they are retried
like a 429. Every other error body has the same shape: {"error": {"message", "type", "code"}}.

Images: each is uploaded as an unpublished photo (POST /{page-id}/photos, multipart ``source``,
``published=false``, the alt text as ``alt_text_custom``), which shows nowhere on its own; the
feed post then attaches them in order with ``attached_media[n] = {"media_fbid": id}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.channels.base import (
    HttpClient,
    Publisher,
    Response,
    Secret,
    error_text,
    failed,
    json_message,
)
from chalicelib.adapters.channels.images import (
    FormField,
    ImageReader,
    filename,
    image_failure,
    multipart,
)
from chalicelib.config import FacebookPageChannel
from chalicelib.domain.media import Image
from chalicelib.domain.publication import Copy, Outcome, Publication

THROTTLE_CODES = frozenset({4, 17, 32, 341, 613})


def _error_code(response: Response) -> object:
    data = response.json()
    error = data.get("error") if isinstance(data, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def throttled(response: Response) -> bool:
    return 400 <= response.status < 500 and _error_code(response) in THROTTLE_CODES


def post_url(post_id: str) -> str:
    page, _, story = post_id.partition("_")
    return f"https://www.facebook.com/{page}/posts/{story}" if story else f"https://www.facebook.com/{page}"


class FacebookPagePublisher(Publisher):
    def __init__(self, name: str, config: FacebookPageChannel, token: Secret, http: HttpClient,
                 images: ImageReader | None = None) -> None:
        super().__init__(name, http, images)
        self.base_url = config.base_url.rstrip("/")
        self.page_id = config.page_id
        self.token = token

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        # The token goes in the body, as documented, and so never into a URL or access log.
        body: dict[str, Any] = {"message": copy.text, "access_token": self.token.value()}
        if copy.images:
            body["attached_media"] = [{"media_fbid": photo} for photo in self._upload_all(copy.images)]
        # An answer is a comment on the comment it answers (POST /{comment-id}/comments).
        edge = f"{copy.reply_to}/comments" if copy.reply_to else f"{self.page_id}/feed"
        response = self.http.request(
            "POST",
            f"{self.base_url}/{edge}",
            json_body=body,
            throttled=throttled,
        )
        if not response.ok:
            raise failed(_message(response))
        data = response.json()
        post_id = str(data["id"]) if isinstance(data, dict) and data.get("id") else None
        return Outcome("published", url=post_url(post_id) if post_id else None, external_id=post_id)

    def _upload_all(self, images: Sequence[Image]) -> list[str]:
        return [self._upload(position, image) for position, image in enumerate(images, start=1)]

    def _upload(self, position: int, image: Image) -> str:
        data = self.images.read(position, image)
        fields: list[FormField] = [
            ("source", (filename(position, image), data, image.content_type)),
            ("published", "false"),
            ("access_token", self.token.value()),
        ]
        if image.alt:
            fields.append(("alt_text_custom", image.alt))
        body, content_type = multipart(fields)
        # An unpublished photo is not shown anywhere, so sending it again is harmless.
        response = self.http.request(
            "POST", f"{self.base_url}/{self.page_id}/photos", headers={"Content-Type": content_type},
            body=body, idempotent=True, throttled=throttled)
        photo = response.json()
        if not response.ok or not isinstance(photo, dict) or not photo.get("id"):
            raise image_failure(position, _message(response))
        return str(photo["id"])


def _message(response: Response) -> str:
    message = json_message(response, ("error", "error_user_msg"), ("error", "message"))
    code = _error_code(response)
    if message and code is not None:
        message = f"{message} (code {code})"
    return error_text(response, message)
