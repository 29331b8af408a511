"""A publishing rig on the moto server: the table, a private pair of publish queues, a workflow
whose channels point at an outbox file and at network stand-ins, and helpers that play the
roles of EventBridge (the tick) and Lambda's SQS poller (the worker)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.post import Post, Reviewer
from chalicelib.services.ports import Context, Identity
from dev import lambda_events, moto_transactions
from tests.standins import Standin, start

ROOT = Path(__file__).resolve().parents[2]
WRITER = Identity("wanda.writer@freigabe.example", "Wanda Writer")
REVIEWERS = {"legal": Reviewer("U0LEGAL1", "legal1@freigabe.example"),
             "brand": Reviewer("U0BRAND1", "brand@freigabe.example")}


def create_queues(sqs: Any, suffix: str) -> tuple[str, str]:
    """The schema's queues under unique names: (publish queue URL, dead-letter queue URL)."""
    from chalicelib.adapters.dynamodb.schema import PUBLISH_DLQ, PUBLISH_QUEUE
    from dev.resources import ensure_queues, suffixed

    urls = ensure_queues(sqs, suffix=suffix)
    return urls[suffixed(PUBLISH_QUEUE, suffix)], urls[suffixed(PUBLISH_DLQ, suffix)]


def write_workflow(path: Path, outbox: Path, standins: dict[str, Standin]) -> None:
    text = (ROOT / "tests" / "fixtures" / "workflow.toml").read_text()
    text = text.replace('path = ".freigabe/test-outbox.jsonl"', f'path = "{outbox}"')
    text = text.replace('url = "http://127.0.0.1:9/freigabe"', f'url = "{standins["webhook"].base_url}"')
    text = text.replace('base_url = "https://mastodon.example"',
                        f'base_url = "{standins["mastodon"].base_url}"')
    text = re.sub(r'(\[channels\.x\]\ntype = "x"\n)', rf'\1base_url = "{standins["x"].base_url}"\n', text)
    text += f'\n[channels.archive]\ntype = "outbox"\npath = "{outbox}"\n'
    path.write_text(text)


def lambda_context(timeout_seconds: float = 60.0) -> lambda_events.LambdaContext:
    return lambda_events.LambdaContext(
        function_name="freigabe-local-publish_worker", memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:eu-central-1:123456789012:function:freigabe-local-publish_worker",
        timeout_seconds=timeout_seconds)


@dataclass
class Delivery:
    event: dict[str, Any]
    messages: list[dict[str, Any]]
    result: Any = None

    @property
    def failed(self) -> list[str]:
        return [f["itemIdentifier"] for f in (self.result or {}).get("batchItemFailures", [])]


@dataclass
class PublishRig:
    sqs: Any
    queue_url: str
    dlq_url: str
    outbox: Path
    standins: dict[str, Standin]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # -- posts ----------------------------------------------------------------------------

    def context(self, clock: Callable[[], datetime] | None = None) -> Context:
        from chalicelib import bootstrap

        container = bootstrap.container()
        return Context(repo=container.repository, workflow=container.workflow,
                       clock=clock or self.clock, new_id=container.new_id)

    def approved(self, channels: list[str], text: str = "Hallo Welt", publish_at: datetime | None = None,
                 clock: Callable[[], datetime] | None = None) -> Post:
        """A post written and approved through the services, as Slack would do it."""
        from chalicelib.services import review, writing
        from chalicelib.services.writing import Draft

        ctx = self.context(clock)
        post = writing.create(ctx, WRITER, Draft(text=text, channels=channels, publish_at=publish_at))
        for step in post.required_steps():
            review.decide(ctx, post.id, step.name, REVIEWERS[step.name], "approve", post.content_hash)
        stored = ctx.repo.get(post.id)
        assert stored.status.value == "scheduled"
        return stored

    def post(self, post_id: str) -> Post:
        from chalicelib import bootstrap

        return bootstrap.container().repository.get(post_id)

    # -- the queue ------------------------------------------------------------------------

    def receive(self, limit: int = 10) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=limit,
                                          VisibilityTimeout=30, AttributeNames=["All"],
                                          MessageAttributeNames=["All"])
        return answer.get("Messages", [])  # type: ignore[no-any-return]

    def receive_all(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while batch := self.receive():
            found += batch
        return found

    def bodies(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [json.loads(m["Body"]) for m in messages]

    def event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        arn = "arn:aws:sqs:eu-central-1:123456789012:" + self.queue_url.rsplit("/", 1)[-1]
        return lambda_events.sqs_event(messages, arn, "eu-central-1")

    def deliver(self, messages: list[dict[str, Any]], context: Any = None) -> Delivery:
        """Invoke the worker on these messages and delete the ones it did not report failed;
        those come back at once (the visibility timeout, fast-forwarded)."""
        from chalicelib.handlers.queue import publish_worker

        delivery = Delivery(self.event(messages), messages)
        delivery.result = publish_worker(delivery.event, context or lambda_context())
        self.settle(delivery)
        return delivery

    def release(self, messages: list[dict[str, Any]]) -> None:
        """Visible again at once: an invocation died holding them (its timeout, fast-forwarded)."""
        for m in messages:
            self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"],
                                               VisibilityTimeout=0)

    def settle(self, delivery: Delivery) -> None:
        """What Lambda's poller does with a batch's answer."""
        self.release([m for m in delivery.messages if m["MessageId"] in delivery.failed])
        for m in delivery.messages:
            if m["MessageId"] not in delivery.failed:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def drain(self, rounds: int = 20) -> int:
        delivered = 0
        for _ in range(rounds):
            batch = self.receive()
            if not batch:
                break
            delivered += len(batch) - len(self.deliver(batch).failed)
        return delivered

    # -- outcomes -------------------------------------------------------------------------

    def outbox_lines(self, post_id: str | None = None) -> list[dict[str, Any]]:
        if not self.outbox.exists():
            return []
        lines = [json.loads(line) for line in self.outbox.read_text().splitlines() if line.strip()]
        return [entry for entry in lines if post_id is None or entry["post_id"] == post_id]

    def network_posts(self, network: str) -> list[dict[str, Any]]:
        return list(self.standins[network].posts)


@contextmanager
def publish_rig(table: str, aws_endpoint: str, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishRig]:
    """Everything a publishing test needs, on the table of conftest's ``table`` fixture."""
    import boto3

    from chalicelib import bootstrap

    # DynamoDB's isolation, which the claim relies on (moto lacks it; see the module).
    moto_transactions.install()
    standins = {name: start(name) for name in ("webhook", "mastodon", "x")}
    try:
        sqs = boto3.client("sqs", endpoint_url=aws_endpoint)
        queue_url, dlq_url = create_queues(sqs, uuid.uuid4().hex[:10])
        outbox = tmp_path / "outbox.jsonl"
        config = tmp_path / "workflow.toml"
        write_workflow(config, outbox, standins)
        monkeypatch.setenv("FREIGABE_CONFIG", str(config))
        monkeypatch.setenv("FREIGABE_PUBLISH_QUEUE", queue_url.rsplit("/", 1)[-1])
        monkeypatch.setenv("WEBHOOK_SECRET", standins["webhook"].secret)
        monkeypatch.setenv("MASTODON_TOKEN", standins["mastodon"].secret)
        monkeypatch.setenv("X_TOKEN", standins["x"].secret)
        bootstrap.reset()
        assert bootstrap.container().settings.publish_queue == queue_url.rsplit("/", 1)[-1]
        yield PublishRig(sqs, queue_url, dlq_url, outbox, standins)
    finally:
        for standin in standins.values():
            standin.stop()
        bootstrap.reset()
