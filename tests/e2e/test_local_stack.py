"""The local stack as `make run` starts it: emulator, chalice local and ticker together, and
the data kept across a restart."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from chalicelib.adapters.dynamodb import schema
from dev.testing import StackHandle, alive, start_stack

pytestmark = pytest.mark.e2e

T = TypeVar("T")


STACK_ENV = {
    "FREIGABE_TICK_SECONDS": "1",
    # Failed messages return after a second, so dead-lettering takes seconds, not minutes.
    "FREIGABE_QUEUE_VISIBILITY_SECONDS": "1",
    # A Slack of the caller's own: the stack then starts no dev workspace.
    "SLACK_BOT_TOKEN": "xoxb-e2e",
    "SLACK_SIGNING_SECRET": "e2e-signing-secret",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("stack-state"), STACK_ENV)
    yield handle
    handle.stop()


def wait_until(probe: Callable[[], T], timeout: float, what: str, stack: StackHandle) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:g} s: {what}\n--- stack output ---\n{stack.output}")


def queue_url(stack: StackHandle, name: str) -> str:
    return str(stack.client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def last_tick(stack: StackHandle) -> str | None:
    status, body = stack.get("/health")
    assert status == 200, body
    return body["last_tick"]  # type: ignore[no-any-return]


def test_health_answers_and_urls_are_printed(stack: StackHandle) -> None:
    status, body = stack.get("/health")

    assert status == 200
    assert body["table"] == "reachable"
    assert f"{stack.base_url}/slack/events" in stack.output
    assert stack.aws_url in stack.output


def test_ticker_runs_the_scheduled_function(stack: StackHandle) -> None:
    first = wait_until(lambda: last_tick(stack), 15, "a first tick", stack)

    later = wait_until(lambda: last_tick(stack) != first, 10, "the tick advancing", stack)

    assert later


def test_valid_publish_message_is_consumed(stack: StackHandle) -> None:
    sqs = stack.client("sqs")
    url = queue_url(stack, schema.PUBLISH_QUEUE)
    message = {"post_id": "x", "channel": "outbox", "content_hash": "h"}

    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message))

    def queue_empty() -> bool:
        counts = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return set(counts.values()) == {"0"}

    wait_until(queue_empty, 15, "the publish queue empty", stack)


def test_malformed_message_ends_in_the_dead_letter_queue(stack: StackHandle) -> None:
    sqs = stack.client("sqs")
    secret = f"geheimer Entwurf {uuid.uuid4()}"

    sqs.send_message(QueueUrl=queue_url(stack, schema.PUBLISH_QUEUE), MessageBody=secret)

    dlq = queue_url(stack, schema.PUBLISH_DLQ)

    def dead_lettered() -> list[dict[str, Any]]:
        messages = sqs.receive_message(
            QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
        ).get("Messages", [])
        return [m for m in messages if m["Body"] == secret]

    (message,) = wait_until(dead_lettered, 30, "the malformed message in the DLQ", stack)
    assert int(message["Attributes"]["ApproximateReceiveCount"]) >= schema.MAX_RECEIVE_COUNT
    assert secret not in stack.output


def test_data_survives_a_restart(tmp_path: Path) -> None:
    item = {
        "PK": {"S": "E2E#restart"},
        "SK": {"S": "ITEM"},
        "text": {"S": "Grüße"},
        "raw": {"B": b"\x00\xff"},
        "nested": {"M": {"tags": {"L": [{"S": "a"}, {"N": "1"}]}}},
    }
    first = start_stack(tmp_path, STACK_ENV)
    try:
        first.client("dynamodb").put_item(TableName="freigabe", Item=item)
        # Nothing consumes the dead-letter queue, so the message waits there for the save.
        first.client("sqs").send_message(QueueUrl=queue_url(first, schema.PUBLISH_DLQ), MessageBody="parked")
        children = first.descendants()
    finally:
        code = first.stop()

    assert code == 0, first.output
    assert len(children) >= 3  # emulator, chalice local, ticker
    assert alive(children) == set(), first.output
    assert (tmp_path / "state.json").exists()

    second = start_stack(tmp_path, STACK_ENV)
    try:
        stored = second.client("dynamodb").get_item(TableName="freigabe", Key=_key(item))
        parked = second.client("sqs").receive_message(
            QueueUrl=queue_url(second, schema.PUBLISH_DLQ), MaxNumberOfMessages=10
        )
    finally:
        second.stop()

    assert stored.get("Item") == item
    assert [m["Body"] for m in parked.get("Messages", [])] == ["parked"]


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return {"PK": item["PK"], "SK": item["SK"]}
