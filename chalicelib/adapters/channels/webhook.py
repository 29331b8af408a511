"""Webhook: POST the post as JSON to an automation endpoint, signed with a shared secret.

The receiver verifies ``X-Freigabe-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` and can
de-duplicate on ``X-Freigabe-Delivery``. Since no receiver is known to do the latter, a timeout
or 5xx is still reported as unknown rather than re-sent.

The body's ``media`` lists the post's images in order (sha256, type, size, alt text and a
presigned GET URL); the receiver fetches the bytes and can check them against the sha256.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.channels.base import (
    HttpClient,
    Publisher,
    Secret,
    error_text,
    failed,
    json_message,
)
from chalicelib.adapters.channels.images import ImageReader
from chalicelib.config import WebhookChannel
from chalicelib.domain.publication import Copy, Outcome, Publication

SIGNATURE_HEADER = "X-Freigabe-Signature"
DELIVERY_HEADER = "X-Freigabe-Delivery"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def payload(publication: Publication, copy: Copy, media: Sequence[dict[str, Any]] = ()) -> bytes:
    document = {
        "post_id": publication.post_id,
        "channel": publication.channel,
        "title": copy.title,
        "text": copy.text,
        "content_hash": publication.content_hash,
        "author": copy.author,
        "publish_at": copy.publish_at,
        "delivery_id": publication.idempotency_key,
        "media": list(media),
        **({"reply_to": copy.reply_to} if copy.reply_to else {}),  # an answer: what it answers
    }
    # These exact bytes are signed and sent; re-serialising would break the signature.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookPublisher(Publisher):
    def __init__(self, name: str, config: WebhookChannel, secret: Secret, http: HttpClient,
                 images: ImageReader | None = None) -> None:
        super().__init__(name, http, images)
        self.url = config.url
        self.secret = secret

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        body = payload(publication, copy, self.images.entries(copy.images))
        response = self.http.request(
            "POST",
            self.url,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                SIGNATURE_HEADER: signature(self.secret.value(), body),
                DELIVERY_HEADER: publication.idempotency_key,
            },
            body=body,
        )
        if not response.ok:
            message = json_message(response, ("message",), ("error",), ("detail",))
            if message is None and response.body:
                message = response.body[:200].decode("utf-8", "replace")
            raise failed(error_text(response, message))
        return Outcome("published", url=None, external_id=publication.idempotency_key)
