"""Reading the table's stream: the messages a stored change carries (the outbox)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.events import Message, message_from_dict


def inserted_event(record: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The post id and new image of a stream record that inserted a timeline event; None for
    anything else (a post's own item, a content version, a reference, a change)."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if not (image.get(keys.SK) or {}).get("S", "").startswith(keys.EVENT_PREFIX):
        return None
    return keys.post_id_of(image[keys.PK]["S"]), image


def outbox_of(record: dict[str, Any]) -> tuple[str, list[Message]] | None:
    """The post id and messages an inserted timeline event carries, if any."""
    inserted = inserted_event(record)
    raw = (inserted[1].get(keys.OUTBOX_ATTR) or {}).get("S") if inserted else None
    if inserted is None or not raw:
        return None
    messages = [m for m in (message_from_dict(d) for d in json.loads(raw)) if m is not None]
    return inserted[0], messages
