"""Slack's request URL: verify the signature on the raw bytes first (401, never 500, and never
a log line with the body), then check that the body is one Slack could have sent (400 if not),
then hand the request to Bolt. A verified request Freigabe has no listener for is acknowledged
with 200, as Slack expects, and logged by its kind only."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from chalice.app import Chalice, Request, Response

from chalicelib import bootstrap

log = logging.getLogger("freigabe.slack")

UNVERIFIED = {"error": "invalid request"}
MALFORMED = {"error": "malformed request"}


def events(chalice_app: Chalice, request: Request) -> Response:
    from chalicelib.adapters.slack import signature

    container = bootstrap.container()
    try:
        secret = container.slack_credentials.signing_secret
    except Exception as err:  # noqa: BLE001 - unconfigured or unreadable secret: refuse, say why
        log.error("slack is not configured; refusing requests", extra={"error": type(err).__name__})
        secret = ""
    body = request.raw_body or b""
    raw = body if isinstance(body, bytes) else body.encode()
    reason = signature.refusal(secret, request.headers, raw)
    if reason:
        log.warning("slack request refused", extra={"reason": reason})
        return Response(body=UNVERIFIED, status_code=401)
    payload = parse(raw, request.headers.get("content-type"))
    if payload is None:
        log.warning("slack request malformed")
        return Response(body=MALFORMED, status_code=400)
    try:
        response: Response = container.slack_requests(chalice_app).handle(request)
    except Exception as err:  # noqa: BLE001 - Bolt choked on the body: the request's fault, not ours
        log.warning("slack request malformed", extra={"error": type(err).__name__})
        return Response(body=MALFORMED, status_code=400)
    if response.status_code == 404:
        log.info("slack request unhandled; acknowledged", extra=kind(payload))
        return Response(body="", status_code=200)
    return response


def parse(raw: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The body as Bolt reads it, or None when it is not a request Slack could have sent: a
    JSON object with a `type` (events, interactivity), or a form with a `command` (slash
    commands) or an `ssl_check`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    try:
        if media == "application/json" or text.startswith("{"):
            return _typed(json.loads(text))
        form = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" in form:
            return _typed(json.loads(form["payload"]))
    except ValueError:  # json.JSONDecodeError included
        return None
    if (isinstance(form.get("command"), str) and form["command"]) or "ssl_check" in form:
        return dict(form)
    return None


def _typed(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict) and isinstance(value.get("type"), str) and value["type"]:
        return value
    return None


def kind(payload: dict[str, Any]) -> dict[str, str]:
    """What a request is, never what it says: its type, action ids, callback id, event type
    or command."""
    found: dict[str, str] = {}

    def put(key: str, value: Any) -> None:
        if isinstance(value, str) and value:
            found[key] = value[:100]

    put("type", payload.get("type"))
    put("command", payload.get("command"))
    actions = payload.get("actions")
    if isinstance(actions, list):
        ids = [a.get("action_id") for a in actions if isinstance(a, dict)]
        put("action_id", ",".join(i for i in ids if isinstance(i, str)))
    put("callback_id", payload.get("callback_id"))
    view = payload.get("view")
    if isinstance(view, dict):
        put("callback_id", view.get("callback_id"))
    event = payload.get("event")
    if isinstance(event, dict):
        put("event_type", event.get("type"))
    return found
