"""Entry points of the Slack integration: the request URL and review reminders."""

from __future__ import annotations

import logging
from typing import Any

from chalice import Response
from chalice.app import Request

log = logging.getLogger("freigabe.slack")

UNVERIFIED = {"error": "invalid request"}


def handle(request: Request, lambda_context: Any) -> Response:
    """Verify the signature on the raw bytes first (401, never 500, and never a log line
    with the body), then hand the request to Bolt."""
    from chalicelib.adapters.slack import client, signature

    try:
        secret = client.credentials().signing_secret
    except Exception as err:  # noqa: BLE001 - unconfigured or unreadable secret: refuse, say why
        log.error("slack is not configured; refusing requests", extra={"error": type(err).__name__})
        secret = ""
    body = request.raw_body or b""
    reason = signature.refusal(secret, request.headers, body if isinstance(body, bytes) else body.encode())
    if reason:
        log.warning("slack request refused", extra={"reason": reason})
        return Response(body=UNVERIFIED, status_code=401)
    from chalicelib.adapters.slack import runtime

    response: Response = runtime.request_handler().handle(request)
    return response


def send_reminders() -> dict[str, int]:
    from chalicelib import observability
    from chalicelib.adapters.slack import reminders

    observability.setup()
    return reminders.send()
