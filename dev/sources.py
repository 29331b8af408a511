"""The pollers of Lambda's event source mappings: SQS queues and DynamoDB streams.

Both drain what is waiting before returning, so a burst of a thousand messages goes through in
one poll rather than ten per second. One log line per invocation; bodies and images never.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from chalice.app import DynamoDBEventConfig, SQSEventConfig

from dev import lambda_events
from dev.invoker import Invoker

# Lambda retries a failing stream batch until its records expire (a day) unless the mapping
# sets MaximumRetryAttempts; locally a poison record would block its shard that long.
STREAM_ATTEMPTS = 3
_AWS_ERRORS = (BotoCoreError, ClientError)
TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "template.json"


def template_filter(function_name: str, template: Path = TEMPLATE) -> dict[str, Any]:
    """The FilterCriteria the deployed template gives the function's event source mapping
    (``relay_changes`` is the template's ``RelayChanges``); {} when it sets none."""
    logical_id = "".join(part.capitalize() for part in function_name.split("_"))
    resource = json.loads(template.read_text(encoding="utf-8"))["Resources"].get(logical_id, {})
    for source in (resource.get("Properties", {}).get("Events") or {}).values():
        criteria = (source.get("Properties") or {}).get("FilterCriteria")
        if criteria:
            return dict(criteria)
    return {}


class Source(Protocol):
    name: str

    def poll(self, stopping: threading.Event) -> None: ...


class QueueSource:
    def __init__(
        self,
        config: SQSEventConfig,
        invoker: Invoker,
        sqs: Any,
        say: Callable[[str], None],
        wait_seconds: int = 0,
    ) -> None:
        """``wait_seconds``: how long a receive waits for a message (SQS long polling, as
        Lambda's own poller does). The stack's single loop polls every source in turn and keeps
        0; a caller with a thread per poller (bench/lateness.py) lets it wait, so a message is
        handed over the moment its delay ends instead of at the next poll."""
        self.name = config.name
        self._wait_seconds = wait_seconds
        self._queue = config.queue or (config.queue_arn or "").rsplit(":", 1)[-1]
        self._batch_size = config.batch_size
        self._invoker = invoker
        self._sqs = sqs
        self._say = say
        self._url: str | None = None
        self._arn = ""
        self._complained = False

    def _resolve(self) -> bool:
        if self._url is None:
            try:
                url = self._sqs.get_queue_url(QueueName=self._queue)["QueueUrl"]
                self._arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                    "Attributes"
                ]["QueueArn"]
                self._url = url
            except _AWS_ERRORS as err:
                self._complain(f"queue {self._queue} unavailable ({type(err).__name__})")
        return self._url is not None

    def _complain(self, problem: str) -> None:
        if not self._complained:
            self._say(f"{self.name}: {problem}; retrying quietly")
            self._complained = True

    def poll(self, stopping: threading.Event) -> None:
        if not self._resolve():
            return
        # A message failing with a zero visibility timeout comes straight back; seeing an id
        # twice ends this round so the poller cannot spin on it.
        seen: set[str] = set()
        while not stopping.is_set():
            try:
                messages = self._receive()
            except _AWS_ERRORS as err:
                self._complain(f"ReceiveMessage failed ({type(err).__name__})")
                return
            self._complained = False
            if not messages:
                return
            self._deliver(messages)
            ids = {m["MessageId"] for m in messages}
            if ids & seen:
                return
            seen |= ids

    def _receive(self) -> list[dict[str, Any]]:
        """Up to batch_size messages; SQS hands out at most ten per call, so Lambda's poller
        gathers larger batches over several calls."""
        batch: list[dict[str, Any]] = []
        while len(batch) < self._batch_size:
            answer = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=min(10, self._batch_size - len(batch)),
                WaitTimeSeconds=0 if batch else self._wait_seconds,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            ids = {m["MessageId"] for m in batch}
            fresh = [m for m in answer.get("Messages", []) if m["MessageId"] not in ids]
            if not fresh:
                break
            batch.extend(fresh)
        return batch

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        event = lambda_events.sqs_event(messages, self._arn, self._invoker.region)
        ids = [m["MessageId"] for m in messages]
        result, failure, ms = self._invoker.invoke(self.name, event)
        failed = lambda_events.failed_item_ids(result, ids) if failure is None else None
        if failed is None:
            failed = ids
            failure = failure or "invalid batchItemFailures, whole batch failed"
        # Failed messages stay; they come back after the visibility timeout and the queue's
        # redrive policy moves them to the dead-letter queue after maxReceiveCount receives.
        done = [m for m in messages if m["MessageId"] not in set(failed)]
        for start in range(0, len(done), 10):
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(done[start : start + 10])
                ],
            )
        note = f", {failure}" if failure else ""
        self._say(f"{self.name}: {len(messages)} messages, {len(failed)} failed{note}, {ms} ms")


