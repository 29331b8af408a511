"""The local AWS as the stack runs it: a DynamoDB Query on the table's key reads only its
partition, and answers exactly as before, pages, order, conditions and filters included (dev.moto_speed);
an SQS long poll ends when a delayed message comes due (dev.aws), and the stack's queue consumer
long-polls when asked to (dev.sources)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.schema import table_definition

OTHER_PARTITIONS = 60
PER_PARTITION = 8


@pytest.fixture
def filled(dynamodb: Any) -> Iterator[str]:
    name = f"freigabe-speed-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(**table_definition(name))
    puts = []
    for partition in range(OTHER_PARTITIONS):
        for n in range(PER_PARTITION):
            puts.append({keys.PK: {"S": f"POST#p{partition:03d}"}, keys.SK: {"S": f"EV#{n:04d}"},
                         "kind": {"S": "even" if n % 2 == 0 else "odd"}})
    for n in range(PER_PARTITION):
        puts.append({keys.PK: {"S": "POST#asked"}, keys.SK: {"S": f"EV#{n:04d}"},
                     "kind": {"S": "even" if n % 2 == 0 else "odd"},
                     keys.GSI_STATUS_PK: {"S": "STATUS#speedtest"},
                     keys.GSI_STATUS_SK: {"S": f"{n:04d}"}})
    puts.append({keys.PK: {"S": "POST#asked"}, keys.SK: {"S": "META"}})
    for start in range(0, len(puts), 25):
        dynamodb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item}}
                                                       for item in puts[start:start + 25]]})
    yield name
    dynamodb.delete_table(TableName=name)


def _sks(items: list[dict[str, Any]]) -> list[str]:
    return [item[keys.SK]["S"] for item in items]


def test_a_query_reads_only_its_partition(dynamodb: Any, filled: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorting the whole table compares hundreds of keys; one partition of 9 items, a few dozen."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    comparisons = 0
    original = DynamoType.__lt__

    def counting(self: Any, other: Any) -> bool:
        nonlocal comparisons
        comparisons += 1
        return original(self, other)

    monkeypatch.setattr(DynamoType, "__lt__", counting)  # the server runs in this process
    answer = dynamodb.query(TableName=filled, KeyConditionExpression="#pk = :pk",
                            ExpressionAttributeNames={"#pk": keys.PK},
                            ExpressionAttributeValues={":pk": {"S": "POST#asked"}})
    assert len(answer["Items"]) == PER_PARTITION + 1
    assert comparisons < 40, f"{comparisons} key comparisons for a 9-item partition"


def test_a_partitions_items_in_order_with_pages_conditions_and_filters(dynamodb: Any,
                                                                      filled: str) -> None:
    names = {"#pk": keys.PK, "#sk": keys.SK}
    asked = {":pk": {"S": "POST#asked"}}
    whole = dynamodb.query(TableName=filled, KeyConditionExpression="#pk = :pk",
                           ExpressionAttributeNames={"#pk": keys.PK},
                           ExpressionAttributeValues=asked)["Items"]
    events = [f"EV#{n:04d}" for n in range(PER_PARTITION)]
    assert _sks(whole) == [*events, "META"]

    backwards = dynamodb.query(TableName=filled, KeyConditionExpression="#pk = :pk",
                               ExpressionAttributeNames={"#pk": keys.PK},
                               ExpressionAttributeValues=asked, ScanIndexForward=False)["Items"]
    assert _sks(backwards) == ["META", *reversed(events)]

    pages: list[str] = []
    start: dict[str, Any] | None = None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = dynamodb.query(TableName=filled, Limit=3,
                              KeyConditionExpression="#pk = :pk AND begins_with(#sk, :ev)",
                              ExpressionAttributeNames=names,
                              ExpressionAttributeValues={**asked, ":ev": {"S": "EV#"}}, **extra)
        pages.extend(_sks(page["Items"]))
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert pages == events

    odd = dynamodb.query(TableName=filled, KeyConditionExpression="#pk = :pk",
                         FilterExpression="kind = :odd", ExpressionAttributeNames={"#pk": keys.PK},
                         ExpressionAttributeValues={**asked, ":odd": {"S": "odd"}})
    assert _sks(odd["Items"]) == events[1::2]
    assert odd["ScannedCount"] == PER_PARTITION + 1

    nobody = dynamodb.query(TableName=filled, KeyConditionExpression="#pk = :pk",
                            ExpressionAttributeNames={"#pk": keys.PK},
                            ExpressionAttributeValues={":pk": {"S": "POST#nobody"}})
    assert nobody["Items"] == []


def test_index_queries_and_scans_still_see_the_whole_table(dynamodb: Any, filled: str) -> None:
    by_status = dynamodb.query(TableName=filled, IndexName=keys.GSI_STATUS,
                               KeyConditionExpression="#pk = :pk",
                               ExpressionAttributeNames={"#pk": keys.GSI_STATUS_PK},
                               ExpressionAttributeValues={":pk": {"S": "STATUS#speedtest"}})
    assert [item[keys.GSI_STATUS_SK]["S"] for item in by_status["Items"]] == \
        [f"{n:04d}" for n in range(PER_PARTITION)]
    scanned = dynamodb.scan(TableName=filled, Select="COUNT")
    assert scanned["Count"] == (OTHER_PARTITIONS + 1) * PER_PARTITION + 1


# -- the local SQS: a long poll ends when a delayed message becomes receivable -----------------

class _Message:
    def __init__(self, visible_at: float, delayed_until: float) -> None:
        self.visible_at, self.delayed_until = visible_at, delayed_until  # epoch milliseconds


class _Condition:
    """Records how long the long poll asks to sleep; the message is due when it wakes."""

    def __init__(self, queue: _Queue) -> None:
        self.queue, self.waits = queue, []  # type: ignore[var-annotated]

    def __enter__(self) -> _Condition:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.queue.ready = True
        return False


class _Queue:
    def __init__(self, delayed_for: float) -> None:
        import time

        self.ready = False
        self._messages = [_Message(0.0, (time.time() + delayed_for) * 1000)]
        self._messages_lock = _Condition(self)

    @property
    def messages(self) -> list[_Message]:
        return self._messages if self.ready else []


def test_a_long_poll_wakes_when_a_delayed_message_comes_due() -> None:
    """moto wakes a long poll only for a newly sent message, so one whose DelaySeconds ran
    out waited up to the next whole second; dev.aws wakes it when the message comes due."""
    import moto.sqs.models as sqs_models

    from dev.aws import prepare_moto

    prepare_moto()
    queue = _Queue(delayed_for=0.3)
    sqs_models.Queue.wait_for_messages(queue, 5)  # type: ignore[arg-type]
    assert len(queue._messages_lock.waits) == 1
    assert 0.2 < queue._messages_lock.waits[0] <= 0.3


def test_a_long_poll_that_stays_empty_ends_at_its_wait_time() -> None:
    import moto.sqs.models as sqs_models

    from dev.aws import prepare_moto

    prepare_moto()
    queue = _Queue(delayed_for=60)
    sqs_models.Queue.wait_for_messages(queue, 2)  # type: ignore[arg-type]
    assert 1.9 < queue._messages_lock.waits[0] <= 2.0


def test_the_local_queue_source_long_polls_its_first_receive_only() -> None:
    """A consumer thread waits for its first message as Lambda's poller does, then gathers
    the rest of its batch without waiting."""
    from chalice.app import SQSEventConfig

    from dev.sources import QueueSource

    waits: list[int] = []
    bodies = iter([["m1", "m2"], ["m3"], []])

    class Sqs:
        def receive_message(self, **kwargs: Any) -> dict[str, Any]:
            waits.append(kwargs["WaitTimeSeconds"])
            return {"Messages": [{"MessageId": m} for m in next(bodies)]}

    config = SQSEventConfig(name="publish_worker", handler_string="app.x",
                            queue="freigabe-publish", queue_arn=None, batch_size=10,
                            maximum_batching_window_in_seconds=0, maximum_concurrency=None)
    source = QueueSource(config, None, Sqs(), print, wait_seconds=1)  # type: ignore[arg-type]
    source._url = "http://queue"
    assert [m["MessageId"] for m in source._receive()] == ["m1", "m2", "m3"]
    assert waits == [1, 0, 0]


# -- the local stream source passes on what the deployed mapping's filter passes ---------------

def _record(name: str, sk: str, image: dict[str, Any] | None = None) -> dict[str, Any]:
    """A record as the streams client returns it (keys and images in DynamoDB JSON)."""
    return {"eventID": f"{name}-{sk}", "eventName": name,
            "dynamodb": {"Keys": {keys.PK: {"S": "POST#p1"}, keys.SK: {"S": sk}},
                         "NewImage": {keys.PK: {"S": "POST#p1"}, keys.SK: {"S": sk}, **(image or {})}}}


def test_the_local_relay_is_woken_by_what_the_templates_filter_passes() -> None:
    """Every inserted timeline event, as the deployed relay is (each chain head is anchored):
    the stack used to pass only events that carry messages, so locally fewer heads were
    anchored than in AWS."""
    from chalice.app import DynamoDBEventConfig

    from dev.sources import StreamSource, template_filter

    assert template_filter("relay_changes")["Filters"]  # the template has one
    config = DynamoDBEventConfig(name="relay_changes", handler_string="app.relay_changes",
                                 stream_arn="arn:aws:dynamodb:eu-central-1:1:table/t/stream/x",
                                 batch_size=50, starting_position="TRIM_HORIZON",
                                 maximum_batching_window_in_seconds=0)
    source = StreamSource(config, None, lambda _service: None, "t", print)  # type: ignore[arg-type]
    event = keys.event_sk(1)
    assert source._is_news(_record("INSERT", event))  # no messages: anchored all the same
    assert source._is_news(_record("INSERT", event, {keys.OUTBOX_ATTR: {"S": "[]"}}))
    assert not source._is_news(_record("MODIFY", event))
    assert not source._is_news(_record("INSERT", "POST"))
    assert not source._is_news(_record("REMOVE", event))


def test_the_local_aws_keeps_a_clients_connection_open_between_requests() -> None:
    # moto's own server closed each connection after one request (a new connection and a new
    # server thread per request); dev.aws.LocalAws keeps it, as AWS's endpoints do.
    import socket

    import botocore.session

    from dev.aws import LocalAws

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = LocalAws("127.0.0.1", port)
    server.start()
    try:
        client = botocore.session.get_session().create_client(
            "sqs", endpoint_url=server.endpoint, region_name="eu-central-1",
            aws_access_key_id="test", aws_secret_access_key="test")
        prefix = f"kept-{uuid.uuid4().hex[:8]}"  # moto's queues are shared by the process
        for n in range(10):
            client.create_queue(QueueName=f"{prefix}-{n}")
        assert len(client.list_queues(QueueNamePrefix=prefix)["QueueUrls"]) == 10
        assert len(server._server.active_channels) == 1  # one connection for eleven requests
    finally:
        server.stop()
