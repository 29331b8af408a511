"""Entry points of the Slack integration: the request URL and review reminders."""

from __future__ import annotations

from typing import Any

from chalice import Response
from chalice.app import Request


def handle(request: Request, lambda_context: Any) -> Response:
    return Response(body={"message": "Slack is not connected yet"}, status_code=503)


def send_reminders() -> dict[str, int]:
    return {"reminded": 0}
