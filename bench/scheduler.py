"""The scheduler at scale on the local stack (moto over HTTP).

1. Items read per tick: 10,000 stored posts, 100 of them due. Items returned by Query and
   GetItem are counted with a botocore event hook on the app's own DynamoDB client; the due
   index must hand the tick exactly the due posts, whatever else is stored.
2. Dispatch: 1,000 due posts through the publish queue to the outbox file: the tick claims
   them and sends the messages while four workers drain the queue as Lambda's poller would.

It starts its own moto process, as `make run` does; ``python -m bench.scheduler`` runs it alone.
Seconds on moto measure the emulator as much as the code, so the figures that carry over to
AWS are the counts; times are for comparison between runs.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.domain.post import Post
    from chalicelib.domain.workflow import Workflow

ROOT = Path(__file__).resolve().parent.parent
STORED, DUE = 10_000, 100
DISPATCHED = 1_000
WORKERS = 4  # concurrent worker invocations, as Lambda scales a queue's consumers
GIVE_UP_SECONDS = 150
NOW = datetime.now(UTC).replace(microsecond=0)


class ItemCounter:
    """Items each read request returned, by operation and index."""

    def __init__(self, client: Any) -> None:
        self.items: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        client.meta.events.register("provide-client-params.dynamodb.*", self._remember)
        client.meta.events.register("after-call.dynamodb.*", self._count)

    def _remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_index"] = params.get("IndexName") or ""
        context["bench_key"] = str((params.get("Key") or {}).get("PK", {}).get("S", ""))

    def _count(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        self.requests[model.name] += 1
        if model.name == "Query":
            self.items[f"Query {context.get('bench_index') or 'table'}"] += len(parsed.get("Items", []))
        elif model.name == "GetItem" and "Item" in parsed:
            what = "control" if context.get("bench_key") == "CONTROL" else "post"
            self.items[f"GetItem {what}"] += 1

    def take(self) -> tuple[dict[str, int], dict[str, int]]:
        items, requests = dict(self.items), dict(self.requests)
        self.items.clear()
        self.requests.clear()
        return items, requests


def _approved_post(workflow: Workflow, post_id: str, publish_at: datetime) -> Post:
    from chalicelib.domain.content import Content
    from chalicelib.domain.post import Post, Reviewer

    content = Content(text=f"Beitrag {post_id}: Neues aus dem Laden", channels=("outbox",))
    post = Post.create(post_id, "wanda.writer@freigabe.example", "Wanda", content, publish_at,
                       publish_at - timedelta(days=1))
    post.submit(workflow, post.author, publish_at - timedelta(days=1))
    post.decide(workflow, "brand", Reviewer("U0BRAND1", "brand@freigabe.example"), "approve",
                post.content_hash, "", publish_at - timedelta(hours=20), frozenset({"U0BRAND1"}))
    return post


def seed(client: Any, table: str, workflow: Workflow, stored: int, due: int) -> list[str]:
    """``stored`` posts: ``due`` due now, each saved with its timeline; the rest written with
    BatchWriteItem, a fifth of them scheduled for later, the others published or in review.
    Returns the due posts' ids."""
    from chalicelib.adapters.dynamodb.repository import DynamoPostRepository
    from chalicelib.domain.status import Status

    repo = DynamoPostRepository(client, table)
    template = _approved_post(workflow, "template", NOW)
    due_ids, items = [], []
    for n in range(stored):
        post_id = f"b{n:06d}"
        if n < due:
            # Through the domain and a real save: the worker publishes only a post whose state
            # follows from its timeline, so the posts it will see carry their events.
            repo.save(_approved_post(workflow, post_id, NOW - timedelta(minutes=1 + n % 50)))
            due_ids.append(post_id)
            continue
        if n % 5 == 0:
            publish_at, status = NOW + timedelta(days=1 + n % 30), Status.SCHEDULED
        else:
            publish_at = NOW - timedelta(days=1 + n % 300)
            status = Status.PUBLISHED if n % 2 else Status.IN_REVIEW
        post = replace(template, id=post_id, publish_at=publish_at, status=status)
        # The repository's own item shape, so the indexes see exactly what saves produce.
        items.append(repo._post_item(post, 1))
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])
    return due_ids


