"""What AWS hands a Lambda function: the context object and the events of EventBridge
schedules, SQS event source mappings and DynamoDB streams, built from the emulator's answers
the way Lambda builds them, so handlers meet locally what they will meet in AWS."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dev.state import encode_item


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_stream_name: str = "local"
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def scheduled_event(rule_arn: str, region: str, account: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """``messages`` as ReceiveMessage returns them with AttributeNames and
    MessageAttributeNames ``All``."""
    return {"Records": [_sqs_record(m, queue_arn, region) for m in messages]}


def _sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _sqs_message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _sqs_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    import base64

    # Lambda spells the keys in camelCase and always carries both list forms.
    shaped: dict[str, Any] = {
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": [base64.b64encode(b).decode() for b in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return shaped


def dynamodb_event(records: list[dict[str, Any]], stream_arn: str, region: str) -> dict[str, Any]:
    """``records`` as GetRecords returns them."""
    return {"Records": [_dynamodb_record(r, stream_arn, region) for r in records]}


def _dynamodb_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        # boto3 parses it into a datetime; Lambda passes epoch seconds.
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    for image in ("Keys", "NewImage", "OldImage"):
        if image in change:
            change[image] = encode_item(change[image])
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", region),
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def matches(pattern: Any, value: Any, present: bool = True) -> bool:
    """Lambda's event filtering: does ``value`` (a record, or a part of it) match ``pattern``
    (a filter's Pattern, parsed)? Equality, ``prefix`` and ``exists``, the forms the
    template uses; another form raises ValueError instead of being guessed."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(matches(sub, value.get(key), key in value) for key, sub in pattern.items())
    if isinstance(pattern, list):
        for option in pattern:
            if isinstance(option, dict) and "exists" in option:
                if bool(option["exists"]) == present:
                    return True
            elif isinstance(option, dict) and "prefix" in option:
                if present and isinstance(value, str) and value.startswith(option["prefix"]):
                    return True
            elif isinstance(option, dict):
                raise ValueError(f"unsupported filter {option!r}: teach dev/lambda_events.py")
            elif present and value == option:
                return True
        return False
    raise ValueError(f"unsupported filter pattern {pattern!r}")


def filtered(records: list[dict[str, Any]], criteria: dict[str, Any]) -> list[dict[str, Any]]:
    """The records Lambda passes on under a mapping's FilterCriteria: those matching any
    filter (no filters: all)."""
    patterns = [json.loads(f["Pattern"]) for f in criteria.get("Filters", [])]
    if not patterns:
        return records
    return [record for record in records if any(matches(p, record) for p in patterns)]


def failed_item_ids(result: object, batch_ids: list[str]) -> list[str] | None:
    """The ids a handler reported in ``batchItemFailures`` (ReportBatchItemFailures), in batch
    order. None means the whole batch failed: Lambda's verdict on an answer that names an id
    not in the batch or an item without an id. No list, null or empty: all succeeded."""
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return []
    failures = result["batchItemFailures"]
    if failures is None:
        return []
    if not isinstance(failures, list):
        return None
    ids: set[str] = set()
    for failure in failures:
        item_id = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item_id, str) or not item_id or item_id not in batch_ids:
            return None
        ids.add(item_id)
    return [i for i in batch_ids if i in ids]
