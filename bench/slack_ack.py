"""Acknowledgement latency of a signed Approve click: the app served over HTTP (chalice's
local server), DynamoDB on the local emulator (moto's server over HTTP), Slack's Web API on
the dev workspace. 200 clicks on 200 different posts; p50 and p99 from the moment the
request is sent until Slack would have its answer. Budget p99 300 ms (Slack allows 3000).

Each click runs against a table that holds just its post (the table is recreated between
clicks, outside the measurement): moto's TransactWriteItems deep-copies the whole table and
its stream for every item of a transaction, so on the emulator a write costs more the more
the table holds (about 350 ms at 400 items), which DynamoDB's does not. `growing_p50_ms`
shows that emulator effect: the same click with `GROWING` posts already in the table.

Runs inside `make bench` (bench/__main__ points the environment at the emulator) or alone:
`python -m bench.slack_ack` starts its own emulator.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CLICKS = 200
BUDGET_P99_MS = 300.0
REVIEWER = "U0BRAND1"
GROWING = 50


def percentile(samples: list[float], share: float) -> float:
    """Nearest rank: the smallest sample at or above that share of all samples."""
    ordered = sorted(samples)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def _emulator() -> Iterator[None]:
    """moto's server, unless the environment already points at one."""
    if os.environ.get("AWS_ENDPOINT_URL"):
        yield
        return
    import socket

    from dev.aws import LocalAws, prepare_moto

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    prepare_moto()
    server = LocalAws("127.0.0.1", port)
    server.start()
    try:
        with _environment({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "bench",
                           "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-central-1",
                           "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}):
            yield
    finally:
        server.stop()


def _serve_app(port: int) -> Any:
    import functools

    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, create_local_server

    import app as application

    class Quiet(ChaliceRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    config = Config.create(chalice_stage="local", app_name="freigabe", function_name="api_handler",
                           lambda_timeout=60)
    server = create_local_server(application.app, config, "127.0.0.1", port)
    server.server.RequestHandlerClass = functools.partial(Quiet, app_object=application.app, config=config)
    threading.Thread(target=server.server.serve_forever, name="bench-chalice", daemon=True).start()
    return server


def _click_body(post: Any) -> bytes:
    value = json.dumps({"p": post.id, "s": "brand", "h": post.content_hash}, separators=(",", ":"))
    payload = {
        "type": "block_actions", "user": {"id": REVIEWER, "name": "bruno.brand"},
        "team": {"id": "T0FREIGABE"}, "api_app_id": "A0FREIGABE", "trigger_id": f"1.{post.id}",
        "container": {"type": "message", "channel_id": "C0BRAND", "message_ts": "1.000001"},
        "channel": {"id": "C0BRAND", "name": "brand"},
        "actions": [{"action_id": "freigabe_approve", "block_id": f"freigabe:{post.id}:brand",
                     "type": "button", "value": value, "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def run(clicks: int = CLICKS) -> dict[str, Any]:
    import boto3
    import requests

    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.schema import table_definition
    from chalicelib.adapters.slack.signature import sign
    from chalicelib.services import writing
    from chalicelib.services.ports import Identity
    from chalicelib.settings import PUBLISH_QUEUE
    from dev.resources import ensure_queues, suffixed
    from dev.slack_workspace import DEV_BOT_TOKEN, DEV_SIGNING_SECRET, start_in_thread

    with _emulator():
        table = f"freigabe-slack-ack-{uuid.uuid4().hex[:8]}"
        boto3.client("dynamodb").create_table(**table_definition(table))
        # Each click is the last approval of a post without a time: it also claims the post
        # and queues it (services/review.take_if_due), so the queue must be there.
        suffix = table.rsplit("-", 1)[-1]
        ensure_queues(boto3.client("sqs"), suffix=suffix)
        queue = suffixed(PUBLISH_QUEUE, suffix)
        workspace = start_in_thread("http://127.0.0.1:9/slack/events")
        env = {"FREIGABE_TABLE": table, "FREIGABE_PUBLISH_QUEUE": queue,
               "SLACK_BOT_TOKEN": DEV_BOT_TOKEN,
               "SLACK_SIGNING_SECRET": DEV_SIGNING_SECRET, "SLACK_API_URL": workspace.api_url,
               "FREIGABE_CONFIG": os.environ.get("FREIGABE_CONFIG",
                                                 str(ROOT / "tests" / "fixtures" / "workflow.toml"))}
        try:
            with _environment(env):
                bootstrap.reset()
                import socket

                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", 0))
                    port = int(sock.getsockname()[1])
                server = _serve_app(port)
                url = f"http://127.0.0.1:{port}/slack/events"
                ctx = bootstrap.container().context()
                dynamodb = boto3.client("dynamodb")
                writer = Identity("writer@freigabe.example", "Wanda Writer")
                http = requests.Session()

                def new_post(n: int) -> Any:
                    return writing.create(ctx, writer, writing.Draft(text=f"Hallo {n}", channels=["outbox"]))

                def click(post: Any) -> tuple[int, float]:
                    body = _click_body(post)
                    stamp = str(int(time.time()))
                    headers = {"Content-Type": "application/x-www-form-urlencoded",
                               "X-Slack-Request-Timestamp": stamp,
                               "X-Slack-Signature": sign(DEV_SIGNING_SECRET, stamp, body)}
                    started = time.perf_counter()
                    response = http.post(url, data=body, headers=headers, timeout=30)
                    return response.status_code, (time.perf_counter() - started) * 1000

                def fresh_table() -> None:
                    dynamodb.delete_table(TableName=table)
                    dynamodb.create_table(**table_definition(table))

                # The container's first request builds the Bolt app and asks auth.test once;
                # a cold start is measured by bench/cold_start, not here.
                click(new_post(0))
                results, scheduled = [], 0
                for n in range(clicks):
                    fresh_table()
                    post = new_post(n)
                    results.append(click(post))
                    # approved and, having no time, claimed and queued at once
                    scheduled += bootstrap.container().repository.get(post.id).status.value == "publishing"
                fresh_table()
                crowd = [new_post(n) for n in range(GROWING)]
                growing = [click(post)[1] for post in crowd[-10:]]
                server.shutdown()
        finally:
            workspace.stop()
            boto3.client("dynamodb").delete_table(TableName=table)
            bootstrap.reset()
    latencies = [ms for _, ms in results]
    p99 = percentile(latencies, 0.99)
    return {
        "clicks": clicks,
        "answered_200": sum(status == 200 for status, _ in results),
        "decisions_recorded": scheduled,
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(max(latencies), 1),
        "growing_p50_ms": round(statistics.median(growing), 1),
        "budget_p99_ms": BUDGET_P99_MS,
        "within_budget": p99 <= BUDGET_P99_MS and scheduled == clicks,
    }


def report(figures: dict[str, Any]) -> str:
    verdict = "within" if figures["within_budget"] else "OVER"
    return (f"slack_ack: signed Approve click acknowledged, {figures['clicks']} clicks on as many posts\n"
            f"  p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms "
            f"({verdict} the p99 budget of {figures['budget_p99_ms']:.0f} ms)\n"
            f"  answered 200: {figures['answered_200']}, decisions recorded (each the last "
            f"approval, so the post was also claimed and queued): {figures['decisions_recorded']}\n"
            f"  with {GROWING} posts in the table: p50 {figures['growing_p50_ms']} ms")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    print(report(run()))
