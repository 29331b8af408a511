"""A Facebook Graph stand-in for a Page: feed posts and unpublished photos attached to them."""

from __future__ import annotations

import json
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

    def is_media_upload(self, request: Recorded) -> bool:
        return (request.method, request.path) == ("POST", self.photos_path)

    def handle(self, request: Recorded) -> Reply:
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
        # Graph signals throttling by error code, not by HTTP 429.
        return _graph_error(400, 32, "(#32) Page request limit reached", is_transient=True)

    def unavailable(self) -> Reply:
        return _graph_error(503, 2, "Service temporarily unavailable", is_transient=True)

    def server_error(self) -> Reply:
        return _graph_error(500, 1, "An unknown error has occurred.", is_transient=True)
