"""The local AWS: moto's server in its own process (`python -m dev.aws --port P`).

Our own entry point instead of `moto_server`, for two reasons: the request log stays quiet
(the ticker polls SQS every second; a log line per poll would drown what the product says),
and SQS gets fast enough for a backlog of a thousand messages.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from importlib.metadata import version
from typing import Any


def _quicker_sqs() -> None:
    """moto 5.2's SQS is quadratic in the queue's depth: every send and every received
    message computes all queue attributes, three of which scan the whole queue, reading the
    clock through datetime arithmetic for each message. A backlog of 1,000 took a minute to
    drain; with these two substitutions, which give the same results, it takes two seconds."""
    import moto.sqs.models as sqs_models
    from moto.core.utils import unix_time, unix_time_millis

    # 1. The clock, read directly: moto only goes through datetime so freezegun can stop it,
    #    and nothing freezes time in a server.
    def now_seconds(dt: Any = None) -> float:
        return time.time() if dt is None else unix_time(dt)

    def now_millis(dt: Any = None) -> float:
        return time.time() * 1000.0 if dt is None else unix_time_millis(dt)

    sqs_models.unix_time = now_seconds
    sqs_models.unix_time_millis = now_millis

    # 2. The retention check of each received message reads the one attribute it needs.
    backend = sqs_models.SQSBackend
    original = backend.is_message_valid_based_on_retention_period

    def is_valid(self: Any, queue_name: str, message: Any) -> bool:
        period = getattr(self.get_queue(queue_name), "message_retention_period", None)
        if not isinstance(period, int) or message.sent_timestamp is None:
            return original(self, queue_name, message)  # type: ignore[no-any-return]
        return period + message.sent_timestamp / 1000 > now_seconds()

    backend.is_message_valid_based_on_retention_period = is_valid  # type: ignore[method-assign]


def prepare_moto() -> None:
    """What every in-process moto here needs: DynamoDB transactions isolated and checked
    before writing (as DynamoDB does them), and SQS that does not rescan its queue on each
    message. Used by the local stack, the tests and the benchmarks alike."""
    from dev import moto_transactions

    moto_transactions.install()
    try:
        _quicker_sqs()
    except (ImportError, AttributeError) as err:
        # Another moto version may have moved things; slow beats broken.
        print(f"SQS speed-up not applied ({err}); large queues will drain slowly", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    # werkzeug logs every request at INFO; failures inside moto still arrive at ERROR.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from moto.server import ThreadedMotoServer

    prepare_moto()
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    print(f"moto {version('moto')} serving on http://{args.host}:{args.port}", flush=True)

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    server.stop()


if __name__ == "__main__":
    main()
