"""Bluesky (AT Protocol): an app.bsky.feed.post record written with com.atproto.repo.createRecord.

Sessions are kept per process and refreshed, not re-created per post: createSession is limited
to 30 per 5 minutes and a few hundred per day per account, while an access token lasts minutes
to hours. Links, mentions and hashtags only become clickable through facets, whose offsets are
UTF-8 byte positions (an umlaut is two bytes, most emoji four).

Images are uploaded as blobs (com.atproto.repo.uploadBlob: the raw bytes with their type) and
embedded with ``app.bsky.embed.images``: each blob with its ``alt`` and ``aspectRatio``, so the
app reserves the right space instead of cropping. Blobs over 2,000,000 bytes are refused
(BlobTooLarge); the submission rules refuse such images earlier, and the bytes are never
re-encoded here, since that would publish something the reviewers did not approve.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

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
from chalicelib.config import BlueskyChannel
from chalicelib.domain.media import Image
from chalicelib.domain.publication import Copy, Outcome, Publication

APP_URL = "https://bsky.app"
POST_COLLECTION = "app.bsky.feed.post"
EMBED_IMAGES = "app.bsky.embed.images"

_URL = re.compile(r"https?://[^\s<>\"'`]+")
# Handle syntax from the atproto spec; not after a word character, so e-mail addresses stay text.
_MENTION = re.compile(
    r"(?<![\w@])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
_TAG = re.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃]+)")
_URL_TRAILING = ".,;:!?"
MAX_TAG_LENGTH = 64


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str
    refresh_jwt: str


_sessions: dict[tuple[str, str], Session] = {}
_sessions_lock = threading.Lock()


def forget_sessions() -> None:
    """Drop every cached session (tests, or after rotating an app password)."""
    with _sessions_lock:
        _sessions.clear()


@dataclass(frozen=True)
class Span:
    start: int  # UTF-8 byte offsets, end exclusive
    end: int
    feature: dict[str, str]


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def find_links(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) in character offsets, trailing sentence punctuation left out."""
    links = []
    for match in _URL.finditer(text):
        url = match.group(0)
        while url and (url[-1] in _URL_TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        if "." in url.split("://", 1)[1]:  # like the app: a dotless host is not linked
            links.append((match.start(), match.start() + len(url), url))
    return links


def find_tags(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tag) in character offsets; the span includes '#', the tag does not."""
    tags = []
    for match in _TAG.finditer(text):
        tag = match.group(1)
        while tag and unicodedata.category(tag[-1]).startswith("P"):
            tag = tag[:-1]
        # Bluesky's own rule: a tag of digits only is a number ("#1"), not a hashtag.
        if tag and not tag.isdigit() and len(tag) <= MAX_TAG_LENGTH:
            start = match.start(1) - 1
            tags.append((start, start + 1 + len(tag), tag))
    return tags


def find_mentions(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(1).lower()) for m in _MENTION.finditer(text)]


class BlueskyPublisher(Publisher):
    def __init__(self, name: str, config: BlueskyChannel, app_password: Secret, http: HttpClient,
                 images: ImageReader | None = None) -> None:
        super().__init__(name, http, images)
        self.base_url = config.base_url.rstrip("/")
        self.identifier = config.identifier
        self.app_password = app_password

    def _xrpc(self, method: str) -> str:
        return f"{self.base_url}/xrpc/{method}"

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": copy.text,
            "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        facets = self.facets(copy.text)
        if facets:
            record["facets"] = facets
        session = self._session()
        if copy.reply_to:
            session, record["reply"] = self._reply_refs(session, copy.reply_to)
        if copy.images:
            blobs = []
            for position, image in enumerate(copy.images, start=1):
                session, blob = self._upload_blob(session, position, image)
                blobs.append({"image": blob, "alt": image.alt,
                              "aspectRatio": {"width": image.width, "height": image.height}})
            record["embed"] = {"$type": EMBED_IMAGES, "images": blobs}
        response = self._create_record(session, record)
        if _needs_new_session(response):
            # The rejection proves nothing was written, so sending again is safe.
            session = self._renew(session)
            response = self._create_record(session, record)
        if not response.ok:
            raise failed(error_text(response, _message(response)))
        data = response.json()
        created = data if isinstance(data, dict) else {}
        uri = str(created.get("uri") or "")
        rkey = uri.rsplit("/", 1)[-1]
        url = f"{APP_URL}/profile/{session.handle}/post/{rkey}" if rkey else None
        return Outcome("published", url=url, external_id=uri or None)

    def facets(self, text: str) -> list[dict[str, Any]]:
        spans: list[Span] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, feature: dict[str, str]) -> None:
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                return  # an @ or # inside a link belongs to the link
            taken.append((start, end))
            spans.append(Span(_byte_offset(text, start), _byte_offset(text, end), feature))

        for start, end, url in find_links(text):
            add(start, end, {"$type": "app.bsky.richtext.facet#link", "uri": url})
        for start, end, handle in find_mentions(text):
            did = self._resolve_handle(handle)
            if did:
                add(start, end, {"$type": "app.bsky.richtext.facet#mention", "did": did})
        for start, end, tag in find_tags(text):
            add(start, end, {"$type": "app.bsky.richtext.facet#tag", "tag": tag})
        spans.sort(key=lambda span: span.start)
        return [{"index": {"byteStart": s.start, "byteEnd": s.end}, "features": [s.feature]} for s in spans]

    def _resolve_handle(self, handle: str) -> str | None:
        query = urlencode({"handle": handle})
        response = self.http.request(
            "GET", f"{self._xrpc('com.atproto.identity.resolveHandle')}?{query}", idempotent=True
        )
        data = response.json()
        if response.ok and isinstance(data, dict) and str(data.get("did", "")).startswith("did:"):
            return str(data["did"])
        return None  # an unknown handle stays plain text, as in the Bluesky app

    def _upload_blob(self, session: Session, position: int, image: Image) -> tuple[Session, Any]:
        """The blob reference for one image (and the session, renewed if it had expired)."""
        data = self.images.read(position, image)

        def send(current: Session) -> Response:
            # A blob nobody references is removed by the server: retrying is harmless.
            return self.http.request(
                "POST", self._xrpc("com.atproto.repo.uploadBlob"),
                headers={"Authorization": f"Bearer {current.access_jwt}",
                         "Content-Type": image.content_type},
                body=data, idempotent=True)

        response = send(session)
        if _needs_new_session(response):
            session = self._renew(session)
            response = send(session)
        answer = response.json()
        blob = answer.get("blob") if isinstance(answer, dict) else None
        if not response.ok or not isinstance(blob, dict):
            # e.g. HTTP 400: BlobTooLarge: This file is too large. It is 2.4MB but the maximum size is 2MB.
            raise image_failure(position, error_text(response, _message(response)))
        return session, blob

    def _reply_refs(self, session: Session, parent: str) -> tuple[Session, dict[str, Any]]:
        """The reply's ``root`` and ``parent`` strong refs (uri and cid): the parent as
        app.bsky.feed.getPostThread shows it now, and the root its own reply names (itself
        when it starts the thread). A read: asking again cannot post anything."""
        def read(current: Session) -> Response:
            return self.http.request(
                "GET", self._xrpc("app.bsky.feed.getPostThread") + "?" + urlencode(
                    {"uri": parent, "depth": "0", "parentHeight": "0"}),
                headers={"Authorization": f"Bearer {current.access_jwt}"}, idempotent=True)

        response = read(session)
        if _needs_new_session(response):
            session = self._renew(session)
            response = read(session)
        data = response.json()
        thread = data.get("thread") if isinstance(data, dict) else None
        post = thread.get("post") if isinstance(thread, dict) else None
        if not response.ok or not isinstance(post, dict) or not _strong_ref(post):
            raise failed(error_text(response, _message(response) or
                                    "the post this answers is not readable on Bluesky"))
        ref = {"uri": post["uri"], "cid": post["cid"]}
        record = post.get("record")
        reply = record.get("reply") if isinstance(record, dict) else None
        root = reply.get("root") if isinstance(reply, dict) else None
        return session, {"root": ({"uri": root["uri"], "cid": root["cid"]}
                                  if isinstance(root, dict) and _strong_ref(root) else ref),
                         "parent": ref}

    def _create_record(self, session: Session, record: dict[str, Any]) -> Response:
        return self.http.request(
            "POST",
            self._xrpc("com.atproto.repo.createRecord"),
            headers={"Authorization": f"Bearer {session.access_jwt}"},
            json_body={"repo": session.did, "collection": POST_COLLECTION, "record": record},
        )

    @property
    def _key(self) -> tuple[str, str]:
        return (self.base_url, self.identifier)

    def _session(self) -> Session:
        with _sessions_lock:
            cached = _sessions.get(self._key)
        return cached or self._create_session()

    def _store(self, response: Response) -> Session:
        data = response.json()
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("did", "handle", "accessJwt", "refreshJwt")
        ):
            raise failed(f"{self.name}: unexpected session answer (HTTP {response.status})")
        session = Session(data["did"], data["handle"], data["accessJwt"], data["refreshJwt"])
        with _sessions_lock:
            _sessions[self._key] = session
        return session

    def _create_session(self) -> Session:
        # Not a content write: sending it twice only opens a second session.
        response = self.http.request(
            "POST",
            self._xrpc("com.atproto.server.createSession"),
            json_body={"identifier": self.identifier, "password": self.app_password.value()},
            idempotent=True,
        )
        if not response.ok:
            raise failed(error_text(response, _message(response)))
        return self._store(response)

    def _renew(self, session: Session) -> Session:
        response = self.http.request(
            "POST",
            self._xrpc("com.atproto.server.refreshSession"),
            headers={"Authorization": f"Bearer {session.refresh_jwt}"},
            idempotent=True,
        )
        if response.ok:
            return self._store(response)
        # An expired or already-rotated refresh token: log in again with the app password.
        with _sessions_lock:
            _sessions.pop(self._key, None)
        return self._create_session()


def _strong_ref(node: dict[str, Any]) -> bool:
    return isinstance(node.get("uri"), str) and isinstance(node.get("cid"), str)


def _needs_new_session(response: Response) -> bool:
    data = response.json()
    error = data.get("error") if isinstance(data, dict) else None
    # ExpiredToken is the documented one; InvalidToken is what a session revoked elsewhere gives.
    return response.status in (400, 401) and error in ("ExpiredToken", "InvalidToken")


def _message(response: Response) -> str | None:
    error = json_message(response, ("error",))
    message = json_message(response, ("message",))
    if error and message:
        return f"{error}: {message}"
    return message or error
