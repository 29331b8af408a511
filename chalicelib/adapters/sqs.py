"""The publish queue: sending publish messages with SendMessageBatch, and the shape of the
records the worker receives (a pydantic model, for Powertools' BatchProcessor)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.services.publishing import DispatchFailed, PublishMessage

log = logging.getLogger("freigabe.queue")


class SqsPublishQueue:
    """The queue's URL is looked up on first use, once per container."""

    def __init__(self, client: Any, queue_name: str) -> None:
        self._client = client
        self._queue_name = queue_name
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = str(self._client.get_queue_url(QueueName=self._queue_name)["QueueUrl"])
        return self._url

    def send(self, messages: Sequence[PublishMessage]) -> None:
        if len(messages) > 10:
            raise ValueError("SendMessageBatch takes at most ten messages")
        waiting = {str(i): m for i, m in enumerate(messages)}
        from botocore.exceptions import BotoCoreError, ClientError

        for _ in range(2):  # boto3 retries whole calls; this retries the entries SQS refused
            if not waiting:
                return
            entries = [{"Id": i, "MessageBody": json.dumps(m.body(), separators=(",", ":"))}
                       for i, m in waiting.items()]
            try:
                answer = self._client.send_message_batch(QueueUrl=self.url, Entries=entries)
            except (BotoCoreError, ClientError) as err:
                raise DispatchFailed(f"SendMessageBatch failed: {type(err).__name__}") from err
            failed = {f["Id"] for f in answer.get("Failed", [])}
            waiting = {i: m for i, m in waiting.items() if i in failed}
        if waiting:
            log.error("queue refused messages", extra={"count": len(waiting)})
            raise DispatchFailed(f"{len(waiting)} messages refused by the queue")


class PublishBody(BaseModel):
    """A publish message as it arrives; ``attempt`` and ``not_after`` may be absent in
    messages written by hand (the first attempt, no deadline beyond the post's own)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    post_id: str = Field(min_length=1, max_length=100)
    channel: str = Field(min_length=1, max_length=40)
    content_hash: str = Field(min_length=1, max_length=128)
    attempt: int = Field(1, ge=1)
    not_after: str | None = None

    def message(self) -> PublishMessage:
        return PublishMessage(self.post_id, self.channel, self.content_hash, self.attempt,
                              self.not_after)


@cache
def record_model() -> Any:
    """Powertools' SQS record model with the body parsed as a PublishBody. Built on first use:
    the parser models are not imported on a cold start that never receives a message."""
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from pydantic import Json

    class PublishRecord(SqsRecordModel):
        body: Json[PublishBody]  # type: ignore[assignment]

    return PublishRecord
