"""An X API v2 stand-in: posts, one-request media upload and media metadata (alt text)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tests.standins.server import Recorded, Reply, Standin


def _problem(status: int, title: str, detail: str | None = None) -> Reply:
    return Reply(status, {"title": title, "detail": detail or title, "type": "about:blank", "status": status})


def _invalid(message: str) -> Reply:
    return Reply(
        400,
        {
            "errors": [{"message": message}],
            "title": "Invalid Request",
            "type": "https://api.twitter.com/2/problems/invalid-request",
            "detail": "One or more parameters to your request was invalid.",
        },
    )


class XStandin(Standin):
    """POST /2/tweets, and the v2 media endpoints: one-request upload (multipart ``media``,
    ``media_category``) and alt text through POST /2/media/metadata (at most 1,000 characters)."""

    network = "x"
    secret = "x-oauth2-user-token"
    publish_path = "/2/tweets"
    upload_path = "/2/media/upload"
    metadata_path = "/2/media/metadata"
    max_images = 4
    max_alt_text = 1000

    user_id = "1500000000000000001"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Posts that mention the account, oldest first; ``read_script``: the next mention
        # reads' answers ("429", "500", "401").
        self.mentions: list[dict[str, Any]] = []
        self.read_script: list[str] = []

    def is_media_upload(self, request: Recorded) -> bool:
        return (request.method, request.path) == ("POST", self.upload_path)

    def add_reply(self, reply_to: str | None, text: str, username: str = "kim_muster") -> str:
        """Someone mentions the account, answering ``reply_to`` (None: a new post); its id."""
        with self._lock:
            post_id = str(1_910_000_000_000_000_000 + self.next_id())
            post: dict[str, Any] = {
                "id": post_id, "text": f"@freigabe {text}", "author_id": f"99{len(username)}",
                "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "edit_history_tweet_ids": [post_id], "_username": username}
            if reply_to:
                post["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            self.mentions.append(post)
        return post_id

    def _read(self, request: Recorded) -> Reply:
        if request.bearer() != self.secret:
            return self.unauthorized()
        if request.path == "/2/users/me":
            return Reply(200, {"data": {"id": self.user_id, "username": "freigabe", "name": "Freigabe"}})
        if request.path != f"/2/users/{self.user_id}/mentions":
            return _problem(404, "Not Found Error")
        if self.read_script:
            scripted = self.read_script.pop(0)
            return {"429": self.throttled, "401": self.unauthorized}.get(scripted, self.server_error)()
        limit = int((request.query.get("max_results") or ["10"])[-1])
        if not 5 <= limit <= 100:
            return _invalid("The `max_results` query parameter value is not between 5 and 100")
        found = list(reversed(self.mentions))  # newest first
        since = (request.query.get("since_id") or [""])[-1]
        if since:
            found = [p for p in found if int(p["id"]) > int(since)]
        token = (request.query.get("pagination_token") or [""])[-1]
        if token:
            found = [p for p in found if int(p["id"]) < int(token)]
        page = found[:limit]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0]["id"],
                                "oldest_id": page[-1]["id"]}
        if len(found) > limit:
            meta["next_token"] = page[-1]["id"]
        users = [{"id": p["author_id"], "username": p["_username"]} for p in page]
        return Reply(200, {"data": [{k: v for k, v in p.items() if k != "_username"} for p in page],
                           "includes": {"users": users}, "meta": meta})

    def handle(self, request: Recorded) -> Reply:
        if request.method == "GET":
            return self._read(request)
        routes = {self.publish_path: self._tweet, self.upload_path: self._upload,
                  self.metadata_path: self._metadata}
        route = routes.get(request.path) if request.method == "POST" else None
        if route is None:
            return _problem(404, "Not Found Error")
        if request.bearer() != self.secret:
            return self.unauthorized()
        return route(request)

    def _upload(self, request: Recorded) -> Reply:
        form = request.form()
        media = form.get("media")
        category = form["media_category"].text if "media_category" in form else "tweet_image"
        if media is None or not media.data:
            return _invalid("$.media: is missing but it is required")
        if category not in ("tweet_image", "tweet_gif"):
            return _invalid(f"$.media_category: {category} is not valid for an image")
        media_id = str(1_880_000_000_000_000_000 + self.next_id())
        self.media[media_id] = {"bytes": media.data, "alt": "", "content_type": media.content_type}
        data = {"id": media_id, "media_key": f"3_{media_id}", "size": len(media.data),
                "expires_after_secs": 86400, "image": {"image_type": media.content_type}}
        return Reply(200, {"data": data})

    def _metadata(self, request: Recorded) -> Reply:
        body = request.json() or {}
        media = self.media.get(str(body.get("id")))
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if media is None:
            return _problem(400, "Invalid Request", "The media id was not found.")
        if not isinstance(alt, str) or len(alt) > self.max_alt_text:
            return _invalid(f"$.metadata.alt_text.text: must be at most {self.max_alt_text} characters")
        media["alt"] = alt
        metadata = {"alt_text": {"text": alt}}
        return Reply(200, {"data": {"id": str(body["id"]), "associated_metadata": metadata}})

    def _tweet(self, request: Recorded) -> Reply:
        body = request.json() or {}
        text = body.get("text")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if (not isinstance(text, str) or not text) and not media_ids:
            return _invalid("$.text: is missing but it is required")
        if len(media_ids) > self.max_images:
            return _invalid(f"$.media.media_ids: must have at most {self.max_images} items")
        if any(str(i) not in self.media for i in media_ids):
            return _problem(400, "Invalid Request", "Your media IDs are invalid.")
        if text and any(post["text"] == text for post in self.posts):
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet_id = str(1_900_000_000_000_000_000 + self.next_id())
        images = [{"id": str(i), **self.media[str(i)]} for i in media_ids]
        self.posts.append({"id": tweet_id, "text": text, "images": images})
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
