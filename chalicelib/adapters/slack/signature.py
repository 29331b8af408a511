"""Slack's request signature (v0, HMAC-SHA256 over "v0:<timestamp>:<raw body>"), checked on
the raw bytes before anything parses the body.

Why not only Bolt's check: slack_sdk's verifier raises on a non-numeric timestamp or a body
that is not UTF-8 (a 500 instead of a 401), and Bolt logs the raw body of a failed request.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

WINDOW_SECONDS = 300
MAX_TIMESTAMP_DIGITS = 12


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def refusal(secret: str, headers: Mapping[str, str], body: bytes,
            now: Callable[[], float] = time.time) -> str | None:
    """None for a genuine, fresh request; otherwise why it is refused (for the log line,
    never containing the body)."""
    if not secret:
        return "no_signing_secret"
    timestamp = _header(headers, "x-slack-request-timestamp")
    signature = _header(headers, "x-slack-signature")
    if not timestamp or not signature:
        return "missing_headers"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return "bad_timestamp"
    if abs(now() - int(timestamp)) > WINDOW_SECONDS:
        return "stale_timestamp"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "body_not_utf8"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode("utf-8", "replace")):
        return "bad_signature"
    return None


def _header(headers: Mapping[str, str], name: str) -> str:
    """Header names are case-insensitive; Chalice's mapping is, a plain dict may not be."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return str(value).strip() if value is not None else ""
