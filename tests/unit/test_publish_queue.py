"""The queue adapter and the worker's wiring, without AWS: batches, refused entries, the time
guard, and the queue settings the pause handling depends on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import schema
from chalicelib.adapters.sqs import PublicationBody, SqsPublishQueue
from chalicelib.domain.publication import Publication
from chalicelib.handlers.queue import SEND_MARGIN_MS, publish_worker, time_guard
from chalicelib.services import delivery
from chalicelib.services.ports import QueueRefused
from chalicelib.settings import Settings

PUBLISH_QUEUE = Settings.model_fields["publish_queue"].default


class QueueClient:
    """Answers like SQS; ``refuse`` lists entry ids refused once each."""

    def __init__(self, refuse: list[str] | None = None) -> None:
        self.refuse = list(refuse or [])
        self.bodies: list[dict[str, Any]] = []
        self.delays: list[int] = []
        self.url_lookups = 0

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        self.url_lookups += 1
        return {"QueueUrl": f"https://sqs.example/{QueueName}"}

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        failed = [e for e in Entries if e["Id"] in self.refuse]
        for entry in failed:
            self.refuse.remove(entry["Id"])
        self.bodies += [json.loads(e["MessageBody"]) for e in Entries if e not in failed]
        self.delays += [int(e.get("DelaySeconds", 0)) for e in Entries if e not in failed]
        return {"Successful": [],
                "Failed": [{"Id": e["Id"], "SenderFault": False, "Code": "x"} for e in failed]}


def messages(count: int) -> list[Publication]:
    return [Publication(f"p{n}", "outbox", "h", 1, "2026-11-26T12:00:00Z") for n in range(count)]


def test_messages_carry_what_the_worker_needs_and_the_url_is_looked_up_once() -> None:
    client = QueueClient()
    queue = SqsPublishQueue(client, PUBLISH_QUEUE)
    queue.send(messages(3))
    queue.send(messages(1))
    assert client.url_lookups == 1
    assert client.bodies[0] == {"post_id": "p0", "channel": "outbox", "content_hash": "h",
                                "attempt": 1, "not_after": "2026-11-26T12:00:00Z",
                                "not_before": None}
    assert PublicationBody.model_validate(client.bodies[0]).publication() == messages(1)[0]


def test_entries_refused_once_are_sent_again_and_refused_twice_raise() -> None:
    client = QueueClient(refuse=["1"])
    SqsPublishQueue(client, "q").send(messages(3))
    assert sorted(b["post_id"] for b in client.bodies) == ["p0", "p1", "p2"]
    client = QueueClient(refuse=["1", "1"])
    with pytest.raises(QueueRefused):
        SqsPublishQueue(client, "q").send(messages(3))


def test_each_entry_carries_its_own_delay_and_none_is_sent_for_zero() -> None:
    # The tick holds each post back until its second (issue 12 item 5).
    client = QueueClient()
    SqsPublishQueue(client, "q").send(messages(3), [0, 17, 900])
    assert client.delays == [0, 17, 900]
    SqsPublishQueue(client, "q").send(messages(2))
    assert client.delays[3:] == [0, 0]


def test_more_than_ten_messages_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="ten"):
        SqsPublishQueue(QueueClient(), "q").send(messages(11))


def test_a_message_written_by_hand_is_the_first_attempt_without_a_deadline() -> None:
    body = PublicationBody.model_validate({"post_id": "x", "channel": "outbox", "content_hash": "h"})
    assert body.publication() == Publication("x", "outbox", "h", 1, None)


class Context:
    def __init__(self, *remaining: int) -> None:
        self.remaining = list(remaining)

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining.pop(0) if len(self.remaining) > 1 else self.remaining[0]


def test_the_time_guard_hands_records_back_when_the_invocation_is_nearly_over() -> None:
    may_wait = time_guard(Context(60_000, 40_000, SEND_MARGIN_MS - 1))
    assert may_wait() is True
    assert may_wait() is False
    # A context that never had the margin (a test's) is not guarded at all.
    assert time_guard(Context(3_000))() is True


def test_an_empty_event_needs_no_adapters() -> None:
    assert publish_worker({"Records": []}, None) == {"batchItemFailures": []}


def test_a_paused_message_is_let_go_before_the_queue_dead_letters_it() -> None:
    assert delivery.HOLD_RECEIVES < schema.MAX_RECEIVE_COUNT


def test_the_worker_listens_on_the_queue_the_tick_sends_to() -> None:
    """Chalice needs the queue's name as a literal in app.py; it must be the settings' default."""
    from chalice.app import SQSEventConfig

    import app as application

    [worker] = [s for s in application.app.event_sources
                if isinstance(s, SQSEventConfig) and s.name == "publish_worker"]
    assert worker.queue == PUBLISH_QUEUE == schema.PUBLISH_QUEUE


def test_a_batch_is_grouped_by_post_in_order_and_an_unreadable_body_stands_alone() -> None:
    from chalicelib.handlers.queue import by_post

    def record(body: str) -> dict[str, str]:
        return {"messageId": body, "body": body}

    a1, b1, bad, a2 = (record('{"post_id": "a", "channel": "x"}'),
                       record('{"post_id": "b", "channel": "x"}'), record("{not json"),
                       record('{"post_id": "a", "channel": "y"}'))
    assert by_post([a1, b1, bad, a2]) == [[a1, a2], [b1], [bad]]
