"""The publish queue's worker: one batch of publications, sent at the same time, failed records
reported for redelivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib import bootstrap

# A network call may take this long (timeouts and waits of the channel's HTTP client); a record
# that starts with less of the invocation left is handed back to the queue instead.
SEND_MARGIN_MS = 25_000
# A batch's records are handled at the same time, each in a thread of its own (the batch size of
# the queue's event source, app.py): one after another, the tenth post of a batch would wait for
# nine networks to answer (100-500 ms each) and miss its second.
MAX_AT_ONCE = 10


def publish_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if not event.get("Records"):
        return {"batchItemFailures": []}
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    from chalicelib import observability
    from chalicelib.adapters.sqs import record_model
    from chalicelib.services import delivery

    observability.bind(context)
    container = bootstrap.container()
    container.once.register_lambda_context(context)
    deps = container.delivery()
    may_wait = time_guard(context)

    def handle(record: Any) -> str:  # a record_model() instance, built at run time
        receives = int(record.attributes.ApproximateReceiveCount or 1)
        return delivery.deliver(deps, record.body.publication(), receive_count=receives,
                                may_wait=may_wait)

    class AtOnce(BatchProcessor):
        """Powertools' SQS processor, its records handled concurrently. A post's channels may
        then be recorded at the same moment, as by two invocations: its saves are conditional
        on its version, and the loser reads the post again (services/conflicts.py)."""

        def process(self) -> list[tuple[Any, ...]]:
            if len(self.records) < 2:
                return super().process()
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(len(self.records), MAX_AT_ONCE),
                                    thread_name_prefix="publish") as pool:
                return list(pool.map(self._process_record, self.records))

    processor = AtOnce(event_type=EventType.SQS, model=record_model(),
                       raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor,
                                         context=context))


def time_guard(context: Any) -> Callable[[], bool]:
    """Whether a record may still start a network call in this invocation."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None or remaining() <= SEND_MARGIN_MS:
        # No budget worth protecting from the start (a test's short context): never refuse.
        return lambda: True
    return lambda: bool(remaining() > SEND_MARGIN_MS)