class StreamSource:
    def __init__(
        self,
        config: DynamoDBEventConfig,
        invoker: Invoker,
        clients: Callable[[str], Any],
        default_table: str,
        say: Callable[[str], None],
    ) -> None:
        self.name = config.name
        self._batch_size = config.batch_size
        self._invoker = invoker
        self._dynamodb = clients("dynamodb")
        self._streams = clients("dynamodbstreams")
        self._say = say
        # The decorator names a deployed stream; locally the same table has its own stream.
        self._table = _table_of_stream(config.stream_arn) or default_table
        self._default_table = default_table
        self._stream_arn = ""
        # shard id -> iterator. Read from the start of the shard, skipping what is older than
        # FREIGABE_STREAM_SINCE (the data the stack restored is old, not news for the
        # handlers), so nothing written before this process got its iterator is missed.
        self._iterators: dict[str, str] = {}
        since = os.environ.get("FREIGABE_STREAM_SINCE", "")
        self._since = datetime.fromtimestamp(float(since), UTC) if since else None
        self._attempts: dict[str, int] = {}
        self._complained = False
        # What Lambda would pass on: the deployed mapping's filter, read from the template.
        self._criteria = template_filter(config.name)

    def _resolve(self) -> bool:
        try:
            if not self._stream_arn:
                self._stream_arn = self._latest_stream_arn()
            shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]["Shards"]
            for shard in shards:
                if shard["ShardId"] not in self._iterators:
                    start = "TRIM_HORIZON" if self._since else "LATEST"
                    self._iterators[shard["ShardId"]] = self._iterator(shard["ShardId"], start)
        except _AWS_ERRORS as err:
            if not self._complained:
                self._say(f"{self.name}: stream of {self._table} unavailable ({type(err).__name__})")
                self._complained = True
            return False
        return True

    def _latest_stream_arn(self) -> str:
        try:
            table = self._dynamodb.describe_table(TableName=self._table)["Table"]
        except ClientError:
            if self._table == self._default_table:
                raise
            self._table = self._default_table
            table = self._dynamodb.describe_table(TableName=self._table)["Table"]
        return str(table["LatestStreamArn"])

    def _iterator(self, shard_id: str, kind: str, sequence: str | None = None) -> str:
        kwargs: dict[str, Any] = {
            "StreamArn": self._stream_arn,
            "ShardId": shard_id,
            "ShardIteratorType": kind,
        }
        if sequence is not None:
            kwargs["SequenceNumber"] = sequence
        return str(self._streams.get_shard_iterator(**kwargs)["ShardIterator"])

    def poll(self, stopping: threading.Event) -> None:
        if not self._resolve():
            return
        for shard_id in list(self._iterators):
            while not stopping.is_set():
                try:
                    if not self._poll_shard(shard_id):
                        break
                except _AWS_ERRORS as err:
                    self._say(f"{self.name}: GetRecords failed ({type(err).__name__})")
                    break

    def _poll_shard(self, shard_id: str) -> bool:
        """Delivers one batch; True when there may be more to read right away."""
        answer = self._streams.get_records(ShardIterator=self._iterators[shard_id], Limit=self._batch_size)
        fetched = answer.get("Records", [])
        records = [r for r in fetched if self._is_news(r)]
        if not records:
            if answer.get("NextShardIterator"):
                self._iterators[shard_id] = answer["NextShardIterator"]
            return bool(fetched)
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        event = lambda_events.dynamodb_event(records, self._stream_arn, self._invoker.region)
        result, failure, ms = self._invoker.invoke(self.name, event)
        failed = lambda_events.failed_item_ids(result, sequences) if failure is None else None
        if failed is None:
            failed = sequences
            failure = failure or "invalid batchItemFailures, whole batch failed"
        note = f", {failure}" if failure else ""
        self._say(f"{self.name}: {len(records)} records, {len(failed)} failed{note}, {ms} ms")
        if not failed:
            self._iterators[shard_id] = answer["NextShardIterator"]
            return True
        # Like Lambda with ReportBatchItemFailures: resume at the first failed record; after
        # the last attempt the batch is dropped, as MaximumRetryAttempts does.
        first = failed[0]
        attempts = self._attempts.pop(first, 0) + 1
        if attempts >= STREAM_ATTEMPTS:
            self._say(f"{self.name}: dropped {len(failed)} records after {attempts} attempts")
            self._iterators[shard_id] = answer["NextShardIterator"]
            return True
        self._attempts[first] = attempts
        self._iterators[shard_id] = self._iterator(shard_id, "AT_SEQUENCE_NUMBER", first)
        return False


    def _is_news(self, record: dict[str, Any]) -> bool:
        # The deployed mapping's FilterCriteria (infra/template.json): every new timeline
        # event wakes the relay (each chain head is anchored), not heartbeats, counts or
        # idempotency records.
        if not lambda_events.filtered([record], self._criteria):
            return False
        created = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
        if self._since is None or created is None:
            return True
        if not isinstance(created, datetime):
            created = datetime.fromtimestamp(float(created), UTC)
        return bool(created.astimezone(UTC) >= self._since)


def _table_of_stream(stream_arn: str) -> str | None:
    """``arn:aws:dynamodb:region:account:table/NAME/stream/LABEL`` -> NAME."""
    resource = stream_arn.split(":", 5)[-1]
    parts = resource.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "table" else None
