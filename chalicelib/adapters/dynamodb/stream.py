"""Reading the table's stream: the messages a stored change carries (the outbox)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.events import Message, message_from_dict


def outbox_of(record: dict[str, Any]) -> tuple[str, list[Message]] | None:
    """The post id and messages an inserted timeline event carries, if any."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    sk = (image.get(keys.SK) or {}).get("S", "")
    raw = (image.get(keys.OUTBOX_ATTR) or {}).get("S")
    if not sk.startswith(keys.EVENT_PREFIX) or not raw:
        return None
    post_id = keys.post_id_of(image[keys.PK]["S"])
    messages = [m for m in (message_from_dict(d) for d in json.loads(raw)) if m is not None]
    return post_id, messages
