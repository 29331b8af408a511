"""Entry points of publishing: the due-posts tick, the publish queue's worker, and the admins'
retry and mark-as-published, wired to the real adapters.

Adapters are built on first use and kept for the container's life; nothing here touches the
network or Powertools at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib import bootstrap

if TYPE_CHECKING:
    from chalicelib.adapters.channels.base import ChannelPublisher
    from chalicelib.adapters.idempotency import PowertoolsOnce
    from chalicelib.domain.post import Post
    from chalicelib.services.publication import Worker
    from chalicelib.services.publishing import Dispatch

log = logging.getLogger("freigabe.publish")

# A network call may take this long (timeouts and waits of the channel's HTTP client); a record
# that starts with less of the invocation left is handed back to the queue instead.
SEND_MARGIN_MS = 25_000


def publish_due() -> dict[str, int]:
    from chalicelib import observability
    from chalicelib.services import publishing

    observability.setup()
    bootstrap.control_store().record_tick(datetime.now(UTC))
    counts = publishing.publish_due(dispatch())
    log.info("tick", extra=counts)
    return counts


def publish_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One batch from the publish queue; failed records are reported for redelivery."""
    if not event.get("Records"):
        return {"batchItemFailures": []}
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    from chalicelib import observability
    from chalicelib.adapters.sqs import record_model
    from chalicelib.services import publication

    observability.bind(context)
    once().register_lambda_context(context)
    work = worker()
    may_wait = time_guard(context)

    def handle(record: Any) -> str:
        receives = int(record.attributes.ApproximateReceiveCount or 1)
        return publication.publish_one(work, record.body.message(), receive_count=receives,
                                      may_wait=may_wait)

    processor = BatchProcessor(event_type=EventType.SQS, model=record_model(),
                               raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor,
                                         context=context))


def retry_publication(post_id: str, channels: list[str] | None, admin: str) -> Post:
    from chalicelib.services import publishing

    return publishing.retry_publication(dispatch(), post_id, channels, admin)


def mark_published(post_id: str, channel: str, admin: str, url: str | None = None) -> Post:
    from chalicelib.services import publishing

    return publishing.mark_published(dispatch(), post_id, channel, admin, url)


def time_guard(context: Any) -> Callable[[], bool]:
    """Whether a record may still start a network call in this invocation."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None or remaining() <= SEND_MARGIN_MS:
        # No budget worth protecting from the start (a test's short context): never refuse.
        return lambda: True
    return lambda: bool(remaining() > SEND_MARGIN_MS)


# -- wiring ---------------------------------------------------------------------------------

class ChannelDirectory:
    """The workflow's channels as publishers, each built on first use."""

    def __init__(self, workflow: Any, resolve_secret: Callable[[str], str]) -> None:
        self._workflow = workflow
        self._resolve = resolve_secret
        self._built: dict[str, ChannelPublisher] = {}

    def publisher(self, name: str) -> ChannelPublisher:
        if name not in self._built:
            from chalicelib.adapters.channels.registry import build_publisher

            config = self._workflow.channels[name]  # KeyError: no longer configured
            self._built[name] = build_publisher(name, config, self._resolve)
        return self._built[name]

    def sends_idempotency_key(self, name: str) -> bool:
        from chalicelib.adapters.channels.registry import sends_idempotency_key

        return sends_idempotency_key(self.publisher(name))


@lru_cache(maxsize=1)
def queue() -> Any:
    from chalicelib.adapters.sqs import SqsPublishQueue
    from chalicelib.settings import get_settings

    return SqsPublishQueue(bootstrap.aws_client("sqs"), get_settings().publish_queue)


@lru_cache(maxsize=1)
def once() -> PowertoolsOnce:
    from chalicelib.adapters.idempotency import PowertoolsOnce

    return PowertoolsOnce(bootstrap.dynamodb(), bootstrap.table_name())


@lru_cache(maxsize=1)
def ledger() -> Any:
    from chalicelib.adapters.idempotency import DynamoSendLedger

    return DynamoSendLedger(bootstrap.dynamodb(), bootstrap.table_name())


@lru_cache(maxsize=1)
def channels() -> ChannelDirectory:
    from chalicelib import secrets

    return ChannelDirectory(bootstrap.workflow(), secrets.resolve)


def dispatch() -> Dispatch:
    from chalicelib.services.publishing import Dispatch

    return Dispatch(repo=bootstrap.repository(), workflow=bootstrap.workflow(), clock=bootstrap.now,
                    queue=queue(), control=bootstrap.control_store())


def worker() -> Worker:
    from chalicelib.services.publication import Worker

    return Worker(repo=bootstrap.repository(), workflow=bootstrap.workflow(), clock=bootstrap.now,
                  control=bootstrap.control_store(), channels=channels(), ledger=ledger(),
                  once=once())


bootstrap._RESET_HOOKS.extend([queue.cache_clear, once.cache_clear, ledger.cache_clear,
                               channels.cache_clear])
