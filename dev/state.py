"""Saves the emulator's data to the state dir and loads it back, because moto keeps nothing
across restarts. One JSON file: every item of each table, in DynamoDB's typed form so nothing
is lost in translation, and the messages waiting in the queues at the last clean shutdown."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
FORMAT = 1
_BATCH_WRITE_LIMIT = 25


def encode_value(value: dict[str, Any]) -> dict[str, Any]:
    """A typed attribute value as JSON can carry it: binaries become base64 text, the way
    DynamoDB's own JSON (and Lambda's stream events) spell them."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode()}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode() for b in inner]}
    if kind == "M":
        return {"M": encode_item(inner)}
    if kind == "L":
        return {"L": [encode_value(v) for v in inner]}
    return value


def decode_value(value: dict[str, Any]) -> dict[str, Any]:
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {"M": decode_item(inner)}
    if kind == "L":
        return {"L": [decode_value(v) for v in inner]}
    return value


def encode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: encode_value(value) for name, value in item.items()}


def decode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: decode_value(value) for name, value in item.items()}


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.path = directory / STATE_FILE

    def load(self) -> dict[str, Any]:
        """The saved state; an unreadable file is moved aside (never overwritten) and ignored."""
        if not self.path.exists():
            return {}
        try:
            state = json.loads(self.path.read_text())
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError(f"not a format {FORMAT} state file")
        except ValueError as err:
            aside = self.path.with_name(f"{STATE_FILE}.unreadable-{int(time.time())}")
            self.path.rename(aside)
            raise UnreadableState(f"{self.path}: {err}; moved to {aside.name}") from err
        return state

    def save(self, state: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        state = {**state, "format": FORMAT, "saved_at": datetime.now(UTC).isoformat()}
        # Written beside and renamed, so a kill during the write leaves the previous state.
        partial = self.path.with_name(f".{STATE_FILE}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(state, separators=(",", ":")))
        os.replace(partial, self.path)


class UnreadableState(Exception):
    pass


def dump_table(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items.extend(encode_item(item) for item in page["Items"])
    return items


def restore_table(dynamodb: Any, table: str, items: list[dict[str, Any]]) -> int:
    for start in range(0, len(items), _BATCH_WRITE_LIMIT):
        requests = [
            {"PutRequest": {"Item": decode_item(item)}} for item in items[start : start + _BATCH_WRITE_LIMIT]
        ]
        pending: dict[str, Any] = {table: requests}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems", {})
    return len(items)


def drain_queue(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Takes every visible message out of a queue for saving. Only at shutdown: receiving
    counts as a delivery attempt. Messages in flight (invisible) cannot be reached."""
    saved: list[dict[str, Any]] = []
    seen: set[str] = set()
    while True:
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=600,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            return saved
        for message in fresh:
            seen.add(message["MessageId"])
            saved.append(_saved_message(message))


def _saved_message(message: dict[str, Any]) -> dict[str, Any]:
    saved: dict[str, Any] = {"body": message["Body"]}
    attributes = message.get("MessageAttributes")
    if attributes:
        saved["attributes"] = {
            name: {
                key: base64.b64encode(val).decode() if key == "BinaryValue" else val
                for key, val in attr.items()
                # The list forms are reserved by SQS and refused when sent back.
                if key in ("DataType", "StringValue", "BinaryValue")
            }
            for name, attr in attributes.items()
        }
    system = message.get("Attributes", {})
    if "MessageGroupId" in system:
        saved["group_id"] = system["MessageGroupId"]
    if "MessageDeduplicationId" in system:
        saved["deduplication_id"] = system["MessageDeduplicationId"]
    return saved


def restore_queue(sqs: Any, url: str, messages: list[dict[str, Any]]) -> int:
    for message in messages:
        kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": message["body"]}
        if message.get("attributes"):
            kwargs["MessageAttributes"] = {
                name: {
                    key: base64.b64decode(val) if key == "BinaryValue" else val for key, val in attr.items()
                }
                for name, attr in message["attributes"].items()
            }
        if "group_id" in message:
            kwargs["MessageGroupId"] = message["group_id"]
        if "deduplication_id" in message:
            kwargs["MessageDeduplicationId"] = message["deduplication_id"]
        sqs.send_message(**kwargs)
    return len(messages)
