"""One HTTP middleware for every route: Chalice's own errors (415, 405, 400) in the
writer's words and language, an invalid workflow file as a 503 naming the key, unexpected
failures as a logged 500 without draft text, and a structured access log line."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.config import WorkflowError
from chalicelib.http.support import error_response, language, workflow_unavailable
from chalicelib.i18n import t

log = logging.getLogger("freigabe.http")

CHALICE_ERRORS = {415: "unsupported_media_type", 400: "invalid_json"}


def handle(request: Request, get_response: Callable[[Request], Response],
           default_language: Callable[[], str]) -> Response:
    from chalicelib import observability

    observability.bind(request.lambda_context)
    started = time.perf_counter()
    try:
        response = get_response(request)
    except WorkflowError as err:
        # Not the request's fault and not a bug: the file needs an operator (503, key named).
        log.error("workflow file invalid", extra={"path": request.context.get("resourcePath")})
        response = workflow_unavailable(err, _lang(request, default_language))
    except Exception:
        log.exception("request failed", extra={"path": request.context.get("resourcePath")})
        response = error_response(500, t("internal_error", _lang(request, default_language)),
                                  error="internal")
    response = _in_writers_words(request, response, default_language)
    log.info("request", extra={
        "method": request.method, "path": request.context.get("resourcePath"),
        "status": response.status_code, "ms": round((time.perf_counter() - started) * 1000, 1),
    })
    return response


def _lang(request: Request, default_language: Callable[[], str]) -> str:
    try:
        return language(request, default_language())
    except Exception:  # noqa: BLE001 - a broken workflow file must not hide the real error
        return "en"


def _in_writers_words(request: Request, response: Response,
                      default_language: Callable[[], str]) -> Response:
    payload = response.body
    if isinstance(payload, str | bytes) and response.status_code >= 400:
        try:
            payload = json.loads(payload)
        except ValueError:
            return response
    if not (isinstance(payload, dict) and "Code" in payload and "message" not in payload):
        return response
    key = CHALICE_ERRORS.get(response.status_code)
    message = t(key, _lang(request, default_language)) if key else str(payload.get("Message", ""))
    return error_response(response.status_code, message, error=str(payload["Code"]))
