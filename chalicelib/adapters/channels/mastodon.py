"""Mastodon: POST /api/v1/statuses with a user token (scope write:statuses).

Mastodon keeps an Idempotency-Key for up to one hour and answers a repeated key with the status
it already created, so this is the one network where a timeout or a 5xx is retried: the same
key on every attempt cannot make a second post.
"""

from __future__ import annotations

from chalicelib.adapters.channels.base import (
    HttpClient,
    Publisher,
    Secret,
    error_text,
    failed,
    json_message,
)
from chalicelib.config import MastodonChannel
from chalicelib.domain.publication import Copy, Outcome, Publication


class MastodonPublisher(Publisher):
    sends_idempotency_key = True

    def __init__(self, name: str, config: MastodonChannel, token: Secret, http: HttpClient) -> None:
        super().__init__(name, http)
        self.base_url = config.base_url.rstrip("/")
        self.token = token

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        response = self.http.request(
            "POST",
            f"{self.base_url}/api/v1/statuses",
            headers={
                "Authorization": f"Bearer {self.token.value()}",
                "Idempotency-Key": publication.idempotency_key,
            },
            # Visibility is left to the account's default so the operator decides it there.
            json_body={"status": copy.text},
            idempotent=self.sends_idempotency_key,
        )
        if not response.ok:
            # 401 {"error": "The access token is invalid"}, 422 {"error": "Validation failed: ..."}
            raise failed(error_text(response, json_message(response, ("error",), ("error_description",))))
        status = response.json()
        if not isinstance(status, dict):
            status = {}
        status_id = status.get("id")
        return Outcome(
            "published",
            url=status.get("url") or status.get("uri"),
            external_id=str(status_id) if status_id is not None else None,
        )