@contextmanager
def environment() -> Iterator[dict[str, str]]:
    """A private table pair, queue pair, workflow and outbox; the process pointed at them."""
    import boto3

    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.schema import table_definition
    from chalicelib.settings import Settings
    from dev.resources import ensure_queues

    suffix = uuid.uuid4().hex[:8]
    tmp = Path(tempfile.mkdtemp(prefix="freigabe-bench-"))
    outbox = tmp / "outbox.jsonl"
    config = tmp / "workflow.toml"
    text = (ROOT / "tests" / "fixtures" / "workflow.toml").read_text()
    config.write_text(text.replace('path = ".freigabe/test-outbox.jsonl"', f'path = "{outbox}"'))
    names = {"scale": f"freigabe-scale-{suffix}", "dispatch": f"freigabe-dispatch-{suffix}"}
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    for name in names.values():
        dynamodb.create_table(**table_definition(name))
    urls = ensure_queues(sqs, suffix=suffix)
    queue = f"{Settings.model_fields['publish_queue'].default}-{suffix}"
    saved = {k: os.environ.get(k) for k in ("FREIGABE_CONFIG", "FREIGABE_TABLE", "FREIGABE_PUBLISH_QUEUE")}
    os.environ.update(FREIGABE_CONFIG=str(config), FREIGABE_PUBLISH_QUEUE=queue)
    try:
        yield {**names, "queue_url": urls[queue], "outbox": str(outbox)}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for name in names.values():
            dynamodb.delete_table(TableName=name)
        for url in urls.values():
            sqs.delete_queue(QueueUrl=url)
        shutil.rmtree(tmp, ignore_errors=True)
        bootstrap.reset()


def use_table(name: str) -> None:
    from chalicelib import bootstrap

    os.environ["FREIGABE_TABLE"] = name
    bootstrap.reset()


def measure_tick_reads() -> dict[str, Any]:
    from chalicelib import bootstrap
    from chalicelib.handlers.schedule import publish_due

    container = bootstrap.container()
    seeded = time.perf_counter()
    seed(container.aws("dynamodb"), container.table, container.workflow, STORED, DUE)
    seeded = time.perf_counter() - seeded
    counter = ItemCounter(container.aws("dynamodb"))
    started = time.perf_counter()
    counts = publish_due()
    elapsed = time.perf_counter() - started
    items, requests = counter.take()
    return {"stored": STORED, "due": DUE, "tick": counts, "items": items, "requests": requests,
            "due_index_items": items.get("Query due", 0), "tick_seconds": round(elapsed, 2),
            "seed_seconds": round(seeded, 1)}


def work(queue_url: str, stopping: threading.Event, tally: Counter[str]) -> None:
    """One worker: the handler on every message, ten at a time, as Lambda's poller does."""
    from chalicelib.handlers.queue import publish_worker
    from dev import lambda_events

    sqs = bootstrap_sqs()
    arn = "arn:aws:sqs:eu-central-1:000000000000:" + queue_url.rsplit("/", 1)[-1]
    while not stopping.is_set():
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            continue
        context = lambda_events.LambdaContext("freigabe-bench-publish_worker", 512, arn, 60.0)
        answer = publish_worker(lambda_events.sqs_event(messages, arn, "eu-central-1"), context)
        refused = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        done = [m for m in messages if m["MessageId"] not in refused]
        if done:
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        tally["messages"] += len(messages)
        tally["failed"] += len(refused)


