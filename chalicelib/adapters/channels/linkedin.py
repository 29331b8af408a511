"""LinkedIn: the versioned Posts API, POST /rest/posts, for an organization or a member.

``commentary`` is LinkedIn's "little text format": ``\\ | { } @ [ ] ( ) < > # * _ ~`` are
syntax, and LinkedIn cuts the post off at the first one that is not escaped. Every reserved
character is escaped; hashtags become HashtagTemplates so they stay hashtags.
"""

from __future__ import annotations

import re

from chalicelib.adapters.channels.base import (
    HttpClient,
    Publisher,
    Secret,
    error_text,
    failed,
    json_message,
)
from chalicelib.config import LinkedInChannel
from chalicelib.domain.publication import Copy, Outcome, Publication

POST_URL = "https://www.linkedin.com/feed/update/{urn}"
RESTLI_PROTOCOL = "2.0.0"

_RESERVED = re.compile(r"[\\|{}@\[\]()<>#*_~]")
# LinkedIn hashtags are letters and digits only; "#my_tag" is the tag "my" followed by text.
_HASHTAG = re.compile(r"(?:^|(?<=\s))#([^\W_]+)")


def escape_little_text(text: str) -> str:
    return _RESERVED.sub(lambda match: "\\" + match.group(0), text)


def little_text(text: str) -> str:
    """Plain text as little text format: literal everywhere, except hashtags stay hashtags."""
    parts: list[str] = []
    last = 0
    for match in _HASHTAG.finditer(text):
        parts.append(escape_little_text(text[last : match.start()]))
        parts.append("{hashtag|\\#|" + match.group(1) + "}")
        last = match.end()
    parts.append(escape_little_text(text[last:]))
    return "".join(parts)


class LinkedInPublisher(Publisher):
    def __init__(self, name: str, config: LinkedInChannel, token: Secret, http: HttpClient) -> None:
        super().__init__(name, http)
        self.base_url = config.base_url.rstrip("/")
        self.author = config.author
        self.api_version = config.api_version
        self.token = token

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        response = self.http.request(
            "POST",
            f"{self.base_url}/rest/posts",
            headers={
                "Authorization": f"Bearer {self.token.value()}",
                "LinkedIn-Version": self.api_version,
                "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
            },
            json_body={
                "author": self.author,
                "commentary": little_text(copy.text),
                "visibility": "PUBLIC",
                "distribution": {
                    "feedDistribution": "MAIN_FEED",
                    "targetEntities": [],
                    "thirdPartyDistributionChannels": [],
                },
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False,
            },
        )
        if not response.ok:
            # {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": ...};
            # an expired LinkedIn-Version is a 426 with the same shape.
            raise failed(error_text(response, json_message(response, ("message",), ("code",))))
        # 201 with an empty body; the new post's URN (urn:li:share:… or urn:li:ugcPost:…) is a header.
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        return Outcome("published", url=POST_URL.format(urn=urn) if urn else None, external_id=urn)
