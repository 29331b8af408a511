"""A LinkedIn stand-in: the versioned Posts API with its little text format, and the Images API."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote

from tests.standins.server import HANG_SECONDS, Recorded, Reply, Standin

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
    """The Posts API and the Images API: initializeUpload gives an upload URL and an image URN,
    the bytes are PUT there, and a post references uploaded images with their ``altText``."""

    network = "linkedin"
    secret = "linkedin-member-token"
    publish_path = "/rest/posts"
    images_path = "/rest/images"
    upload_prefix = "/dms-uploads/"
    max_images = 20
    max_alt_text = 4086

    def __init__(self, hang_seconds: float = HANG_SECONDS) -> None:
        super().__init__(hang_seconds)
        self.uploads: dict[str, str] = {}  # upload path -> image URN
        # Comments by the URN they are on (a post, or a comment for nested ones), oldest first;
        # ``read_script``: the next comment reads' answers ("429", "500", "401").
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.read_script: list[str] = []

    def is_media_upload(self, request: Recorded) -> bool:
        return request.method == "PUT" and request.path.startswith(self.upload_prefix)

    def handle(self, request: Recorded) -> Reply:
        if request.bearer() != self.secret:
            return self.unauthorized()
        if self.is_media_upload(request):
            return self._receive_bytes(request)
        routes = {("POST", self.publish_path): self._create_post,
                  ("POST", self.images_path): self._initialize}
        route = routes.get((request.method, request.path))
        if route is None and request.path.startswith("/rest/socialActions/") \
                and request.path.endswith("/comments"):
            route = self._comments if request.method == "GET" else self._comment
        if route is None:
            return Reply(404, {"status": 404, "message": "No virtual resource found"})
        return self._version_problem(request) or route(request)

    def add_reply(self, on: str, text: str, actor: str = "urn:li:person:kim4711") -> str:
        """Someone comments on ``on`` (a post URN); the comment's URN."""
        with self._lock:
            return self._store(on, text, actor, None)["commentUrn"]

    def _store(self, on: str, text: str, actor: str, parent: str | None) -> dict[str, Any]:
        number = self.next_id()
        comment_id = str(7_310_000_000_000_000_000 + number)
        post = parent.split("(", 1)[1].split(",", 1)[0] if parent else on
        created = int(time.time() * 1000) + number  # distinct and rising, like real ones
        comment: dict[str, Any] = {
            "id": comment_id, "commentUrn": f"urn:li:comment:({post},{comment_id})",
            "$URN": f"urn:li:comment:({post},{comment_id})", "actor": actor, "object": post,
            "message": {"text": text, "attributes": []},
            "created": {"actor": actor, "time": created},
            "lastModified": {"actor": actor, "time": created}}
        if parent:
            comment["parentComment"] = parent
        self.comments.setdefault(parent or on, []).append(comment)
        return comment

    def _comments(self, request: Recorded) -> Reply:
        """GET /rest/socialActions/{urn}/comments: ``start``/``count`` paging with ``paging``."""
        if self.read_script:
            scripted = self.read_script.pop(0)
            return {"429": self.throttled, "401": self.unauthorized}.get(scripted, self.server_error)()
        on = unquote(request.path[len("/rest/socialActions/"):-len("/comments")])
        start = int((request.query.get("start") or ["0"])[-1])
        count = int((request.query.get("count") or ["10"])[-1])
        if count > 100:
            return Reply(400, {"status": 400, "message": "count must be at most 100"})
        found = self.comments.get(on, [])
        return Reply(200, {"elements": found[start:start + count],
                           "paging": {"start": start, "count": count, "total": len(found),
                                      "links": []}})

    def _comment(self, request: Recorded) -> Reply:
        """POST /rest/socialActions/{urn}/comments: a comment, nested with ``parentComment``."""
        on = unquote(request.path[len("/rest/socialActions/"):-len("/comments")])
        body = request.json() or {}
        text = (body.get("message") or {}).get("text")
        parent = body.get("parentComment")
        if not isinstance(text, str) or not text:
            return Reply(422, {"status": 422, "message": "ERROR :: /message/text :: field is required"})
        if parent is not None and (parent != on or not any(
                c["commentUrn"] == parent for found in self.comments.values() for c in found)):
            return Reply(404, {"status": 404, "message": "Comment not found"})
        comment = self._store(on, text, str(body.get("actor")), parent)
        return Reply(201, comment, {"x-restli-id": comment["commentUrn"]})

    def _version_problem(self, request: Recorded) -> Reply | None:
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
        return None

    def _initialize(self, request: Recorded) -> Reply:
        if request.query.get("action") != ["initializeUpload"]:
            return Reply(400, {"status": 400, "message": "Unsupported action"})
        owner = ((request.json() or {}).get("initializeUploadRequest") or {}).get("owner")
        if not re.fullmatch(r"urn:li:(organization|person):[\w-]+", str(owner)):
            message = "ERROR :: /initializeUploadRequest/owner :: invalid value"
            return Reply(422, {"status": 422, "message": message})
        number = self.next_id()
        urn = f"urn:li:image:D4E10AQ{number:012d}"
        path = f"{self.upload_prefix}upload-{number}"
        self.uploads[path] = urn
        expires = int((time.time() + 3600) * 1000)
        value = {"uploadUrlExpiresAt": expires, "uploadUrl": self.origin + path, "image": urn}
        return Reply(200, {"value": value})

    def _receive_bytes(self, request: Recorded) -> Reply:
        urn = self.uploads.get(request.path)
        if urn is None or not request.body:
            return Reply(400, {"status": 400, "message": "Invalid upload"})
        self.media[urn] = {"bytes": request.body}
        return Reply(201, None)

    def _images(self, content: Any) -> list[dict[str, Any]]:
        """The post's images in order; ValueError names the field that is wrong."""
        if content is None:
            return []
        if "media" in content:
            entries, field = [content["media"]], "/content/media"
        elif "multiImage" in content:
            entries, field = content["multiImage"].get("images") or [], "/content/multiImage/images"
            if not 2 <= len(entries) <= self.max_images:
                raise ValueError(field)
        else:
            raise ValueError("/content")
        images = []
        for entry in entries:
            urn, alt = entry.get("id"), entry.get("altText", "")
            if urn not in self.media or not isinstance(alt, str) or len(alt) > self.max_alt_text:
                raise ValueError(field)
            images.append({"urn": urn, "bytes": self.media[urn]["bytes"], "alt": alt})
        return images

    def _create_post(self, request: Recorded) -> Reply:
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
        try:
            images = self._images(body.get("content"))
        except (ValueError, AttributeError, TypeError) as err:
            problems.append(str(err) if isinstance(err, ValueError) else "/content")
            images = []
        if problems:
            return Reply(422, {"status": 422, "message": f"ERROR :: {problems[0]} :: invalid value"})
        urn = f"urn:li:share:{7_300_000_000_000_000_000 + self.next_id()}"
        rendered = render_little_text(body["commentary"])
        self.posts.append({"urn": urn, "author": body["author"], "commentary": body["commentary"],
                           "text": rendered, "images": images})
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
        return Reply(429, body, {"Retry-After": "1"})

    def unavailable(self) -> Reply:
        return Reply(503, {"status": 503, "message": "Service Unavailable"})

    def server_error(self) -> Reply:
        return Reply(500, {"status": 500, "message": "Internal Server Error"})
