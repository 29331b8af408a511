"""Mastodon: POST /api/v1/statuses with a user token (scopes write:statuses, write:media).

Mastodon keeps an Idempotency-Key for up to one hour and answers a repeated key with the status
it already created, so this is the one network where a timeout or a 5xx is retried: the same
key on every attempt cannot make a second post.

Images go first, one by one, to POST /api/v2/media with the alt text as ``description``. A 200
means the attachment is ready; a 202 (``url`` null) means the server is still processing it, and
attaching it then is refused with a 422, so GET /api/v1/media/{id} is polled (206 while
processing, 200 when done) within a bounded wait before the status names them in ``media_ids``.
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
from chalicelib.adapters.channels.images import ImageReader, filename, image_failure, multipart
from chalicelib.config import MastodonChannel
from chalicelib.domain.media import Image
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.services.ports import RetryLater

# How long one delivery waits for the server to process an image, and the first poll interval
# (doubling, at most POLL_MAX apart). A delivery that runs out hands the message back.
PROCESSING_WAIT_SECONDS = 20.0
POLL_FIRST = 0.5
POLL_MAX = 4.0


def _message(response: Response) -> str:
    # 401 {"error": "The access token is invalid"}, 422 {"error": "Validation failed: ..."}
    return error_text(response, json_message(response, ("error",), ("error_description",)))


class MastodonPublisher(Publisher):
    sends_idempotency_key = True

    def __init__(self, name: str, config: MastodonChannel, token: Secret, http: HttpClient,
                 images: ImageReader | None = None) -> None:
        super().__init__(name, http, images)
        self.base_url = config.base_url.rstrip("/")
        self.token = token

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token.value()}"}

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        # Visibility is left to the account's default so the operator decides it there.
        body: dict[str, Any] = {"status": copy.text}
        if copy.reply_to:
            # An answer: a reply in the conversation of that status (the same Idempotency-Key).
            body["in_reply_to_id"] = copy.reply_to
        if copy.images:
            body["media_ids"] = self._upload_all(copy.images)
        response = self.http.request(
            "POST",
            f"{self.base_url}/api/v1/statuses",
            headers={**self._auth(), "Idempotency-Key": publication.idempotency_key},
            json_body=body,
            idempotent=self.sends_idempotency_key,
        )
        if not response.ok:
            raise failed(_message(response))
        status = response.json()
        if not isinstance(status, dict):
            status = {}
        status_id = status.get("id")
        return Outcome(
            "published",
            url=status.get("url") or status.get("uri"),
            external_id=str(status_id) if status_id is not None else None,
        )

    def _upload_all(self, images: Sequence[Image]) -> list[str]:
        uploads = [self._upload(position, image) for position, image in enumerate(images, start=1)]
        for position, (media_id, ready) in enumerate(uploads, start=1):
            if not ready:
                self._wait_until_processed(position, media_id)
        return [media_id for media_id, _ in uploads]

    def _upload(self, position: int, image: Image) -> tuple[str, bool]:
        """The attachment's id, and whether it is processed already (200 rather than 202)."""
        data = self.images.read(position, image)
        body, content_type = multipart([
            ("file", (filename(position, image), data, image.content_type)),
            ("description", image.alt),
        ])
        response = self.http.request(
            "POST", f"{self.base_url}/api/v2/media",
            headers={**self._auth(), "Content-Type": content_type}, body=body, idempotent=True)
        attachment = response.json()
        if not response.ok or not isinstance(attachment, dict) or not attachment.get("id"):
            raise image_failure(position, _message(response))
        return str(attachment["id"]), response.status == 200 and bool(attachment.get("url"))

    def _wait_until_processed(self, position: int, media_id: str) -> None:
        waited, interval = 0.0, POLL_FIRST
        while True:
            response = self.http.request(
                "GET", f"{self.base_url}/api/v1/media/{media_id}", headers=self._auth(),
                idempotent=True)
            attachment = response.json()
            if response.status == 200 and isinstance(attachment, dict) and attachment.get("url"):
                return
            if response.status not in (200, 206):
                raise image_failure(position, _message(response))
            if waited + interval > PROCESSING_WAIT_SECONDS:
                # Nothing is posted yet: the redelivery uploads again (Mastodon removes
                # attachments never used in a status).
                raise RetryLater(PROCESSING_WAIT_SECONDS,
                                 f"{self.name}: image {position} still processing")
            self.http.options.sleep(interval)
            waited += interval
            interval = min(interval * 2, POLL_MAX)
