"""The table's stream: hand each stored change's messages to whoever hears about them."""

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

    from chalicelib import observability
    from chalicelib.adapters.dynamodb.stream import outbox_of
    from chalicelib.services.bus import relay

    observability.bind(context)
    container = bootstrap.container()
    dispatcher, repo = container.bus, container.repository

    def handle(record: DynamoDBRecord) -> int:
        found = outbox_of(record.raw_event)
        if not found:
            return 0
        post_id, messages = found
        count = relay(post_id, messages, repo, dispatcher)
        log.info("relayed", extra={"post_id": post_id, "messages": count})
        return count

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor,
                                         context=context))
