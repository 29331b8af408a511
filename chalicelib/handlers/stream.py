"""The table's stream: anchor each new chain head outside the table, take a post scheduled for
now (or the next minute) to the publish queue at once, and hand each stored change's messages
to whoever hears about them."""

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

    def handle(record: DynamoDBRecord) -> int:
        head = chain_head_of(record.raw_event)
        if head:
            try:
                anchor.anchor(*head)
            except (BotoCoreError, ClientError) as err:
                # Not worth holding Slack back for: the next change anchors a later head.
                log.error("chain head not anchored", extra={
                    "post_id": head[0], "seq": head[1], "error": type(err).__name__})
        # Before Slack: a failure here retries the record before anything was announced.
        stats.record_facts(container, record.raw_event)
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
