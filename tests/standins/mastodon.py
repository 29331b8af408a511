"""A Mastodon server stand-in: statuses (with Idempotency-Key) and media attachments (v2 upload,
202 while processing, polled through GET /api/v1/media/{id})."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.standins.server import HANG_SECONDS, Recorded, Reply, Standin


class MastodonStandin(Standin):
    """Statuses and media attachments. ``processing_polls`` > 0: uploads answer 202 (``url``
    null) and GET /api/v1/media/{id} answers 206 that many times before 200, as a server does
    while it processes a large image; attaching before then is refused with a 422."""

    network = "mastodon"
    secret = "mastodon-user-token"
    publish_path = "/api/v1/statuses"
    media_path = "/api/v2/media"
    max_attachments = 4
    max_description = 1500

    def __init__(self, hang_seconds: float = HANG_SECONDS) -> None:
        super().__init__(hang_seconds)
        self.statuses_by_key: dict[str, dict[str, Any]] = {}
        self.others: dict[str, dict[str, Any]] = {}
        self.processing_polls = 0
        # Notifications of type mention (replies to our statuses and mentions), oldest first;
        # ``read_script``: the next reads' answers ("429", "500"); ``reads_left``: what
        # X-RateLimit-Remaining says on a successful read (None: the header is left out).
        self.notifications: list[dict[str, Any]] = []
        self.read_script: list[str] = []
        self.reads_left: int | None = None

    def is_media_upload(self, request: Recorded) -> bool:
        return (request.method, request.path) == ("POST", self.media_path)

    def handle(self, request: Recorded) -> Reply:
        if request.bearer() != self.secret:
            return self.unauthorized()
        if (request.method, request.path) == ("POST", self.media_path):
            return self._upload(request)
        if (request.method, request.path) == ("GET", "/api/v1/notifications"):
            return self._notifications(request)
        if request.method == "GET" and request.path.startswith("/api/v1/media/"):
            return self._media(request.path.rsplit("/", 1)[-1])
        if (request.method, request.path) != ("POST", self.publish_path):
            return Reply(404, {"error": "Record not found"})
        key = request.headers.get("idempotency-key")
        if key and key in self.statuses_by_key:
            return Reply(200, self.statuses_by_key[key])  # the documented duplicate protection
        params = request.params()
        text = str(params.get("status") or "")
        wanted = params.get("media_ids") or request.query.get("media_ids[]") or []
        if len(wanted) > self.max_attachments:
            return Reply(422, {"error": f"Cannot attach more than {self.max_attachments} files"})
        # Like Mastodon: ids that are unknown or already used are left out, not refused.
        attached = [str(i) for i in wanted if str(i) in self.media and not self.media[str(i)]["status_id"]]
        if any(self.media[i]["polls_left"] > 0 for i in attached):
            return Reply(422, {"error": "Cannot attach files that have not finished processing. "
                                        "Try again in a moment!"})
        if not text.strip() and not attached:
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        if len(text) > 500:
            return Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        in_reply_to = params.get("in_reply_to_id")
        if in_reply_to is not None and str(in_reply_to) not in self.known_statuses():
            return Reply(404, {"error": "Record not found"})  # an answer to nothing we know
        status_id = str(110_000_000_000_000_000 + self.next_id())
        for media_id in attached:
            self.media[media_id]["status_id"] = status_id
        status = {
            "id": status_id,
            "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "content": f"<p>{html.escape(text)}</p>",
            "visibility": params.get("visibility", "public"),
            "uri": f"{self.base_url}/users/freigabe/statuses/{status_id}",
            "url": f"{self.base_url}/@freigabe/{status_id}",
            "media_attachments": [self._attachment(i) for i in attached],
        }
        images = [{"id": i, **{k: self.media[i][k] for k in ("bytes", "alt", "content_type")}}
                  for i in attached]
        self.posts.append({"id": status_id, "text": text, "idempotency_key": key, "images": images,
                           "in_reply_to_id": str(in_reply_to) if in_reply_to else None})
        if key:
            self.statuses_by_key[key] = status
        return Reply(200, status)

    def _upload(self, request: Recorded) -> Reply:
        form = request.form()
        file = form.get("file")
        if file is None or not file.data:
            return Reply(422, {"error": "Validation failed: File can't be blank"})
        if not (file.content_type or "").startswith("image/"):
            return Reply(422, {"error": "Validation failed: File has contents that are not what they "
                                        "are reported to be"})
        description = form["description"].text if "description" in form else ""
        if len(description) > self.max_description:
            return Reply(422, {"error": "Validation failed: Description is too long (maximum is "
                                        f"{self.max_description} characters)"})
        media_id = str(111_000_000_000_000_000 + self.next_id())
        self.media[media_id] = {"bytes": file.data, "alt": description, "content_type": file.content_type,
                                "polls_left": self.processing_polls, "status_id": None}
        if self.processing_polls > 0:
            return Reply(202, self._attachment(media_id))
        return Reply(200, self._attachment(media_id))

    def _media(self, media_id: str) -> Reply:
        media = self.media.get(media_id)
        if media is None:
            return Reply(404, {"error": "Record not found"})
        if media["polls_left"] > 0:
            media["polls_left"] -= 1
            return Reply(206, self._attachment(media_id, processing=True))
        return Reply(200, self._attachment(media_id))

    def _attachment(self, media_id: str, *, processing: bool = False) -> dict[str, Any]:
        media = self.media[media_id]
        ready = not processing and media["polls_left"] == 0
        return {"id": media_id, "type": "image",
                "url": f"{self.base_url}/system/media/{media_id}.png" if ready else None,
                "preview_url": f"{self.base_url}/system/media/{media_id}-small.png",
                "description": media["alt"] or None}

    def known_statuses(self) -> set[str]:
        """Ours and the ones others wrote (``others_status``): what a reply may answer."""
        return {str(p["id"]) for p in self.posts} | set(self.others)

    def others_status(self, text: str, author: str = "kim@mastodon.example") -> str:
        """Someone else's status on this server (a reply or mention to answer); its id."""
        status_id = str(120_000_000_000_000_000 + self.next_id())
        self.others[status_id] = {"id": status_id, "text": text, "author": author}
        return status_id

    def add_reply(self, in_reply_to: str | None, text: str,
                  author: str = "kim@mastodon.example") -> str:
        """Someone answers ``in_reply_to`` (None: mentions the account) with a status that
        mentions us, as Mastodon notifies it; the status's id."""
        with self._lock:
            status_id = self.others_status(text, author)
            note_id = str(self.next_id())
            created = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            account = {"id": str(abs(hash(author)) % 10**9), "acct": author,
                       "username": author.split("@")[0], "url": f"{self.base_url}/@{author}"}
            self.notifications.append({
                "id": note_id, "type": "mention", "created_at": created, "account": account,
                "status": {"id": status_id, "created_at": created, "in_reply_to_id": in_reply_to,
                           "in_reply_to_account_id": "1" if in_reply_to else None,
                           "content": f"<p><span class=\"h-card\"><a href=\"{self.base_url}/@freigabe\" "
                                      f"class=\"u-url mention\">@<span>freigabe</span></a></span> "
                                      f"{html.escape(text)}</p>",
                           "url": f"{self.base_url}/@{author.split('@')[0]}/{status_id}",
                           "uri": f"{self.base_url}/users/{author.split('@')[0]}/statuses/{status_id}",
                           "account": account, "visibility": "public"}})
        return status_id

    def _notifications(self, request: Recorded) -> Reply:
        """GET /api/v1/notifications: newest first; ``since_id`` the newest page after an id,
        ``min_id`` the page right after it; ``types[]`` filters."""
        if self.read_script:
            scripted = self.read_script.pop(0)
            return self.throttled() if scripted == "429" else self.server_error()
        types = request.query.get("types[]") or []
        limit = min(int((request.query.get("limit") or ["40"])[-1]), 80)
        found = [n for n in self.notifications if not types or n["type"] in types]
        since = (request.query.get("since_id") or [""])[-1]
        after = (request.query.get("min_id") or [""])[-1]
        if since:
            found = [n for n in found if int(n["id"]) > int(since)][-limit:]
        elif after:
            found = [n for n in found if int(n["id"]) > int(after)][:limit]
        else:
            found = found[-limit:]
        headers: dict[str, str] = {}
        if self.reads_left is not None:
            reset = (datetime.now(UTC) + timedelta(minutes=5)).isoformat(timespec="microseconds")
            headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(self.reads_left),
                       "X-RateLimit-Reset": reset}
        return Reply(200, list(reversed(found)), headers)

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
