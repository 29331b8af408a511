"""A Bluesky PDS stand-in: sessions, handle resolution, uploadBlob and createRecord, with XRPC's
{"error", "message"} bodies. Tokens can be expired on demand to exercise session refresh.
Blobs over 2,000,000 bytes are refused with BlobTooLarge, and a post's ``app.bsky.embed.images``
must reference uploaded blobs (at most four, each with ``alt`` and, if given, a valid
``aspectRatio``).
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.standins.server import HANG_SECONDS, Recorded, Reply, Standin

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


class BlueskyStandin(Standin):
    """A PDS: sessions, handle resolution and createRecord, with XRPC's {error, message} bodies."""

    network = "bluesky"
    secret = "abcd-efgh-ijkl-mnop"  # an app password
    publish_path = "/xrpc/com.atproto.repo.createRecord"
    upload_path = "/xrpc/com.atproto.repo.uploadBlob"
    max_blob_bytes = 2_000_000
    max_images = 4
    handle_name = "freigabe.test"
    did = "did:plc:freigabe4ybb2sxi7ycuyvha"

    def __init__(self, hang_seconds: float = HANG_SECONDS) -> None:
        super().__init__(hang_seconds)
        self.known_handles = {self.handle_name: self.did, "alice.test": "did:plc:alice5rwbbxcw3wddsuzijnl"}
        self.access_tokens: dict[str, bool] = {}  # token -> still valid
        self.refresh_tokens: dict[str, bool] = {}
        self.records: dict[str, dict[str, Any]] = {}  # at-uri -> {uri, cid, record}
        # app.bsky.notification.listNotifications: oldest first, each indexed a millisecond
        # after the one before; ``read_script``: the next reads' answers ("429", "500", "401").
        self.notifications: list[dict[str, Any]] = []
        self.read_script: list[str] = []
        self._indexed = datetime.now(UTC)

    def is_media_upload(self, request: Recorded) -> bool:
        return (request.method, request.path) == ("POST", self.upload_path)

    def calls(self, method: str) -> int:
        return sum(1 for r in self.requests if r.path == f"/xrpc/{method}")

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.access_tokens = dict.fromkeys(self.access_tokens, False)

    def expire_refresh_tokens(self) -> None:
        with self._lock:
            self.refresh_tokens = dict.fromkeys(self.refresh_tokens, False)

    def handle(self, request: Recorded) -> Reply:
        routes = {
            ("POST", "/xrpc/com.atproto.server.createSession"): self._create_session,
            ("POST", "/xrpc/com.atproto.server.refreshSession"): self._refresh_session,
            ("GET", "/xrpc/com.atproto.identity.resolveHandle"): self._resolve_handle,
            ("POST", self.publish_path): self._create_record,
            ("POST", self.upload_path): self._upload_blob,
            ("GET", "/xrpc/app.bsky.feed.getPostThread"): self._post_thread,
            ("GET", "/xrpc/app.bsky.notification.listNotifications"): self._notifications,
        }
        route = routes.get((request.method, request.path))
        if route is None:
            return Reply(501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})
        return route(request)

    def _issue(self) -> Reply:
        number = self.next_id()
        access, refresh = f"access-{number}", f"refresh-{number}"
        self.access_tokens[access] = True
        self.refresh_tokens[refresh] = True
        session = {"did": self.did, "handle": self.handle_name, "accessJwt": access, "refreshJwt": refresh}
        return Reply(200, session | {"active": True})

    def _create_session(self, request: Recorded) -> Reply:
        body = request.json() or {}
        if body.get("identifier") in (self.handle_name, self.did) and body.get("password") == self.secret:
            return self._issue()
        return Reply(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})

    def _refresh_session(self, request: Recorded) -> Reply:
        token = request.bearer() or ""
        state = self.refresh_tokens.pop(token, None)  # a refresh token is good for one use
        if state is None:
            return Reply(400, {"error": "InvalidToken", "message": "Token could not be verified"})
        if not state:
            return Reply(400, {"error": "ExpiredToken", "message": "Token has expired"})
        return self._issue()

    def _resolve_handle(self, request: Recorded) -> Reply:
        did = self.known_handles.get(request.query.get("handle", [""])[-1])
        if did is None:
            return Reply(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})
        return Reply(200, {"did": did})

    def _token_problem(self, request: Recorded) -> Reply | None:
        state = self.access_tokens.get(request.bearer() or "")
        if state is None:
            return Reply(400, {"error": "InvalidToken", "message": "Token could not be verified"})
        if not state:
            return Reply(400, {"error": "ExpiredToken", "message": "Token has expired"})
        return None

    def _upload_blob(self, request: Recorded) -> Reply:
        problem = self._token_problem(request)
        if problem is not None:
            return problem
        mime = request.headers.get("content-type", "")
        if not request.body:
            return Reply(400, {"error": "InvalidRequest", "message": "request body is empty"})
        if len(request.body) > self.max_blob_bytes:
            size_mb = len(request.body) / 1_000_000
            message = (f"This file is too large. It is {size_mb:.2f}MB but the maximum size is "
                       f"{self.max_blob_bytes / 1_000_000:.2f}MB.")
            return Reply(400, {"error": "BlobTooLarge", "message": message})
        cid = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        self.media[cid] = {"bytes": request.body, "content_type": mime}
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}
        return Reply(200, {"blob": blob})

    def _create_record(self, request: Recorded) -> Reply:
        problem = self._token_problem(request)
        if problem is not None:
            return problem
        body = request.json() or {}
        try:
            post = self._validate(body)
        except (ValueError, KeyError, TypeError) as err:
            message = f"Invalid app.bsky.feed.post record: {err}"
            return Reply(400, {"error": "InvalidRequest", "message": message})
        number = self.next_id()
        rkey = "".join(TID_ALPHABET[(number * 7919 + i) % 32] for i in range(13))
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + hashlib.sha256(request.body).hexdigest()[:52]
        self.posts.append(post | {"uri": uri, "rkey": rkey, "cid": cid})
        self.records[uri] = {"uri": uri, "cid": cid, "record": body["record"]}
        return Reply(200, {"uri": uri, "cid": cid, "validationStatus": "valid"})

    def _validate(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("repo") not in (self.did, self.handle_name):
            raise ValueError("repo is not the session's account")
        if body.get("collection") != "app.bsky.feed.post":
            raise ValueError("unexpected collection")
        record = body["record"]
        if record.get("$type") != "app.bsky.feed.post":
            raise ValueError("record/$type must be app.bsky.feed.post")
        text = record["text"]
        encoded = text.encode("utf-8")
        if len(encoded) > 3000:
            raise ValueError("record/text must not be longer than 3000 bytes")
        datetime.fromisoformat(record["createdAt"])
        spans = []
        for facet in record.get("facets", []):
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            if not 0 <= start < end <= len(encoded):
                raise ValueError("facet index outside the text")
            covered = encoded[start:end].decode("utf-8")  # raises if a slice splits a character
            (feature,) = facet["features"]
            if feature["$type"] not in {f"app.bsky.richtext.facet#{k}" for k in ("link", "mention", "tag")}:
                raise ValueError("unknown facet feature")
            spans.append((covered, feature))
        reply = record.get("reply")
        if reply is not None:
            for part in ("root", "parent"):
                ref = reply[part]
                known = self.records.get(ref["uri"])
                if known is None or known["cid"] != ref["cid"]:
                    raise ValueError(f"record/reply/{part} is not a strong ref to a known post")
            parent = self.records[reply["parent"]["uri"]]["record"]
            expected_root = (parent.get("reply") or {}).get("root") or reply["parent"]
            if reply["root"]["uri"] != expected_root["uri"]:
                raise ValueError("record/reply/root is not the root of the parent's thread")
        return {"text": text, "created_at": record["createdAt"], "facets": spans,
                "images": self._images(record.get("embed")), "reply": reply}

    def others_post(self, text: str, reply_to: str | None = None) -> str:
        """Someone else's post (a reply to ``reply_to``, or a new thread); its at-uri."""
        number = self.next_id()
        uri = f"at://did:plc:someoneelse/app.bsky.feed.post/other{number}"
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text}
        if reply_to is not None:
            parent = self.records[reply_to]
            root = (parent["record"].get("reply") or {}).get("root") or {
                "uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
        self.records[uri] = {"uri": uri, "cid": f"bafyreiother{number}", "record": record}
        return uri

    def add_reply(self, reply_to: str | None, text: str, handle: str = "kim.bsky.social",
                  reason: str | None = None) -> str:
        """Someone answers ``reply_to`` (an at-uri; None: mentions the account) and the account
        is notified (reason ``reply`` or ``mention``, or ``reason`` such as "like"); the post's
        at-uri."""
        with self._lock:
            uri = self.others_post(f"@{self.handle_name} {text}", reply_to=reply_to)
            self._indexed = max(self._indexed + timedelta(milliseconds=1), datetime.now(UTC))
            indexed = self._indexed.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            record = dict(self.records[uri]["record"], createdAt=indexed)
            self.records[uri]["record"] = record
            self.notifications.append({
                "uri": uri, "cid": self.records[uri]["cid"],
                "author": {"did": f"did:plc:{handle.split('.')[0]}", "handle": handle},
                "reason": reason or ("reply" if reply_to else "mention"),
                "reasonSubject": reply_to, "record": record, "isRead": False,
                "indexedAt": indexed})
        return uri

    def _notifications(self, request: Recorded) -> Reply:
        """Newest first; ``cursor`` (the last page's) pages backwards; ``reasons`` filters."""
        if self.read_script:
            scripted = self.read_script.pop(0)
            return {"429": self.throttled, "401": self.unauthorized}.get(scripted, self.server_error)()
        problem = self._token_problem(request)
        if problem is not None:
            return problem
        limit = int((request.query.get("limit") or ["50"])[-1])
        if not 1 <= limit <= 100:
            return Reply(400, {"error": "InvalidRequest", "message": "limit must be 1 to 100"})
        reasons = request.query.get("reasons") or []
        found = [n for n in reversed(self.notifications) if not reasons or n["reason"] in reasons]
        before = (request.query.get("cursor") or [""])[-1]
        if before:
            found = [n for n in found if n["indexedAt"] < before]
        page = found[:limit]
        body: dict[str, Any] = {"notifications": page}
        if len(found) > limit:
            body["cursor"] = page[-1]["indexedAt"]
        return Reply(200, body)

    def _post_thread(self, request: Recorded) -> Reply:
        problem = self._token_problem(request)
        if problem is not None:
            return problem
        found = self.records.get(str(request.query.get("uri", [""])[0]))
        if found is None:
            return Reply(400, {"error": "NotFound", "message": "Post not found"})
        return Reply(200, {"thread": {"$type": "app.bsky.feed.defs#threadViewPost",
                                      "post": {**found, "author": {"did": "did:plc:x"}}}})

    def _images(self, embed: Any) -> list[dict[str, Any]]:
        if embed is None:
            return []
        if embed.get("$type") != "app.bsky.embed.images":
            raise ValueError("record/embed: unexpected $type")
        images = embed["images"]
        if not 1 <= len(images) <= self.max_images:
            raise ValueError(f"record/embed/images must have 1 to {self.max_images} items")
        kept = []
        for entry in images:
            if not isinstance(entry.get("alt"), str):
                raise ValueError("record/embed/images/alt must be a string")
            blob = entry["image"]
            cid = blob["ref"]["$link"]
            if blob.get("$type") != "blob" or cid not in self.media:
                raise ValueError("record/embed/images/image: blob not found")
            if not str(blob.get("mimeType", "")).startswith("image/"):
                raise ValueError("record/embed/images/image: wrong mimeType")
            ratio = entry.get("aspectRatio")
            if ratio is not None and not (int(ratio["width"]) >= 1 and int(ratio["height"]) >= 1):
                raise ValueError("record/embed/images/aspectRatio must be positive")
            kept.append({"bytes": self.media[cid]["bytes"], "alt": entry["alt"],
                         "content_type": blob["mimeType"], "aspect_ratio": ratio})
        return kept

    def unauthorized(self) -> Reply:
        return Reply(401, {"error": "AuthenticationRequired", "message": "Authentication Required"})

    def throttled(self) -> Reply:
        reset = str(int(time.time()) + 1)
        headers = {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0", "RateLimit-Reset": reset}
        return Reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers)

    def unavailable(self) -> Reply:
        return Reply(503, {"error": "UpstreamFailure", "message": "Service Unavailable"})

    def server_error(self) -> Reply:
        return Reply(500, {"error": "InternalServerError", "message": "Internal Server Error"})
