"""A Facebook Graph stand-in for a Page: feed posts and unpublished photos attached to them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from tests.standins.server import Recorded, Reply, Standin


def _graph_error(status: int, code: int, message: str, **extra: Any) -> Reply:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGh123"}
    return Reply(status, {"error": error | extra})


class FacebookPageStandin(Standin):
    """The Page feed and Page photos: a photo uploaded with ``published=false`` shows nowhere
    until a feed post attaches it (``attached_media``); its alt text is ``alt_text_custom``."""

    network = "facebook_page"
    secret = "facebook-page-access-token"
    page_id = "104857600012345"
    path_prefix = "/v23.0"
    publish_path = f"/v23.0/{page_id}/feed"
    photos_path = f"/v23.0/{page_id}/photos"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Comments by the id they are on (a post, or a comment for replies), oldest first;
        # ``read_script``: the next comment reads' answers ("429", "500", "401").
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.read_script: list[str] = []

    def is_media_upload(self, request: Recorded) -> bool:
        return (request.method, request.path) == ("POST", self.photos_path)

    def add_reply(self, on: str, text: str, name: str = "Kim Muster") -> str:
        """Someone comments on ``on`` (a post id, or a comment id for a reply); the comment's id."""
        with self._lock:
            return self._store(on, text, {"name": name, "id": str(abs(hash(name)) % 10**15)})

    def _store(self, on: str, text: str, author: dict[str, str]) -> str:
        parent = next((c for found in self.comments.values() for c in found if c["id"] == on), None)
        post = parent["post_id"] if parent else on
        comment_id = f"{post.rsplit('_', 1)[-1]}_{125_000_000_000_000 + self.next_id()}"
        created = datetime.fromtimestamp(time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        comment: dict[str, Any] = {"id": comment_id, "message": text, "from": author,
                                   "created_time": created, "post_id": post,
                                   "permalink_url": f"https://www.facebook.com/{post}?comment_id={comment_id}"}
        if parent:
            comment["parent"] = {"id": parent["id"], "created_time": parent["created_time"],
                                 "message": parent["message"], "from": parent["from"]}
        self.comments.setdefault(on, []).append(comment)
        return comment_id

    def _read_comments(self, request: Recorded, on: str) -> Reply:
        """GET /{id}/comments: oldest first; ``filter=stream`` includes replies to comments;
        ``since`` (epoch seconds, inclusive); ``limit`` and ``after`` cursor paging."""
        if self.read_script:
            scripted = self.read_script.pop(0)
            return {"429": self.throttled, "401": self.unauthorized}.get(scripted, self.server_error)()
        if (request.query.get("access_token", [""])[-1] or request.bearer()) != self.secret:
            return _graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        found = list(self.comments.get(on, []))
        if (request.query.get("filter") or [""])[-1] == "stream":
            ids = {c["id"] for c in found}
            found += [c for key, replies in self.comments.items() if key in ids for c in replies]
            found.sort(key=lambda c: int(c["id"].rsplit("_", 1)[-1]))
        since = (request.query.get("since") or [""])[-1]
        if since:
            found = [c for c in found if int(datetime.strptime(
                c["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp()) >= int(since)]
        start = int((request.query.get("after") or ["0"])[-1])
        limit = min(int((request.query.get("limit") or ["25"])[-1]), 100)
        page = [{k: v for k, v in c.items() if k != "post_id"} for c in found[start:start + limit]]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
        if start + limit < len(found):
            paging["next"] = f"{self.base_url}/{on}/comments?after={start + len(page)}&limit={limit}"
        return Reply(200, {"data": page, "paging": paging})

    def handle(self, request: Recorded) -> Reply:
        edge = request.path[len(self.path_prefix) + 1:]
        if edge.endswith("/comments") and edge.count("/") == 1:
            on = edge.split("/", 1)[0]
            if request.method == "GET":
                return self._read_comments(request, on)
            return self._reply(request, on)
        if request.method != "POST" or request.path not in (self.publish_path, self.photos_path):
            return _graph_error(400, 2500, "Unknown path components")
        params = request.params()
        if (params.get("access_token") or request.bearer()) != self.secret:
            return _graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if request.path == self.photos_path:
            return self._photo(request, params)
        message = params.get("message")
        try:
            photos = self._attached(params)
        except (ValueError, KeyError, TypeError, AttributeError):
            return _graph_error(400, 100, "(#100) Invalid parameter: attached_media")
        if not message and not params.get("link") and not photos:
            return _graph_error(400, 100, "(#100) Requires one of the params: link, message")
        if message and any(post["text"] == message for post in self.posts):
            return _graph_error(400, 506, "Duplicate status message", error_subcode=1455006)
        post_id = f"{self.page_id}_{122_000_000_000_000 + self.next_id()}"
        for photo in photos:
            self.media[photo]["post_id"] = post_id
        images = [{"id": photo, **{k: self.media[photo][k] for k in ("bytes", "alt", "content_type")}}
                  for photo in photos]
        self.posts.append({"id": post_id, "text": message, "images": images})
        return Reply(200, {"id": post_id})

    def _reply(self, request: Recorded, on: str) -> Reply:
        """POST /{comment-id}/comments: a reply to the comment, as the Page."""
        params = request.params()
        if (params.get("access_token") or request.bearer()) != self.secret:
            return _graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if not any(c["id"] == on for found in self.comments.values() for c in found):
            return _graph_error(400, 100, "(#100) Unsupported post request. Object with ID "
                                          f"'{on}' does not exist")
        if not params.get("message"):
            return _graph_error(400, 100, "(#100) Missing message or attachment")
        return Reply(200, {"id": self._store(on, str(params["message"]),
                                             {"name": "Freigabe GmbH", "id": self.page_id})})

    def _photo(self, request: Recorded, params: dict[str, Any]) -> Reply:
        source = request.form().get("source")
        if source is None or not source.data:
            return _graph_error(400, 324, "(#324) Requires upload file")
        if not (source.content_type or "").startswith("image/"):
            return _graph_error(400, 324, "(#324) Missing or invalid image file")
        photo_id = str(123_000_000_000_000 + self.next_id())
        published = str(params.get("published", "true")).lower() != "false"
        self.media[photo_id] = {"bytes": source.data, "alt": params.get("alt_text_custom", ""),
                                "content_type": source.content_type, "published": published,
                                "post_id": None}
        if published:  # a published photo is a post of its own
            self.posts.append({"id": f"{self.page_id}_{photo_id}", "text": params.get("message"),
                               "images": [{"id": photo_id, "bytes": source.data}]})
        return Reply(200, {"id": photo_id})

    def _attached(self, params: dict[str, Any]) -> list[str]:
        """The photos a feed post attaches, in order: JSON ``attached_media`` or form fields
        ``attached_media[n]``, each {"media_fbid": id} of an unpublished, unattached photo."""
        entries = params.get("attached_media")
        if entries is None:
            numbered = sorted((int(k[len("attached_media["):-1]), v) for k, v in params.items()
                              if k.startswith("attached_media["))
            entries = [json.loads(v) if isinstance(v, str) else v for _, v in numbered]
        photos = [str(entry["media_fbid"]) for entry in entries]
        for photo in photos:
            media = self.media[photo]
            if media["published"] or media["post_id"]:
                raise ValueError(photo)
        return photos

    def unauthorized(self) -> Reply:
        return _graph_error(401, 190, "Error validating access token: Session has expired", error_subcode=463)

    def throttled(self) -> Reply:
        # Graph signals throttling by error code, not by HTTP 429, and says when the Page may
        # call again in X-Business-Use-Case-Usage (minutes).
        reply = _graph_error(400, 32, "(#32) Page request limit reached", is_transient=True)
        usage = {self.page_id: [{"type": "pages", "call_count": 100, "total_cputime": 12,
                                 "total_time": 30, "estimated_time_to_regain_access": 2}]}
        reply.headers = {"X-Business-Use-Case-Usage": json.dumps(usage)}
        return reply

    def unavailable(self) -> Reply:
        return _graph_error(503, 2, "Service temporarily unavailable", is_transient=True)

    def server_error(self) -> Reply:
        return _graph_error(500, 1, "An unknown error has occurred.", is_transient=True)
