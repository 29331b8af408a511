"""What it costs (issue 12 item 6): the AWS bill per 1,000 published posts (two reviewers, two
channels) and the standing monthly cost of an idle deployment, from requests counted here and
the list prices in bench/prices.toml.

Measured: the DynamoDB and SQS requests of each post's life, with the sizes of the items they
carry (botocore hooks on the app's own clients), the Lambda invocations the local stack makes
(the API, the stream relay, the worker, as dev.sources feeds them) and their wall time, and the
tick's requests. Estimated (said so in the report): Lambda time is the wall time on this
machine against the emulator times 512 MB; Slack's part (two clicks: API Gateway, the ack and
Bolt's lazy self-invocation; the notifier's ref reads and writes per hop) is counted from the
design, not run; log bytes are the log lines at INFO times a typical JSON line; SQS requests
of Lambda's idle pollers follow AWS's description of its long-polling pollers.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTS = 5
MEMORY_GB = 0.5
LOG_LINE_BYTES = 450  # a Powertools JSON line with service, function and cold-start fields
LAMBDA_PLATFORM_LOG_BYTES = 350  # START, END and REPORT lines per invocation
SLACK_CLICKS = 2  # one approval per reviewer
SLACK_HOP_READS, SLACK_HOP_WRITES = 1, 1  # the notifier's refs per relayed change (lifecycle bench)
IDLE_POLLERS = 5  # Lambda's SQS event source polls with five long-polling connections
LONG_POLL_SECONDS = 20
MINUTES_A_MONTH = 30 * 24 * 60
# A post with a publish time: the queue's delay is the nearest whole second, so half of the
# messages arrive up to half a second early and the worker waits that out: 0.125 s on average,
# once per post (its channels' messages come in one batch). Estimated, not run: the posts
# measured here have no time.
WAIT_FOR_THE_SECOND_S = 0.125


class Meter:
    """Requests and capacity units, from the parameters and answers of each call."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self.requests: Counter[str] = Counter()
        self.read_units = 0.0
        self.write_units = 0.0
        for client in clients.values():
            client.meta.events.register("before-parameter-build.*.*", self._before)
            client.meta.events.register("after-call.dynamodb.*", self._after)

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        self.requests[f"{service}:{model.name}"] += 1
        if service != "dynamodb":
            return
        if model.name == "TransactWriteItems":
            # Two units per KB of each item written in a transaction.
            self.write_units += sum(2 * _kb(_size(next(iter(i.values())))) for i in params["TransactItems"])
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.write_units += _kb(_size(params))
        elif model.name == "BatchWriteItem":
            self.write_units += sum(_kb(_size(r)) for rs in params["RequestItems"].values() for r in rs)

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name in ("GetItem", "Query", "BatchGetItem", "TransactGetItems"):
            size = _size(parsed.get("Item") or parsed.get("Items") or parsed.get("Responses") or {})
            units = max(1, math.ceil(size / 4096))
            self.read_units += units * (2 if model.name == "TransactGetItems" else 1)

    def take(self) -> tuple[Counter[str], float, float]:
        taken = (Counter(self.requests), self.read_units, self.write_units)
        self.requests.clear()
        self.read_units = self.write_units = 0.0
        return taken


def _size(value: Any) -> int:
    return len(repr(value).encode("utf-8"))


def _kb(size: int) -> int:
    return max(1, math.ceil(size / 1024))


