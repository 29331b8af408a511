"""Stand-ins for each network's publishing API, following its documentation: paths, auth,
body shapes, status codes and error bodies. ``start(network)`` returns a running one.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.standins.bluesky import BlueskyStandin
from tests.standins.server import HANG_SECONDS, Recorded, Reply, Standin


class MastodonStandin(Standin):
    network = "mastodon"
    secret = "mastodon-user-token"
    publish_path = "/api/v1/statuses"

    def __init__(self, hang_seconds: float = HANG_SECONDS) -> None:
        super().__init__(hang_seconds)
        self.statuses_by_key: dict[str, dict[str, Any]] = {}

    def handle(self, request: Recorded) -> Reply:
        if (request.method, request.path) != ("POST", self.publish_path):
            return Reply(404, {"error": "Record not found"})
        if request.bearer() != self.secret:
            return self.unauthorized()
        key = request.headers.get("idempotency-key")
        if key and key in self.statuses_by_key:
            return Reply(200, self.statuses_by_key[key])  # the documented duplicate protection
        text = str(request.params().get("status") or "")
        if not text.strip():
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        if len(text) > 500:
            return Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        status_id = str(110_000_000_000_000_000 + self.next_id())
        status = {
            "id": status_id,
            "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "content": f"<p>{html.escape(text)}</p>",
            "visibility": request.params().get("visibility", "public"),
            "uri": f"{self.base_url}/users/freigabe/statuses/{status_id}",
            "url": f"{self.base_url}/@freigabe/{status_id}",
        }
        self.posts.append({"id": status_id, "text": text, "idempotency_key": key})
        if key:
            self.statuses_by_key[key] = status
        return Reply(200, status)

    def unauthorized(self) -> Reply:
        return Reply(401, {"error": "The access token is invalid"})

    def throttled(self) -> Reply:
        # Mastodon's rack-attack answer: no Retry-After, an ISO 8601 reset time instead.
        reset = (datetime.now(UTC) + timedelta(seconds=1)).isoformat(timespec="microseconds")
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        return Reply(429, {"error": "Too many requests"}, headers)

    def unavailable(self) -> Reply:
        return Reply(503, {"error": "Service Unavailable"})

    def server_error(self) -> Reply:
        return Reply(500, {"error": "We're sorry, but something went wrong on our end."})


_LITTLE_RESERVED = set("\\|{}@[]()<>#*_~")
_LITTLE_HASHTAG = re.compile(r"\{hashtag\|\\?[#＃]\|([^|{}\\]*)\}")
_LITTLE_MENTION = re.compile(r"@\[([^\]]*)\]\((urn:li:[^)]+)\)")


def render_little_text(commentary: str) -> str:
    """What LinkedIn shows: escapes undone, templates rendered, cut at an unescaped reserved char."""
    shown, index = [], 0
    while index < len(commentary):
        char = commentary[index]
        if char == "\\" and index + 1 < len(commentary):
            shown.append(commentary[index + 1])
            index += 2
            continue
        match = _LITTLE_HASHTAG.match(commentary, index) or _LITTLE_MENTION.match(commentary, index)
        if match:
            shown.append(("#" if match.re is _LITTLE_HASHTAG else "") + match.group(1))
            index = match.end()
            continue
        if char in _LITTLE_RESERVED:
            break  # LinkedIn silently truncates the post here
        shown.append(char)
        index += 1
    return "".join(shown)


class LinkedInStandin(Standin):
    network = "linkedin"
    secret = "linkedin-member-token"
    publish_path = "/rest/posts"

    def handle(self, request: Recorded) -> Reply:
        if (request.method, request.path) != ("POST", self.publish_path):
            return Reply(404, {"status": 404, "message": "No virtual resource found"})
        if request.bearer() != self.secret:
            return self.unauthorized()
        version = request.headers.get("linkedin-version", "")
        if not version:
            message = "A version must be present. Please specify a version by adding the LinkedIn-Version"
            message += " header"
            return Reply(400, {"status": 400, "code": "VERSION_MISSING", "message": message})
        if not re.fullmatch(r"\d{6}", version):
            return Reply(
                426,
                {
                    "status": 426,
                    "code": "NONEXISTENT_VERSION",
                    "message": f"Requested version {version} is not active",
                },
            )
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return Reply(400, {"status": 400, "message": "X-Restli-Protocol-Version 2.0.0 is required"})
        body = request.json() or {}
        distribution = body.get("distribution") or {}
        checks = (
            ("/author", re.fullmatch(r"urn:li:(organization|person):[\w-]+", str(body.get("author")))),
            ("/commentary", isinstance(body.get("commentary"), str)),
            ("/visibility", body.get("visibility") in ("PUBLIC", "CONNECTIONS", "LOGGED_IN")),
            ("/lifecycleState", body.get("lifecycleState") == "PUBLISHED"),
            ("/distribution", distribution.get("feedDistribution") in ("MAIN_FEED", "NONE")),
        )
        problems = [field for field, ok in checks if not ok]
        if problems:
            return Reply(422, {"status": 422, "message": f"ERROR :: {problems[0]} :: invalid value"})
        urn = f"urn:li:share:{7_300_000_000_000_000_000 + self.next_id()}"
        rendered = render_little_text(body["commentary"])
        self.posts.append(
            {"urn": urn, "author": body["author"], "commentary": body["commentary"], "text": rendered}
        )
        return Reply(201, None, {"x-restli-id": urn, "x-linkedin-id": urn})

    def unauthorized(self) -> Reply:
        return Reply(
            401,
            {
                "status": 401,
                "serviceErrorCode": 65600,
                "code": "INVALID_ACCESS_TOKEN",
                "message": "Invalid access token",
            },
        )

    def throttled(self) -> Reply:
        message = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
        body = {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS", "message": message}
        return Reply(429, body)

    def unavailable(self) -> Reply:
        return Reply(503, {"status": 503, "message": "Service Unavailable"})

    def server_error(self) -> Reply:
        return Reply(500, {"status": 500, "message": "Internal Server Error"})


def _problem(status: int, title: str, detail: str | None = None) -> Reply:
    return Reply(status, {"title": title, "detail": detail or title, "type": "about:blank", "status": status})


class XStandin(Standin):
    network = "x"
    secret = "x-oauth2-user-token"
    publish_path = "/2/tweets"

    def handle(self, request: Recorded) -> Reply:
        if (request.method, request.path) != ("POST", self.publish_path):
            return _problem(404, "Not Found Error")
        if request.bearer() != self.secret:
            return self.unauthorized()
        text = (request.json() or {}).get("text")
        if not isinstance(text, str) or not text:
            return Reply(
                400,
                {
                    "errors": [{"message": "$.text: is missing but it is required"}],
                    "title": "Invalid Request",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                    "detail": "One or more parameters to your request was invalid.",
                },
            )
        if any(post["text"] == text for post in self.posts):
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet_id = str(1_900_000_000_000_000_000 + self.next_id())
        self.posts.append({"id": tweet_id, "text": text})
        return Reply(201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}})

    def unauthorized(self) -> Reply:
        return _problem(401, "Unauthorized")

    def throttled(self) -> Reply:
        reply = _problem(429, "Too Many Requests")
        reset = str(int(time.time()) + 1)  # X sends an epoch reset, not Retry-After
        reply.headers = {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": reset,
        }
        return reply

    def unavailable(self) -> Reply:
        return _problem(503, "Service Unavailable")

    def server_error(self) -> Reply:
        return _problem(500, "Internal Server Error")


def _graph_error(status: int, code: int, message: str, **extra: Any) -> Reply:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGh123"}
    return Reply(status, {"error": error | extra})


class FacebookPageStandin(Standin):
    network = "facebook_page"
    secret = "facebook-page-access-token"
    page_id = "104857600012345"
    path_prefix = "/v23.0"
    publish_path = f"/v23.0/{page_id}/feed"

    def handle(self, request: Recorded) -> Reply:
        if (request.method, request.path) != ("POST", self.publish_path):
            return _graph_error(400, 2500, "Unknown path components")
        params = request.params()
        if (params.get("access_token") or request.bearer()) != self.secret:
            return _graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        message = params.get("message")
        if not message and not params.get("link"):
            return _graph_error(400, 100, "(#100) Requires one of the params: link, message")
        if any(post["text"] == message for post in self.posts):
            return _graph_error(400, 506, "Duplicate status message", error_subcode=1455006)
        post_id = f"{self.page_id}_{122_000_000_000_000 + self.next_id()}"
        self.posts.append({"id": post_id, "text": message})
        return Reply(200, {"id": post_id})

    def unauthorized(self) -> Reply:
        return _graph_error(401, 190, "Error validating access token: Session has expired", error_subcode=463)

    def throttled(self) -> Reply:
        # Graph signals throttling by error code, not by HTTP 429.
        return _graph_error(400, 32, "(#32) Page request limit reached", is_transient=True)

    def unavailable(self) -> Reply:
        return _graph_error(503, 2, "Service temporarily unavailable", is_transient=True)

    def server_error(self) -> Reply:
        return _graph_error(500, 1, "An unknown error has occurred.", is_transient=True)


class WebhookStandin(Standin):
    """A receiver that verifies X-Freigabe-Signature before accepting anything."""

    network = "webhook"
    secret = "webhook-shared-secret"
    path_prefix = "/hooks/freigabe"
    publish_path = "/hooks/freigabe"

    def handle(self, request: Recorded) -> Reply:
        expected = "sha256=" + hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("x-freigabe-signature", ""), expected):
            return self.unauthorized()
        document = request.json()
        delivery = request.headers.get("x-freigabe-delivery")
        if not isinstance(document, dict) or document.get("delivery_id") != delivery:
            return Reply(400, {"message": "delivery id missing or not matching the header"})
        self.posts.append(document | {"signature_valid": True})
        return Reply(202, {"received": delivery})

    def unauthorized(self) -> Reply:
        return Reply(401, {"message": "signature does not match"})

    def throttled(self) -> Reply:
        return Reply(429, {"message": "slow down"}, {"Retry-After": "1"})

    def unavailable(self) -> Reply:
        return Reply(503, {"message": "receiver under maintenance"}, {"Retry-After": "1"})

    def server_error(self) -> Reply:
        return Reply(500, {"message": "receiver crashed"})


STANDINS: dict[str, type[Standin]] = {
    cls.network: cls
    for cls in (
        MastodonStandin,
        BlueskyStandin,
        LinkedInStandin,
        XStandin,
        FacebookPageStandin,
        WebhookStandin,
    )
}


def start(network: str, *, hang_seconds: float = HANG_SECONDS) -> Standin:
    """A running stand-in for ``network`` (a channel type); call ``.stop()`` when done."""
    return STANDINS[network](hang_seconds)
