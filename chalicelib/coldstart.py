"""Python's cyclic garbage collector during a Lambda container's cold start.

A cold start builds hundreds of thousands of long-lived objects (modules, classes, pydantic
schemas, botocore's service models, Bolt's app), and the collector walks all of them again and
again while they are being built: about 30 ms of CPU during the import and, on the first
request, full collections of 35-75 ms each, at 512 MB's CPU share 0.1-0.27 s of a click's
3-second window. Warm requests then paid for a full collection of that heap now and then
(the p99 of `/freigabe status` at 512 MB: 63-82 ms against a p50 of 10 ms).

So, in Lambda only, the collector waits until the first invocation has been answered; then
everything alive is moved to the permanent generation (``gc.freeze``), which later
collections skip, and collecting resumes for what requests create. Functions nobody waits on
(schedules, queues, the stream) collect once before freezing; for the API the cost is that
the cyclic garbage of the import and the first request is never freed (a cold Slack click:
about 450 objects, 140 KiB, once per container; `FREIGABE_BENCH_TRACE` in bench/lambda_cold).
Locally, in tests and under ``chalice local`` nothing changes.
"""

from __future__ import annotations

import gc
import os

_held = False


def begin() -> None:
    """The first thing the entry module does: hold the collector, in Lambda only."""
    global _held
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and gc.isenabled():
        gc.disable()
        _held = True


def settle(*, collect: bool = False) -> None:
    """After each invocation (only the first does anything): freeze what the cold start built
    and let the collector run again. ``collect``: first free the cyclic garbage the first
    invocation left (a tick over a thousand posts, a batch of fifty changes), where nobody
    waits for the answer; an HTTP request's answer is not sent before this returns, so there
    the little garbage of one request stays."""
    global _held
    if _held:
        _held = False
        if collect:
            gc.collect()
        gc.freeze()
        gc.enable()


def held() -> bool:
    return _held
