"""The HTTP logic every network adapter shares (the port is services.ports.ChannelPublisher).

A publication must go out at most once per channel. The HTTP helper therefore retries only what
cannot have been applied (no connection, 429, 503) unless the adapter sends an idempotency key
the network honours; anything else after the request left this process is reported as
``unknown`` so that a person checks the network instead of the code re-sending blindly.
A post's images are read back from the image store and checked against the approved sha256
before any of them leaves (ImageReader).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain.media import Image
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.services.ports import MediaMissing, MediaStore, RetryLater

logger = logging.getLogger(__name__)

USER_AGENT = "Freigabe/0.1 (+content approval)"


class ChannelFailure(Exception):
    """Carries the outcome a publish ends with; raised deep in an adapter, returned at its edge."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.error or outcome.status)
        self.outcome = outcome


def failed(error: str) -> ChannelFailure:
    return ChannelFailure(Outcome("failed", error=error))


def maybe_applied(error: str) -> ChannelFailure:
    return ChannelFailure(Outcome("unknown", error=error))


@dataclass(frozen=True)
class HttpOptions:
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_attempts: int = 3
    sleep_budget: float = 20.0  # seconds this invocation may spend waiting between attempts
    backoff: float = 1.0  # upper bound of the first wait; doubles per attempt
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random  # 0..1; spreads retries of many containers


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # urllib3's HTTPHeaderDict: names are case-insensitive
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long the network asked us to wait, from Retry-After or a rate-limit reset header.

    Mastodon (X-RateLimit-Reset, ISO time), X (x-rate-limit-reset, epoch seconds) and Bluesky
    (RateLimit-Reset) do not send Retry-After on their 429s, so those are read as well.
    """
    now = time.time() if now is None else now
    value = (headers.get("Retry-After") or "").strip()
    if value:
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            pass
    for name in ("RateLimit-Reset", "X-RateLimit-Reset", "X-Rate-Limit-Reset"):
        value = (headers.get(name) or "").strip()
        if value:
            return _reset_in(value, now)
    return None


def _reset_in(value: str, now: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        try:
            return max(0.0, datetime.fromisoformat(value).timestamp() - now)
        except ValueError:
            return None
    # Epoch seconds are large; the IETF draft's RateLimit-Reset is a delta in seconds.
    return max(0.0, number - now) if number > 1_000_000_000 else max(0.0, number)


def error_text(response: Response, message: str | None) -> str:
    detail = message.strip() if message else ""
    return f"HTTP {response.status}: {detail}" if detail else f"HTTP {response.status}"


class HttpClient:
    """One channel's HTTP access: timeouts, bounded retries, and the unknown/failed split."""

    def __init__(self, channel: str, options: HttpOptions | None = None) -> None:
        self.channel = channel
        self.options = options or HttpOptions()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        idempotent: bool = False,
        throttled: Callable[[Response], bool] | None = None,
    ) -> Response:
        """Send until there is an answer that settles it; return it (2xx, 3xx or 4xx).

        ``idempotent``: re-sending cannot publish twice (a read, or a key the network honours),
        so timeouts and 5xx are retried too. ``throttled``: network-specific "slow down" answers
        that are not a 429 (Facebook's rate-limit error codes).
        Raises RetryLater when the budget is spent, ChannelFailure(unknown) when the request may
        have been applied, ChannelFailure(failed) when TLS is broken.
        """
        import urllib3  # ships with botocore; imported here to keep cold starts lean

        all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        all_headers.update(headers or {})
        options, slept, attempt = self.options, 0.0, 0
        while True:
            attempt += 1
            hint: float | None = None
            try:
                response = self._send(urllib3, method, url, all_headers, body)
            except urllib3.exceptions.ConnectTimeoutError:
                # Refused, unresolvable or connect timeout: nothing reached the network.
                reason = "could not connect"
            except urllib3.exceptions.SSLError:
                logger.warning("channel=%s attempt=%d tls handshake failed", self.channel, attempt)
                raise failed(f"TLS handshake with {self.channel} failed") from None
            except (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ProtocolError) as err:
                kind = "timeout" if isinstance(err, urllib3.exceptions.ReadTimeoutError) else "broken"
                logger.warning("channel=%s attempt=%d %s after send", self.channel, attempt, kind)
                if not idempotent:
                    raise maybe_applied(
                        f"no answer from {self.channel} after the request was sent ({kind}); "
                        "it may have been published: check there before retrying"
                    ) from None
                reason = "no answer after send"
            else:
                retry = self._retry_reason(response, attempt, idempotent, throttled)
                if retry is None:
                    return response
                reason, hint = retry
            wait = max(hint or 0.0, self._backoff(attempt))
            if attempt >= options.max_attempts or slept + wait > options.sleep_budget:
                logger.warning("channel=%s attempt=%d %s; retry later", self.channel, attempt, reason)
                raise RetryLater(wait, f"{self.channel}: {reason}")
            logger.info("channel=%s attempt=%d %s; waiting %.1f s", self.channel, attempt, reason, wait)
            options.sleep(wait)
            slept += wait

    def _retry_reason(
        self,
        response: Response,
        attempt: int,
        idempotent: bool,
        throttled: Callable[[Response], bool] | None,
    ) -> tuple[str, float | None] | None:
        """Why to send again (and the network's wait hint), or None when the answer settles it."""
        status = response.status
        if status in (429, 503):
            return f"HTTP {status}", retry_after_seconds(response.headers)
        if throttled is not None and throttled(response):
            return f"throttled (HTTP {status})", retry_after_seconds(response.headers)
        if status >= 500 and idempotent:
            return f"HTTP {status}", None
        if status >= 500:
            logger.warning("channel=%s attempt=%d status=%d", self.channel, attempt, status)
            raise maybe_applied(
                f"{self.channel} answered HTTP {status} after the request was sent; "
                "it may have been published: check there before retrying"
            )
        logger.info("channel=%s attempt=%d status=%d", self.channel, attempt, status)
        return None

    def _backoff(self, attempt: int) -> float:
        ceiling = self.options.backoff * 2 ** (attempt - 1)
        return float(ceiling * (0.5 + 0.5 * self.options.jitter()))

    def _send(
        self, urllib3: Any, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Response:
        # A fresh connection per attempt: a pooled keep-alive connection that went stale while
        # Lambda was frozen fails mid-send, which would look like "maybe applied" (unknown).
        pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=self.options.connect_timeout, read=self.options.read_timeout),
            retries=False,
        )
        try:
            raw = pool.request(method, url, body=body, headers=dict(headers), redirect=False)
            return Response(status=raw.status, headers=raw.headers, body=raw.data)
        finally:
            pool.clear()


