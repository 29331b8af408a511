"""The table's stream: anchor each post's newest chain head outside the table, take a post
scheduled for now (or the next minute) to the publish queue at once, and hand each stored
change's messages to whoever hears about them."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib import bootstrap

log = logging.getLogger("freigabe.relay")


def relay_changes(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A record whose handler fails is reported back, so the stream retries it (and only it
    onwards)."""
    if not event.get("Records"):
        return {"batchItemFailures": []}
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import observability
    from chalicelib.adapters.anchor import chain_head_of
    from chalicelib.adapters.dynamodb.stream import outbox_of
    from chalicelib.handlers import stats
    from chalicelib.services import scheduling
    from chalicelib.services.bus import relay

    observability.bind(context)
    container = bootstrap.container()
    dispatcher, repo, anchor = container.bus, container.repository, container.anchor
    # A post's newest head in this batch is anchored, not each one before it: it seals them.
    newest: dict[str, int] = {}
    for raw in event["Records"]:
        found_head = chain_head_of(raw)
        if found_head:
            newest[found_head[0]] = max(found_head[1], newest.get(found_head[0], 0))
    timelines: dict[str, tuple[Any, Any, Any]] = {}

    def full(post_id: str) -> tuple[Any, Any, Any]:
        """The post and its timeline, read once per batch for the figures' facts."""
        if post_id not in timelines:
            timelines[post_id] = repo.get_full(post_id)
        return timelines[post_id]

    def handle(record: DynamoDBRecord) -> int:
        head = chain_head_of(record.raw_event)
        if head and head[1] >= newest.get(head[0], 0):
            try:
                anchor.anchor(*head)
            except (BotoCoreError, ClientError) as err:
                # Not worth holding Slack back for: the next change anchors a later head.
                log.error("chain head not anchored", extra={
                    "post_id": head[0], "seq": head[1], "error": type(err).__name__})
        # Before Slack: a failure here retries the record before anything was announced.
        stats.record_facts(container, record.raw_event, full)
        found = outbox_of(record.raw_event)
        if not found:
            return 0
        post_id, messages = found
        if any(scheduling.due_soon(m, container.clock()) for m in messages):
            # Before Slack hears of it: the post's second does not wait for chat.postMessage.
            scheduling.take_now(container.scheduling(), post_id)
        count = relay(post_id, messages, repo, dispatcher)
        log.info("relayed", extra={"post_id": post_id, "messages": count})
        return count

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor,
                                         context=context))
