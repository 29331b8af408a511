"""X: API v2 POST /2/tweets with an OAuth 2.0 user-context token (scopes tweet.write, users.read).

X offers no idempotency key. It does refuse an identical text from the same account (403,
"duplicate content"), which is a safety net, not a reason to re-send after an unknown.
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
from chalicelib.config import XChannel
from chalicelib.domain.publication import Copy, Outcome, Publication

# Works without knowing the account's username, which the API call does not return.
POST_URL = "https://x.com/i/web/status/{id}"


class XPublisher(Publisher):
    def __init__(self, name: str, config: XChannel, token: Secret, http: HttpClient) -> None:
        super().__init__(name, http)
        self.base_url = config.base_url.rstrip("/")
        self.token = token

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        response = self.http.request(
            "POST",
            f"{self.base_url}/2/tweets",
            headers={"Authorization": f"Bearer {self.token.value()}"},
            json_body={"text": copy.text},
        )
        if not response.ok:
            # Problem JSON: {"title", "detail", "type", "status"}; older errors: {"errors": [{"message"}]}
            message = json_message(
                response, ("detail",), ("errors", 0, "message"), ("title",), ("error_description",)
            )
            raise failed(error_text(response, message))
        data = response.json()
        tweet = data.get("data") if isinstance(data, dict) else None
        tweet_id = str(tweet["id"]) if isinstance(tweet, dict) and tweet.get("id") else None
        return Outcome(
            "published", url=POST_URL.format(id=tweet_id) if tweet_id else None, external_id=tweet_id
        )
