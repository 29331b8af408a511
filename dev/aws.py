"""The local AWS: moto's server in its own process (`python -m dev.aws --port P`).

Our own entry point instead of `moto_server`, for three reasons: the request log stays quiet
(the ticker polls SQS every second; a log line per poll would drown what the product says),
SQS gets fast enough for a backlog of a thousand messages, and moto's application is served by
waitress (``LocalAws``), which keeps connections open as AWS's endpoints do.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import signal
import threading
import time
from datetime import datetime
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

    # 3. A long poll (WaitTimeSeconds) ends when a message becomes receivable, as SQS's does:
    #    moto wakes it only for a newly sent message, so a delayed message (DelaySeconds) or
    #    one whose visibility timeout ran out waited up to the poll's end or another 1 s.
    def wait_for_messages(self: Any, timeout: float) -> None:
        deadline = time.time() + timeout
        with self._messages_lock:
            while not self.messages:
                now = time.time()
                soonest = min((max(m.visible_at, m.delayed_until) / 1000.0 for m in self._messages),
                              default=deadline)
                wake = min(deadline, max(soonest, now + 0.005))
                if now >= deadline:
                    return
                self._messages_lock.wait(wake - now)

    sqs_models.Queue.wait_for_messages = wait_for_messages  # type: ignore[method-assign]


def post_policy_problem(form: dict[str, str], bucket: str, size: int,
                        now: float | None = None) -> tuple[int, str, str] | None:
    """What S3 answers to a browser's POST upload that breaks its signed policy (expired, a
    field not as the conditions say, a file outside ``content-length-range``), as (status,
    code, message); None when the policy holds or there is none."""
    fields = {key.lower(): value for key, value in form.items()}
    fields["bucket"] = bucket
    if "policy" not in fields:
        return None
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        expires = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
        conditions = list(policy.get("conditions") or [])
    except (ValueError, KeyError, TypeError):
        return 400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON."
    if expires.timestamp() < (time.time() if now is None else now):
        return 403, "AccessDenied", "Invalid according to Policy: Policy expired."
    for condition in conditions:
        if isinstance(condition, dict):
            ((name, wanted),) = condition.items()
            condition = ["eq", f"${name}", wanted]
        operator = str(condition[0]).lower()
        if operator == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                return 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
            if size < low:
                return 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
            continue
        value = fields.get(str(condition[1]).lstrip("$").lower(), "")
        held = value == condition[2] if operator == "eq" else value.startswith(str(condition[2]))
        if not held:
            return 403, "AccessDenied", ("Invalid according to Policy: Policy Condition failed: "
                                         + json.dumps(condition))
    return None


def _s3_post_policy() -> None:
    """moto stores whatever a browser POSTs to a bucket; S3 first holds it to the presigned
    POST's policy. The upload's type and size limits are part of what Freigabe promises, so
    the local S3 enforces them too (the signature itself stays unchecked, as everywhere in moto)."""
    from moto.s3.responses import S3Response

    original = S3Response._bucket_response_post
    if getattr(original, "enforces_post_policy", False):
        return

    def checked(self: Any, request: Any, bucket_name: str) -> Any:
        form = {key: values[0] for key, values in (self.querystring or {}).items()
                if isinstance(values, list) and values and isinstance(values[0], str)}
        body = self.body if isinstance(self.body, bytes) else str(self.body or "").encode()
        problem = post_policy_problem(form, bucket_name, len(body)) if "policy" in form else None
        if problem is None:
            return original(self, request, bucket_name)
        status, code, message = problem
        return status, {"Content-Type": "application/xml"}, (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>")

    checked.enforces_post_policy = True  # type: ignore[attr-defined]
    S3Response._bucket_response_post = checked  # type: ignore[method-assign]


def prepare_moto() -> None:
    """What every in-process moto here needs: DynamoDB transactions isolated and checked
    before writing (as DynamoDB does them), SQS that does not rescan its queue on each
    message, S3 that holds a browser's upload to its presigned POST policy, and a Query that
    reads one partition instead of sorting the table. Used by the local stack, the tests and
    the benchmarks alike."""
    from dev import moto_speed, moto_transactions

    moto_transactions.install()
    try:
        moto_speed.install()
    except (ImportError, AttributeError) as err:
        print(f"DynamoDB partition reads not applied ({err}); queries slow as the table grows",
              flush=True)
    try:
        _s3_post_policy()
    except (ImportError, AttributeError) as err:
        print(f"S3 POST policy check not applied ({err}); uploads are not limited locally",
              flush=True)
    try:
        _quicker_sqs()
    except (ImportError, AttributeError) as err:
        # Another moto version may have moved things; slow beats broken.
        print(f"SQS speed-up not applied ({err}); large queues will drain slowly", flush=True)


class LocalAws:
    """moto's application (every service it emulates) served by waitress on a background
    thread; ``start``, ``stop`` and ``port`` as moto's ThreadedMotoServer has them.

    Why not moto's own server: it is werkzeug's development server, which closes the
    connection after every request and starts a thread for each new one. Under the load of a
    thousand posts a minute that took a third of the emulator's time (connect, a thread, then
    close), and botocore on the other side paid for a new connection each request too.
    waitress keeps botocore's connections alive and answers from a fixed pool of threads:
    the same 8 clients made 358-467 requests a second instead of 264-324. ``threads`` must
    cover every long poll that may wait at once (SQS receives, held up to their wait time)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, threads: int = 64) -> None:
        self._host, self._port, self._threads = host, port, threads
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from waitress.server import create_server

        # "Task queue depth" warnings: a request that waits for a free thread is normal here.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._server = create_server(
            DomainDispatcherApplication(create_backend_app), host=self._host, port=self._port,
            threads=self._threads, connection_limit=2000, channel_timeout=120,
            asyncore_use_poll=True,  # select() stops at file descriptor 1024
            ident="local-aws")
        self._thread = threading.Thread(target=self._server.run, name="local-aws", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def endpoint(self) -> str:
        return f"http://{self._host}:{self.port}"

    def stop(self) -> None:
        if self._server is None:
            return
        from waitress import wasyncore

        self._server.task_dispatcher.shutdown(timeout=2)
        wasyncore.close_all(self._server._map)  # the loop ends when it has no sockets left
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    prepare_moto()
    server = LocalAws(args.host, args.port)
    server.start()
    print(f"moto {version('moto')} serving on http://{args.host}:{args.port}", flush=True)

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    server.stop()


if __name__ == "__main__":
    main()
