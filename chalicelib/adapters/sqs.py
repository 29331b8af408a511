"""The publish queue: sending publications with SendMessageBatch, and the shape of the records
the worker receives (a pydantic model, for Powertools' BatchProcessor), parsed back into the
same ``Publication``."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.publication import Publication
from chalicelib.services.ports import QueueRefused

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

    def send(self, publications: Sequence[Publication], delays: Sequence[int] = ()) -> None:
        if len(publications) > 10:
            raise ValueError("SendMessageBatch takes at most ten messages")
        waiting = {str(i): p for i, p in enumerate(publications)}
        delay = {str(i): int(d) for i, d in enumerate(delays) if d}
        from botocore.exceptions import BotoCoreError, ClientError

        for _ in range(2):  # boto3 retries whole calls; this retries the entries SQS refused
            if not waiting:
                return
            entries: list[dict[str, Any]] = [
                {"Id": i, "MessageBody": body(p), **({"DelaySeconds": delay[i]} if i in delay else {})}
                for i, p in waiting.items()]
            try:
                answer = self._client.send_message_batch(QueueUrl=self.url, Entries=entries)
            except (BotoCoreError, ClientError) as err:
                raise QueueRefused(f"SendMessageBatch failed: {type(err).__name__}") from err
            failed = {f["Id"] for f in answer.get("Failed", [])}
            waiting = {i: p for i, p in waiting.items() if i in failed}
        if waiting:
            log.error("queue refused messages", extra={"count": len(waiting)})
            raise QueueRefused(f"{len(waiting)} messages refused by the queue")


def body(publication: Publication) -> str:
    """A message's body: the publication's fields as JSON (no text: the worker reads the post)."""
    return json.dumps(asdict(publication), separators=(",", ":"))


class PublicationBody(BaseModel):
    """A message's body as it arrives; ``attempt``, ``not_after`` and ``not_before`` may be
    absent in messages written by hand or before ``not_before`` existed (the first attempt, no
    deadline beyond the post's own, no wait)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    post_id: str = Field(min_length=1, max_length=100)
    channel: str = Field(min_length=1, max_length=40)
    content_hash: str = Field(min_length=1, max_length=128)
    attempt: int = Field(1, ge=1)
    not_after: str | None = None
    not_before: str | None = None

    def publication(self) -> Publication:
        return Publication(self.post_id, self.channel, self.content_hash, self.attempt,
                           self.not_after, self.not_before)


@cache
def record_model() -> Any:
    """Powertools' SQS record model with the body parsed as a PublicationBody. Built on first use:
    the parser models are not imported on a cold start that never receives a message."""
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from pydantic import Json

    class PublishRecord(SqsRecordModel):
        body: Json[PublicationBody]  # type: ignore[assignment,unused-ignore]

    return PublishRecord
