"""X: API v2 POST /2/tweets with an OAuth 2.0 user-context token (scopes tweet.write, users.read).

X offers no idempotency key. It does refuse an identical text from the same account (403,
"duplicate content"), which is a safety net, not a reason to re-send after an unknown.

Images: each is uploaded in one request to POST /2/media/upload (multipart ``media`` with
``media_category=tweet_image``; scope media.write), its alt text set with POST /2/media/metadata
(``metadata.alt_text.text``), and the post names them in ``media.media_ids``. An uploaded media
id nobody posts expires on its own, so both media steps may be sent again.
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
from chalicelib.config import XChannel
from chalicelib.domain.media import Image
from chalicelib.domain.publication import Copy, Outcome, Publication

# Works without knowing the account's username, which the API call does not return.
POST_URL = "https://x.com/i/web/status/{id}"


class XPublisher(Publisher):
    def __init__(self, name: str, config: XChannel, token: Secret, http: HttpClient,
                 images: ImageReader | None = None) -> None:
        super().__init__(name, http, images)
        self.base_url = config.base_url.rstrip("/")
        self.token = token

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token.value()}"}

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        body: dict[str, Any] = {"text": copy.text}
        if copy.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": copy.reply_to}
        if copy.images:
            body["media"] = {"media_ids": self._upload_all(copy.images)}
        response = self.http.request(
            "POST",
            f"{self.base_url}/2/tweets",
            headers=self._auth(),
            json_body=body,
        )
        if not response.ok:
            raise failed(_message(response))
        data = response.json()
        tweet = data.get("data") if isinstance(data, dict) else None
        tweet_id = str(tweet["id"]) if isinstance(tweet, dict) and tweet.get("id") else None
        return Outcome(
            "published", url=POST_URL.format(id=tweet_id) if tweet_id else None, external_id=tweet_id
        )

    def _upload_all(self, images: Sequence[Image]) -> list[str]:
        return [self._upload(position, image) for position, image in enumerate(images, start=1)]

    def _upload(self, position: int, image: Image) -> str:
        data = self.images.read(position, image)
        body, content_type = multipart([
            ("media", (filename(position, image), data, image.content_type)),
            ("media_category", "tweet_image"),
        ])
        response = self.http.request(
            "POST", f"{self.base_url}/2/media/upload",
            headers={**self._auth(), "Content-Type": content_type}, body=body, idempotent=True)
        answer = response.json()
        media = answer.get("data") if isinstance(answer, dict) else None
        if not response.ok or not isinstance(media, dict) or not media.get("id"):
            raise image_failure(position, _message(response))
        media_id = str(media["id"])
        if image.alt:
            described = self.http.request(
                "POST", f"{self.base_url}/2/media/metadata", headers=self._auth(),
                json_body={"id": media_id, "metadata": {"alt_text": {"text": image.alt}}},
                idempotent=True)
            if not described.ok:
                raise image_failure(position, _message(described))
        return media_id


def _message(response: Response) -> str:
    # Problem JSON: {"title", "detail", "type", "status"}; older errors: {"errors": [{"message"}]}
    message = json_message(
        response, ("detail",), ("errors", 0, "message"), ("title",), ("error_description",)
    )
    return error_text(response, message)
