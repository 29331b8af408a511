"""Facebook Page: Graph API POST /{page-id}/feed with a Page access token.

Graph reports rate limiting as an error *code* (4, 17, 32, 341, 613), usually with HTTP 400 or
403 rather than 429; those requests were refused before any post was made, so they are retried
like a 429. Every other error body has the same shape: {"error": {"message", "type", "code"}}.
"""

from __future__ import annotations

from chalicelib.adapters.channels.base import (
    HttpClient,
    Publisher,
    Response,
    Secret,
    error_text,
    failed,
    json_message,
)
from chalicelib.config import FacebookPageChannel
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
    def __init__(self, name: str, config: FacebookPageChannel, token: Secret, http: HttpClient) -> None:
        super().__init__(name, http)
        self.base_url = config.base_url.rstrip("/")
        self.page_id = config.page_id
        self.token = token

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        response = self.http.request(
            "POST",
            f"{self.base_url}/{self.page_id}/feed",
            # The token goes in the body, as documented, and so never into a URL or access log.
            json_body={"message": copy.text, "access_token": self.token.value()},
            throttled=throttled,
        )
        if not response.ok:
            message = json_message(response, ("error", "error_user_msg"), ("error", "message"))
            code = _error_code(response)
            if message and code is not None:
                message = f"{message} (code {code})"
            raise failed(error_text(response, message))
        data = response.json()
        post_id = str(data["id"]) if isinstance(data, dict) and data.get("id") else None
        return Outcome("published", url=post_url(post_id) if post_id else None, external_id=post_id)
