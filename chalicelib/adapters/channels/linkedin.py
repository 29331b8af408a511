"""LinkedIn: the versioned Posts API, POST /rest/posts, for an organization or a member.

``commentary`` is LinkedIn's "little text format": ``\\ | { } @ [ ] ( ) < > # * _ ~`` are
syntax, and LinkedIn cuts the post off at the first one that is not escaped. Every reserved
character is escaped; hashtags become HashtagTemplates so they stay hashtags.

Images use the Images API: POST /rest/images?action=initializeUpload for the author gives an
upload URL and an image URN, the bytes are PUT there, and the post references the URN with its
``altText`` (``content.media`` for one image, ``content.multiImage`` for two to twenty).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from chalicelib.adapters.channels.base import (
    HttpClient,
    Publisher,
    Response,
    Secret,
    error_text,
    failed,
    json_message,
)
from chalicelib.adapters.channels.images import ImageReader, image_failure
from chalicelib.config import LinkedInChannel
from chalicelib.domain.media import Image
from chalicelib.domain.publication import Copy, Outcome, Publication

logger = logging.getLogger(__name__)

POST_URL = "https://www.linkedin.com/feed/update/{urn}"
# A comment's URN names the post it is on: urn:li:comment:(urn:li:activity:7,6)
COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[A-Za-z]+:[^,()]+),[^()]+\)$")
# LinkedIn retires each monthly API version after about a year; requests naming it then fail.
RETIRED_STATUS = 426
RETIRED_CODE = "NONEXISTENT_VERSION"
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
    def __init__(self, name: str, config: LinkedInChannel, token: Secret, http: HttpClient,
                 images: ImageReader | None = None,
                 on_retired: Callable[[str, str], None] | None = None) -> None:
        super().__init__(name, http, images)
        self.base_url = config.base_url.rstrip("/")
        self.author = config.author
        self.api_version = config.api_version
        self.token = token
        # Told (channel, version) when LinkedIn says the version is retired: the admins hear.
        self.on_retired = on_retired

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token.value()}",
            "LinkedIn-Version": self.api_version,
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
        }

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        if copy.reply_to:
            return self._comment_reply(copy.reply_to, copy.text)
        post: dict[str, Any] = {}
        if copy.images:
            post["content"] = self._content(copy.images)
        response = self.http.request(
            "POST",
            f"{self.base_url}/rest/posts",
            headers=self._headers(),
            json_body={
                **post,
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
            raise failed(self._refusal(response))
        # 201 with an empty body; the new post's URN (urn:li:share:… or urn:li:ugcPost:…) is a header.
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        return Outcome("published", url=POST_URL.format(urn=urn) if urn else None, external_id=urn)

    def _comment_reply(self, parent: str, text: str) -> Outcome:
        """An answer to a comment: a nested comment, POST /rest/socialActions/{comment}/comments
        with ``parentComment``; its ``object`` is the post the comment is on, named inside the
        comment's URN (urn:li:comment:(urn:li:activity:…,…))."""
        found = COMMENT_URN.match(parent)
        if not found:
            raise failed(f"{parent!r} is not a LinkedIn comment; only comments can be answered")
        response = self.http.request(
            "POST", f"{self.base_url}/rest/socialActions/{quote(parent, safe='')}/comments",
            headers=self._headers(),
            json_body={"actor": self.author, "object": found.group(1), "parentComment": parent,
                       "message": {"text": text}})
        if not response.ok:
            raise failed(self._refusal(response))
        data = response.json()
        urn = (data.get("commentUrn") if isinstance(data, dict) else None) or \
            response.headers.get("x-restli-id")
        return Outcome("published", url=POST_URL.format(urn=found.group(1)),
                       external_id=str(urn) if urn else None)

    def _content(self, images: Sequence[Image]) -> dict[str, Any]:
        uploaded = []
        for position, image in enumerate(images, start=1):
            entry = {"id": self._upload(position, image)}
            if image.alt:
                entry["altText"] = image.alt
            uploaded.append(entry)
        if len(uploaded) == 1:
            return {"media": uploaded[0]}
        return {"multiImage": {"images": uploaded}}

    def _upload(self, position: int, image: Image) -> str:
        """Initialize an upload for the author, PUT the bytes; the image's URN."""
        data = self.images.read(position, image)
        # An initialized upload nobody posts is never shown: both steps may be sent again.
        response = self.http.request(
            "POST", f"{self.base_url}/rest/images?action=initializeUpload", headers=self._headers(),
            json_body={"initializeUploadRequest": {"owner": self.author}}, idempotent=True)
        answer = response.json()
        value = answer.get("value") if isinstance(answer, dict) else None
        if response.status == RETIRED_STATUS:
            raise failed(self._refusal(response))
        if not response.ok or not isinstance(value, dict) or not value.get("uploadUrl") \
                or not value.get("image"):
            raise image_failure(position, _message(response))
        upload = self.http.request(
            "PUT", str(value["uploadUrl"]),
            headers={"Authorization": f"Bearer {self.token.value()}",
                     "Content-Type": "application/octet-stream"},
            body=data, idempotent=True)
        if not upload.ok:
            raise image_failure(position, _message(upload))
        return str(value["image"])


    def _refusal(self, response: Response) -> str:
        if response.status != RETIRED_STATUS:
            return _message(response)
        if self.on_retired is not None:
            try:
                self.on_retired(self.name, self.api_version)
            except Exception:  # noqa: BLE001 - telling the admins must not change the result
                logger.warning("channel=%s retired version not told", self.name)
        return (f"this LinkedIn API version ({self.api_version}) has been retired "
                f"(HTTP 426 {RETIRED_CODE}): set a current linkedin_version on channel "
                f"{self.name}; nothing was published")


def _message(response: Response) -> str:
    # {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": ...};
    # an expired LinkedIn-Version is a 426 with the same shape.
    return error_text(response, json_message(response, ("message",), ("code",)))
