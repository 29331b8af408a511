"""Glue between app.py's decorators and the services: builds what each entry point needs
through bootstrap, calls one service, and shapes the answer for Chalice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalice import Response

from chalicelib import bootstrap


def health() -> Response:
    from chalicelib.services import health as health_service

    status, body = health_service.check(bootstrap.control_store())
    return Response(body=body, status_code=status)


def publish_due() -> dict[str, int]:
    bootstrap.control_store().record_tick(datetime.now(UTC))
    return {"due": 0}


def publish_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    import json

    failures = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            if not isinstance(body, dict) or not {"post_id", "channel"} <= body.keys():
                raise ValueError("not a publish message")
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