class Secret:
    """A secret reference resolved at first use, so building a publisher reads nothing."""

    def __init__(self, reference: str, resolve: Callable[[str], str]) -> None:
        self.reference = reference
        self._resolve = resolve
        self._value: str | None = None

    def value(self) -> str:
        if self._value is None:
            try:
                self._value = self._resolve(self.reference)
            except LookupError:
                # The resolver's message names the reference only; still, say just that.
                raise failed(f"secret {self.reference} could not be read") from None
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.reference!r})"


# How long the webhook's and the outbox's image URLs stay readable. S3 ends a presigned URL
# earlier when the temporary credentials that signed it expire, so receivers should fetch the
# images when the publication arrives rather than keep the URL.
MEDIA_URL_SECONDS = 6 * 3600
STORE_RETRY_SECONDS = 30.0


class ImageReader:
    """Reads a post's images from the MediaStore, one at a time, each checked against the
    sha256 the reviewers approved; the store is built only when a post has images."""

    def __init__(self, channel: str, media: Callable[[], MediaStore] | None) -> None:
        self.channel = channel
        self._media = media

    def store(self) -> MediaStore:
        if self._media is None:
            raise failed(f"{self.channel}: the post has images but no image store is configured")
        return self._media()

    def read(self, position: int, image: Image) -> bytes:
        """The approved bytes of image ``position`` (1-based, as people count)."""
        store = self.store()
        try:
            data = store.read(image.sha256)
        except MediaMissing:
            raise failed(f"image {position} is no longer in the image store; "
                         "it cannot go out as approved") from None
        except Exception as err:  # noqa: BLE001 - any store trouble (S3 down) is worth a retry
            logger.warning("channel=%s image=%d store read failed: %s", self.channel, position,
                           type(err).__name__)
            raise RetryLater(STORE_RETRY_SECONDS, f"{self.channel}: image store unavailable") from None
        if hashlib.sha256(data).hexdigest() != image.sha256:
            raise failed(f"image {position}: the stored bytes differ from the approved ones; "
                         "nothing was published")
        return data

    def entries(self, images: Sequence[Image]) -> list[dict[str, Any]]:
        """What the webhook body and the outbox line carry for each image, in order."""
        if not images:
            return []
        store = self.store()
        return [{"sha256": image.sha256, "content_type": image.content_type, "size": image.size,
                 "alt": image.alt, "url": store.url(image.sha256, MEDIA_URL_SECONDS)}
                for image in images]


class Publisher:
    """Shared edge of every adapter: failures raised inside become the returned Outcome."""

    sends_idempotency_key = False  # a network that de-duplicates on the key says so

    def __init__(self, name: str, http: HttpClient, images: ImageReader | None = None) -> None:
        self.name = name
        self.http = http
        self.images = images or ImageReader(name, None)

    def publish(self, publication: Publication, copy: Copy) -> Outcome:
        try:
            outcome = self._publish(publication, copy)
        except ChannelFailure as failure:
            outcome = failure.outcome
        logger.info("channel=%s outcome=%s", self.name, outcome.status)
        return outcome

    def publish_reply(self, publication: Publication, copy: Copy,
                      parent_external_id: str) -> Outcome:
        """An answer, published as a reply to ``parent_external_id`` in its conversation, under
        the same once-only rules as a post (the delivery passes it as ``Copy.reply_to``)."""
        return self.publish(publication, replace(copy, reply_to=parent_external_id))

    def _publish(self, publication: Publication, copy: Copy) -> Outcome:
        raise NotImplementedError


def json_message(response: Response, *paths: tuple[str | int, ...]) -> str | None:
    """The first string found at one of ``paths`` in a JSON error body."""
    data = response.json()
    for path in paths:
        node: Any = data
        for key in path:
            if isinstance(key, int):
                node = node[key] if isinstance(node, list) and len(node) > key else None
            else:
                node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str) and node.strip():
            return node
    return None
