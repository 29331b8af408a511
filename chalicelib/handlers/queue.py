"""The publish queue's worker: one batch of publications, sent at the same time, failed records
reported for redelivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib import bootstrap

# A network call may take this long (timeouts and waits of the channel's HTTP client); a record
# that starts with less of the invocation left is handed back to the queue instead.
SEND_MARGIN_MS = 25_000
# A batch's posts are handled at the same time, each in a thread of its own (up to the batch size
# of the queue's event source, app.py): one after another, the tenth post of a batch would wait
# for nine networks to answer (100-500 ms each) and miss its second.
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
        """Powertools' SQS processor, its posts handled concurrently: the records of one post
        (its channels) one after another, each post in a thread of its own. Two channels of a
        post recorded at the same moment would both write the post, and one of them, refused
        by the version condition, would read and write it again (services/conflicts.py): safe,
        but a read and two writes more per post."""

        def process(self) -> list[tuple[Any, ...]]:
            posts = by_post(self.records)
            if len(posts) < 2:
                return super().process()
            from concurrent.futures import ThreadPoolExecutor

            def one_post(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
                return [self._process_record(record) for record in records]

            with ThreadPoolExecutor(max_workers=min(len(posts), MAX_AT_ONCE),
                                    thread_name_prefix="publish") as pool:
                return [result for done in pool.map(one_post, posts) for result in done]

    processor = AtOnce(event_type=EventType.SQS, model=record_model(),
                       raise_on_entire_batch_failure=False)
    return dict(process_partial_response(event=event, record_handler=handle, processor=processor,
                                         context=context))


def by_post(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The batch's records grouped by the post their body names, in their order (a body that
    cannot be read is a group of its own: the processor reports it failed)."""
    import json

    groups: dict[object, list[dict[str, Any]]] = {}
    for n, record in enumerate(records):
        try:
            key: object = str(json.loads(record.get("body") or "")["post_id"])
        except (ValueError, TypeError, KeyError):
            key = n
        groups.setdefault(key, []).append(record)
    return list(groups.values())


def time_guard(context: Any) -> Callable[[], bool]:
    """Whether a record may still start a network call in this invocation."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None or remaining() <= SEND_MARGIN_MS:
        # No budget worth protecting from the start (a test's short context): never refuse.
        return lambda: True
    return lambda: bool(remaining() > SEND_MARGIN_MS)
