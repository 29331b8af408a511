"""The threaded HTTP server every network stand-in runs on, and the scripting of bad answers.

A stand-in keeps what it accepted (``posts``) and every request it saw (``requests``), so tests
assert outcomes: exactly one post exists, the retry carried the same key, and so on. Images a
network received are kept with their bytes and alt texts (``media``), and a published post lists
its images in order, so a test compares them with the approved bytes.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

# Longer than any client read timeout the tests use, short enough not to stall stop().
HANG_SECONDS = 2.0
SCRIPTABLE = ("429", "500", "503", "401", "hang")


@dataclass(frozen=True)
class Part:
    """One field of a multipart/form-data body."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def params(self) -> dict[str, Any]:
        """Form, JSON and query parameters merged, the way Graph and Mastodon read them."""
        merged: dict[str, Any] = {key: values[-1] for key, values in self.query.items()}
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            document = self.json()
            if isinstance(document, dict):
                merged.update(document)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            form = parse_qs(self.body.decode("utf-8"))
            merged.update({key: values[-1] for key, values in form.items()})
        else:
            merged.update({name: part.text for name, part in self.form().items() if part.filename is None})
        return merged

    def form(self) -> dict[str, Part]:
        """The fields of a multipart/form-data body by name (empty for any other body)."""
        content_type = self.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return {}
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        parts: dict[str, Part] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            parts[name] = Part(name=name, data=payload if isinstance(payload, bytes) else b"",
                               filename=part.get_filename(),
                               content_type=part.get_content_type() if part.get_filename() else None)
        return parts

    def bearer(self) -> str | None:
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" and token else None


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-serialisable; None sends an empty body
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


class Standin:
    """One network's API on 127.0.0.1. Subclasses implement ``handle`` and the error answers."""

    network = ""
    secret = ""
    path_prefix = ""
    publish_path = "/"

    def __init__(self, hang_seconds: float = HANG_SECONDS) -> None:
        self.posts: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}  # network's media id -> bytes, alt, type
        self.requests: list[Recorded] = []
        self.hang_seconds = hang_seconds
        self._script: list[str] = []
        self._media_script: list[str] = []
        self._lock = threading.Lock()
        self._arrivals = threading.Condition(self._lock)
        self.in_flight = 0  # publishing requests being answered now
        self.peak_in_flight = 0  # the most at one moment
        self._gather: tuple[int, float] | None = None
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """What goes into the channel's ``base_url`` (or ``url``) in the workflow file."""
        return self.origin + self.path_prefix

    def script(self, *responses: str) -> None:
        """The next requests to the publishing endpoint get these answers, in order.

        "429", "503", "401": refused, nothing stored. "500": stored, then a 500 (applied but the
        client cannot know). "hang": stored, then no answer for longer than the read timeout.
        """
        unknown = [r for r in responses if r not in SCRIPTABLE]
        if unknown:
            raise ValueError(f"cannot script {unknown}; use {SCRIPTABLE}")
        with self._lock:
            self._script.extend(responses)

    def script_media(self, *responses: str) -> None:
        """Like ``script``, for the next requests that upload an image's bytes."""
        unknown = [r for r in responses if r not in SCRIPTABLE]
        if unknown:
            raise ValueError(f"cannot script {unknown}; use {SCRIPTABLE}")
        with self._lock:
            self._media_script.extend(responses)

    def gather(self, count: int, timeout: float = 5.0) -> None:
        """From now on a publishing request is answered only once ``count`` of them are in
        flight (or after ``timeout``): a network that answers slowly enough for a client's
        requests to overlap, if it sends them at once. ``peak_in_flight`` then shows whether
        it did."""
        with self._lock:
            self._gather = (count, timeout)

    def _arrive(self, request: Recorded) -> bool:
        if (request.method, request.path) != ("POST", self.publish_path):
            return False
        with self._arrivals:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self._arrivals.notify_all()
            if self._gather is not None:
                count, timeout = self._gather
                self._arrivals.wait_for(
                    lambda: self.in_flight >= count or self._stopping.is_set(), timeout)
        return True

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def is_media_upload(self, request: Recorded) -> bool:
        """Whether ``request`` sends an image's bytes (what ``script_media`` applies to)."""
        return False

    def media_uploads(self) -> list[Recorded]:
        return [r for r in self.requests if self.is_media_upload(r)]

    def publish_requests(self) -> list[Recorded]:
        return [r for r in self.requests if (r.method, r.path) == ("POST", self.publish_path)]

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def next_id(self) -> int:
        return next(self._ids)

    def dispatch(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            publishing = (request.method, request.path) == ("POST", self.publish_path)
            scripted = self._script.pop(0) if publishing and self._script else None
            if not publishing and self._media_script and self.is_media_upload(request):
                scripted = self._media_script.pop(0)
        if scripted == "429":
            return self.throttled()
        if scripted == "503":
            return self.unavailable()
        if scripted == "401":
            return self.unauthorized()
        with self._lock:
            reply = self.handle(request)
        if scripted == "500":
            return self.server_error()
        reply.hang = scripted == "hang"
        return reply

    def handle(self, request: Recorded) -> Reply:
        raise NotImplementedError

    def unauthorized(self) -> Reply:
        raise NotImplementedError

    def throttled(self) -> Reply:
        raise NotImplementedError

    def unavailable(self) -> Reply:
        raise NotImplementedError

    def server_error(self) -> Reply:
        raise NotImplementedError


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hanging handler must not hold up stop()
    standin: Standin


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Recorded(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        standin = self.server.standin
        publishing = standin._arrive(request)
        try:
            reply = standin.dispatch(request)
        finally:
            if publishing:
                standin._leave()
        if reply.hang:
            standin._stopping.wait(standin.hang_seconds)
        body = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped waiting, which is what a "hang" is for

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output to what matters