class LogLines:
    """Counts the app's log lines at INFO and above, as Lambda would ship them."""

    def __init__(self) -> None:
        import logging

        self.lines = 0
        meter = self

        class Count(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                meter.lines += 1

        self._handler = Count(logging.INFO)
        self._logger = logging.getLogger("freigabe")
        self._level = self._logger.level
        self._logger.addHandler(self._handler)
        self._logger.setLevel(logging.INFO)

    def close(self) -> None:
        self._logger.removeHandler(self._handler)
        self._logger.setLevel(self._level)


def run() -> dict[str, Any]:
    """Needs the environment of bench/__main__ (a moto server). A table of its own: the idle
    tick must find nothing the other benchmarks left behind (their clicks queue posts that
    nobody publishes, which the recovery would send again)."""
    import uuid

    import boto3

    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.schema import table_definition
    from chalicelib.settings import Settings
    from dev.resources import ensure_queues

    tmp = Path(tempfile.mkdtemp(prefix="freigabe-cost-"))
    config = tmp / "workflow.toml"
    text = (ROOT / "tests" / "fixtures" / "workflow.toml").read_text()
    text = text.replace('path = ".freigabe/test-outbox.jsonl"', f'path = "{tmp / "outbox.jsonl"}"')
    config.write_text(text + f'\n[channels.archive]\ntype = "outbox"\npath = "{tmp / "archive.jsonl"}"\n')
    queue = Settings.model_fields["publish_queue"].default
    sqs = boto3.client("sqs")
    for url in ensure_queues(sqs).values():
        sqs.purge_queue(QueueUrl=url)  # what other benchmarks queued is not this bill's
    table = f"freigabe-cost-{uuid.uuid4().hex[:8]}"
    boto3.client("dynamodb").create_table(**table_definition(table))
    saved = {k: os.environ.get(k) for k in ("FREIGABE_CONFIG", "FREIGABE_STREAM_SINCE", "FREIGABE_TABLE")}
    os.environ.update(FREIGABE_CONFIG=str(config), FREIGABE_STREAM_SINCE=str(time.time()),
                      FREIGABE_TABLE=table)
    bootstrap.reset()
    try:
        return _measure(queue)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        bootstrap.reset()


def _measure(queue: str) -> dict[str, Any]:
    import json
    import threading

    from chalice.app import DynamoDBEventConfig, SQSEventConfig
    from chalice.test import Client

    import app as application
    from chalicelib import bootstrap
    from chalicelib.domain.post import Reviewer
    from chalicelib.services import review
    from chalicelib.services.bus import Dispatcher
    from dev.invoker import Invoker
    from dev.sources import QueueSource, StreamSource
    from dev.ticker import load_chalice_config

    container = bootstrap.container()
    container.__dict__["bus"] = Dispatcher([])  # Slack's share is counted from the design
    clients = {name: container.aws(name) for name in ("dynamodb", "sqs")}
    meter = Meter(clients)
    logs = LogLines()
    invocations: Counter[str] = Counter()
    seconds: defaultdict[str, float] = defaultdict(float)

    class Recording(Invoker):
        def invoke(self, name: str, event: dict[str, Any]) -> tuple[object, str | None, int]:
            result, failure, ms = super().invoke(name, event)
            invocations[name] += 1
            seconds[name] += ms / 1000
            return result, failure, ms

    invoker = Recording(application.app, "eu-central-1", "123456789012", load_chalice_config())
    stream_config = next(c for c in application.app.event_sources if isinstance(c, DynamoDBEventConfig))
    sqs_config = next(c for c in application.app.event_sources if isinstance(c, SQSEventConfig))
    assert sqs_config.queue == queue, "the worker listens on the queue the tick sends to"
    def quiet(_line: str) -> None:
        pass

    stream = StreamSource(stream_config, invoker, container.aws, container.table, quiet)
    worker = QueueSource(sqs_config, invoker, container.aws("sqs"), quiet)
    stopping = threading.Event()

    def settle() -> None:
        for _ in range(6):
            stream.poll(stopping)
            worker.poll(stopping)

    stream.poll(stopping)  # the shard iterators, before the first post
    meter.take()
    ctx = container.context()
    published = 0
    with Client(application.app, stage_name="local") as client:
        for n in range(POSTS):
            started = time.perf_counter()
            response = client.http.post(
                "/api/posts", headers={"Content-Type": "application/json",
                                       "X-Freigabe-User": "wanda.writer@freigabe.example"},
                body=json.dumps({"text": f"Rabatt im Advent {n}", "channels": ["outbox", "archive"]}))
            post = json.loads(response.body)
            assert response.status_code == 201, post
            invocations["api"] += 1
            seconds["api"] += time.perf_counter() - started
            settle()
            for step, reviewer in (("legal", Reviewer("U0LEGAL1", "legal1@freigabe.example")),
                                   ("brand", Reviewer("U0BRAND1", "brand@freigabe.example"))):
                started = time.perf_counter()
                review.decide(ctx, post["id"], step, reviewer, "approve", post["content_hash"])
                invocations["slack (ack + lazy)"] += 2
                seconds["slack (ack + lazy)"] += time.perf_counter() - started
                settle()
            settle()
            published += container.repository.get(post["id"]).status.value == "published"
    requests, read_units, write_units = meter.take()
    lines = logs.lines
    logs.close()
    # The tick, idle: what a deployment pays every minute with nothing to publish.
    from chalicelib.handlers.schedule import publish_due

    started = time.perf_counter()
    publish_due()
    tick_seconds = time.perf_counter() - started
    tick_requests, tick_reads, tick_writes = meter.take()
    return {"posts": POSTS, "published": published, "requests": dict(requests),
            "read_units": read_units, "write_units": write_units,
            "invocations": dict(invocations), "seconds": dict(seconds), "log_lines": lines,
            "tick": {"seconds": tick_seconds, "requests": dict(tick_requests),
                     "read_units": tick_reads, "write_units": tick_writes}}


def prices() -> dict[str, Any]:
    with (Path(__file__).parent / "prices.toml").open("rb") as handle:
        return tomllib.load(handle)


def bill(figures: dict[str, Any], price: dict[str, Any]) -> dict[str, Any]:
    """USD per 1,000 published posts, by service, and the standing monthly cost."""
    per = 1000 / figures["posts"]
    million = 1_000_000
    invocations = sum(figures["invocations"].values())
    gb_s = sum(figures["seconds"].values()) * MEMORY_GB
    sqs_requests = sum(n for k, n in figures["requests"].items() if k.startswith("sqs:")
                       and k != "sqs:GetQueueUrl")
    hops = figures["invocations"].get("relay_changes", 0)
    read_units = figures["read_units"] + hops * SLACK_HOP_READS
    write_units = figures["write_units"] + hops * SLACK_HOP_WRITES
    log_bytes = figures["log_lines"] * LOG_LINE_BYTES + invocations * LAMBDA_PLATFORM_LOG_BYTES
    per_post = {
        "lambda": per * (gb_s * price["lambda"]["gb_second"]
                         + invocations * price["lambda"]["per_million_requests"] / million),
        "api_gateway": 1000 * (1 + SLACK_CLICKS) * price["api_gateway"]["rest_per_million_requests"]
        / million,
        "dynamodb": per * (read_units * price["dynamodb"]["per_million_read_units"]
                           + write_units * price["dynamodb"]["per_million_write_units"]) / million,
        "sqs": per * sqs_requests * price["sqs"]["per_million_requests"] / million,
        "cloudwatch_logs": per * log_bytes / 1e9 * price["cloudwatch"]["logs_ingest_per_gb"],
    }
    tick = figures["tick"]
    ticks = MINUTES_A_MONTH + MINUTES_A_MONTH // 15  # the tick and the reminders
    idle_receives = IDLE_POLLERS * MINUTES_A_MONTH * 60 / LONG_POLL_SECONDS
    alarms = _alarms()
    standing = {
        "lambda (tick, reminders)": ticks * (tick["seconds"] * MEMORY_GB * price["lambda"]["gb_second"]
                                             + price["lambda"]["per_million_requests"] / million),
        "dynamodb (tick)": MINUTES_A_MONTH * (
            tick["read_units"] * price["dynamodb"]["per_million_read_units"]
            + tick["write_units"] * price["dynamodb"]["per_million_write_units"]) / million,
        "sqs (idle long polls)": idle_receives * price["sqs"]["per_million_requests"] / million,
        f"alarms ({alarms})": alarms * price["cloudwatch"]["alarm_per_month"],
        "logs (tick lines, ingest)": ticks * (LOG_LINE_BYTES + LAMBDA_PLATFORM_LOG_BYTES) / 1e9
        * price["cloudwatch"]["logs_ingest_per_gb"],
        "secrets (SSM standard SecureString)": price["ssm"]["standard_parameter_per_month"],
    }
    return {"per_1000": per_post, "per_1000_total": sum(per_post.values()),
            "standing": standing, "standing_total": sum(standing.values())}


def _alarms() -> int:
    import json

    template = json.loads((ROOT / "infra" / "template.json").read_text())
    return sum(1 for r in template["Resources"].values() if r.get("Type") == "AWS::CloudWatch::Alarm")


def report(figures: dict[str, Any]) -> str:
    price = prices()
    cost = bill(figures, price)
    per_post = {k: round(v / figures["posts"], 1) for k, v in figures["invocations"].items()}
    lines = [f"Cost per 1,000 published posts (two reviewers, two channels), {price['region']} "
             f"list prices of {price['taken']} (bench/prices.toml); from {figures['posts']} posts, "
             f"{figures['published']} published",
             f"  invocations per post: {per_post}",
             f"  DynamoDB per post: {figures['read_units'] / figures['posts']:.1f} read units, "
             f"{figures['write_units'] / figures['posts']:.1f} write units (+ Slack's refs, estimated)"]
    for name, usd in cost["per_1000"].items():
        lines.append(f"  {name:32s} ${usd:.4f}")
    total = cost["per_1000_total"]
    lines.append(f"  total ${total:.4f} per 1,000 posts (goal <= $0.10: {'yes' if total <= 0.10 else 'NO'})")
    waiting = 1000 * WAIT_FOR_THE_SECOND_S * MEMORY_GB * price["lambda"]["gb_second"]
    timed = total + waiting
    lines.append(f"  with a publish time: + ${waiting:.4f} (the worker waits {WAIT_FOR_THE_SECOND_S:g} s "
                 f"on average for the post's second) = ${timed:.4f} "
                 f"(goal <= $0.10: {'yes' if timed <= 0.10 else 'NO'})")
    lines.append("Standing cost of an idle deployment, a month")
    for name, usd in cost["standing"].items():
        lines.append(f"  {name:36s} ${usd:.3f}")
    standing = cost["standing_total"]
    lines.append(f"  total ${standing:.2f} a month (goal <= $1: {'yes' if standing <= 1 else 'NO'})")
    lines.append("  estimates: Lambda time is wall time here against the emulator; Slack's share, "
                 "log bytes and idle SQS polls are counted from the design (see bench/cost.py)")
    return "\n".join(lines)
