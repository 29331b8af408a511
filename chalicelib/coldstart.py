"""Python's cyclic garbage collector during a Lambda container's cold start.

A cold start builds some 90,000 long-lived objects the collector tracks (modules, classes,
pydantic schemas, botocore's service models, Bolt's app), and it walked them again and again
while they were being built: 56-60 ms of a cold Slack click's CPU at 1,769 MB (bench
lambda_cold, gc.callbacks), and full collections of 0.12-0.27 s each during the first request
at 512 MB's CPU share, out of the click's 3-second window.

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
