"""Slack's request URL: verify the signature on the raw bytes first (401, never 500, and never
a log line with the body), then hand the request to Bolt."""

from __future__ import annotations

import logging

from chalice.app import Chalice, Request, Response

from chalicelib import bootstrap

log = logging.getLogger("freigabe.slack")

UNVERIFIED = {"error": "invalid request"}


def events(chalice_app: Chalice, request: Request) -> Response:
    from chalicelib.adapters.slack import signature

    container = bootstrap.container()
    try:
        secret = container.slack_credentials.signing_secret
    except Exception as err:  # noqa: BLE001 - unconfigured or unreadable secret: refuse, say why
        log.error("slack is not configured; refusing requests", extra={"error": type(err).__name__})
        secret = ""
    body = request.raw_body or b""
    reason = signature.refusal(secret, request.headers, body if isinstance(body, bytes) else body.encode())
    if reason:
        log.warning("slack request refused", extra={"reason": reason})
        return Response(body=UNVERIFIED, status_code=401)
    response: Response = container.slack_requests(chalice_app).handle(request)
    return response
