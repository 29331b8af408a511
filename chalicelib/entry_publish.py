"""Entry points of publishing: the due-posts tick and the publish queue's worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chalicelib import bootstrap


def publish_due() -> dict[str, int]:
    bootstrap.control_store().record_tick(datetime.now(UTC))
    return {"due": 0}


def publish_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            if not isinstance(body, dict) or not {"post_id", "channel"} <= body.keys():
                raise ValueError("not a publish message")
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