def measure_dispatch(queue_url: str, outbox: str) -> dict[str, Any]:
    """The tick and WORKERS concurrent worker invocations, until every post is published."""
    from chalicelib import bootstrap
    from chalicelib.handlers.schedule import publish_due

    container = bootstrap.container()
    due_ids = seed(container.aws("dynamodb"), container.table, container.workflow, DISPATCHED,
                   DISPATCHED)
    counter = ItemCounter(container.aws("dynamodb"))
    stopping, tally = threading.Event(), Counter[str]()
    workers = [threading.Thread(target=work, args=(queue_url, stopping, tally), daemon=True)
               for _ in range(WORKERS)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    ticks = claimed = 0
    while claimed < len(due_ids) and ticks < 10:
        claimed += publish_due()["claimed"]
        ticks += 1
    ticked = time.perf_counter()
    lines: list[str] = []
    while time.perf_counter() - ticked < GIVE_UP_SECONDS:  # counted from the last tick
        lines = Path(outbox).read_text().splitlines() if Path(outbox).exists() else []
        if len(lines) >= len(due_ids):
            break
        time.sleep(0.2)
    published_at = time.perf_counter()
    stopping.set()
    for worker in workers:
        worker.join()
    _, requests = counter.take()
    published = len({json.loads(line)["post_id"] for line in lines})
    return {"posts": DISPATCHED, "workers": WORKERS, "ticks": ticks, "claimed": claimed,
            "messages": tally["messages"], "failed_records": tally["failed"],
            "outbox_lines": len(lines), "published": published,
            "tick_seconds": round(ticked - started, 1),
            "total_seconds": round(published_at - started, 1),
            "dynamodb_requests_per_post": round(sum(requests.values()) / DISPATCHED, 1)}


@contextmanager
def local_aws() -> Iterator[str]:
    """moto in a process of its own, as `make run` has it (dev.aws), with DynamoDB's
    transaction semantics (dev.moto_transactions); the process pointed at it meanwhile."""
    import socket
    import subprocess
    import sys

    from bench.__main__ import _free_port
    from chalicelib import bootstrap

    port = _free_port()
    code = ("import sys; from dev import moto_transactions; moto_transactions.install(); "
            "from dev.aws import main; main(sys.argv[1:])")
    server = subprocess.Popen([sys.executable, "-c", code, "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    previous = os.environ.get("AWS_ENDPOINT_URL")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto did not start") from None
                time.sleep(0.1)
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
        bootstrap.reset()
        yield os.environ["AWS_ENDPOINT_URL"]
    finally:
        if previous is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = previous
        bootstrap.reset()
        server.terminate()
        server.wait(timeout=10)


def run() -> dict[str, Any]:
    """Needs the AWS credentials and region of the local stack (bench/__main__ sets them)."""
    with local_aws(), environment() as env:
        use_table(env["scale"])
        reads = measure_tick_reads()
        bootstrap_sqs().purge_queue(QueueUrl=env["queue_url"])
        use_table(env["dispatch"])
        dispatch = measure_dispatch(env["queue_url"], env["outbox"])
    reads["equals_due"] = reads["due_index_items"] == reads["due"]
    return {"reads": reads, "dispatch": dispatch}


def bootstrap_sqs() -> Any:
    from chalicelib import bootstrap

    return bootstrap.container().aws("sqs")


def report(figures: dict[str, Any]) -> str:
    reads, dispatch = figures["reads"], figures["dispatch"]
    per_item = ", ".join(f"{k} {v}" for k, v in sorted(reads["items"].items()))
    return "\n".join([
        f"Scheduler: one tick over {reads['stored']:,} stored posts, {reads['due']} due",
        f"  items from the due index: {reads['due_index_items']} "
        f"(equals the due posts: {'yes' if reads['equals_due'] else 'NO'})",
        f"  all items read: {per_item}",
        f"  requests: {dict(sorted(reads['requests'].items()))}",
        f"  claimed {reads['tick']['claimed']}, messages {reads['tick']['messages']}, "
        f"{reads['tick_seconds']} s on moto (seeding took {reads['seed_seconds']} s)",
        f"Dispatch of {dispatch['posts']:,} due posts through the queue to the outbox",
        f"  all claimed and queued after {dispatch['tick_seconds']} s ({dispatch['ticks']} tick(s)); "
        f"all published after {dispatch['total_seconds']} s, {dispatch['workers']} workers "
        f"handling {dispatch['messages']} messages",
        f"  published {dispatch['published']}, outbox lines {dispatch['outbox_lines']}, "
        f"failed records {dispatch['failed_records']}, "
        f"DynamoDB requests per post {dispatch['dynamodb_requests_per_post']}",
    ])


def main() -> None:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-central-1", "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                       "FREIGABE_AUTH": "dev", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    print(report(run()), flush=True)


if __name__ == "__main__":
    main()
