"""Posts on the second: how late a post goes out, in AWS's shape (issue 12 item 5).

1,000 approved posts fall due within one minute; the tick fires every 60 s (EventBridge's
rate, FREIGABE_TICK_SECONDS=60) and the publish worker and the stream relay are fed as the
local stack feeds them (dev.sources), the worker by several long-polling consumers at once as
Lambda scales a queue's. Meanwhile posts without a publish time get their last approval
(FREIGABE_BENCH_POSTS=<n> measures another number of posts). Lateness is the post's timeline:
the time its result was recorded (after the network, here the outbox file, answered) minus its
``publish_at``, or minus the moment of the last approval for a post without a time. Budget:
2 s and 5 s.

moto answers here instead of DynamoDB and SQS, so the figures include the emulator's speed;
the stream is read every second, where Lambda's poller is woken at once.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

POSTS = int(os.environ.get("FREIGABE_BENCH_POSTS", "1000"))  # due within one minute
UNTIMED = 20  # approved during that minute, without a publish time
TICK_SECONDS = 60.0
WORKERS = 5  # Lambda starts an SQS event source with five concurrent batches
FIRST_DUE = 75.0  # seconds after the first tick: the posts are not all due yet when it runs
GIVE_UP_SECONDS = 60.0  # after the last post's time
BUDGET_TIMED, BUDGET_UNTIMED = 2.0, 5.0


def _seed(repo: Any, workflow: Any, start: datetime) -> tuple[list[str], list[str]]:
    """Saved through the repository (timeline and all), so the worker's audit holds: POSTS
    approved ones due within [start, start + 60 s), UNTIMED awaiting their last approval."""
    from chalicelib.domain.content import Content
    from chalicelib.domain.post import Post, Reviewer

    timed, untimed = [], []

    def make(post_id: str, publish_at: datetime | None, approve: bool) -> None:
        created = datetime.now(UTC) - timedelta(hours=1)
        content = Content(text=f"Beitrag {post_id}: Neues aus dem Laden", channels=("outbox",))
        post = Post.create(post_id, "wanda.writer@freigabe.example", "Wanda", content, publish_at,
                           created)
        post.submit(workflow, post.author, created)
        if approve:
            post.decide(workflow, "brand", Reviewer("U0BRAND1", "brand@freigabe.example"),
                        "approve", post.content_hash, "", created, frozenset({"U0BRAND1"}))
        repo.save(post)

    jobs: list[tuple[str, datetime | None, bool]] = []
    for n in range(POSTS):
        at = start + timedelta(seconds=math.floor(n * 60 / POSTS))
        jobs.append((f"t{n:05d}", at, True))
        timed.append(f"t{n:05d}")
    for n in range(UNTIMED):
        jobs.append((f"u{n:05d}", None, False))
        untimed.append(f"u{n:05d}")
    _parallel(lambda job: make(*job), jobs, threads=8)
    return timed, untimed


def _parallel(work: Callable[[Any], None], items: list[Any], threads: int) -> None:
    lock = threading.Lock()
    pending = list(items)

    def run() -> None:
        while True:
            with lock:
                if not pending:
                    return
                item = pending.pop()
            work(item)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def _every(seconds: float, action: Callable[[], None], stopping: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stopping.is_set():
            due = time.monotonic() + seconds
            action()
            stopping.wait(max(0.0, due - time.monotonic()))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def _latenesses(repo: Any, ids: list[str]) -> tuple[list[float], int]:
    """Seconds from each post's due moment to its recorded result; and how many have none."""
    from chalicelib.domain.serialize import parse_time

    found: list[float] = []
    missing = 0
    for post_id in ids:
        post, events, _ = repo.get_full(post_id)
        results = [e for e in events if e.type == "publish_result" and e.data.get("status") == "published"]
        scheduled = [e for e in events if e.type == "scheduled"]
        start = parse_time(post.publish_at_iso or (scheduled[-1].at if scheduled else None))
        end = parse_time(results[0].at) if results else None
        if start is None or end is None:
            missing += 1
            continue
        found.append((end - start).total_seconds())
    return found, missing


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": math.nan, "p99": math.nan, "max": math.nan}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)], 2)

    return {"p50": at(0.50), "p99": at(0.99), "max": round(ordered[-1], 2),
            "min": round(ordered[0], 2)}


def run() -> dict[str, Any]:
    """Needs the AWS credentials and region of the local stack (bench/__main__ sets them)."""
    from bench.scheduler import environment, local_aws, use_table

    os.environ["FREIGABE_TICK_SECONDS"] = str(int(TICK_SECONDS))
    try:
        with local_aws(), environment() as env:
            use_table(env["dispatch"])
            return _measure()
    finally:
        os.environ.pop("FREIGABE_TICK_SECONDS", None)
        os.environ.pop("FREIGABE_STREAM_SINCE", None)


def _measure() -> dict[str, Any]:
    from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

    import app as app_module
    from chalicelib import bootstrap
    from chalicelib.domain.post import Reviewer
    from chalicelib.services import review
    from chalicelib.services.bus import Dispatcher
    from dev.invoker import Invoker
    from dev.sources import QueueSource, StreamSource
    from dev.ticker import POLL_SECONDS, ScheduleSource, load_chalice_config

    container = bootstrap.container()
    # Slack is not part of this measurement: the relay takes a post to the queue before it
    # tells Slack (chalicelib/handlers/stream.py), and there is no Slack to tell here.
    container.__dict__["bus"] = Dispatcher([])
    start = (datetime.now(UTC) + timedelta(seconds=FIRST_DUE + 30)).replace(microsecond=0)
    seeding = time.perf_counter()
    timed, untimed = _seed(container.repository, container.workflow, start)
    seeding = time.perf_counter() - seeding
    # The first tick runs FIRST_DUE seconds before the first post is due.
    wait_until = start - timedelta(seconds=FIRST_DUE)
    time.sleep(max(0.0, (wait_until - datetime.now(UTC)).total_seconds()))
    os.environ["FREIGABE_STREAM_SINCE"] = str(time.time())  # seeding's records are old news

    invoker = Invoker(app_module.app, "eu-central-1", "123456789012", load_chalice_config())
    tick = ScheduleSource(next(c for c in app_module.app.event_sources
                               if isinstance(c, ScheduledEventConfig) and c.name == "publish_due"),
                          invoker)
    def quiet(_line: str) -> None:  # the pollers' chatter
        pass

    sqs_config = next(c for c in app_module.app.event_sources if isinstance(c, SQSEventConfig))
    stream_config = next(c for c in app_module.app.event_sources
                         if isinstance(c, DynamoDBEventConfig))
    queue_name = container.settings.publish_queue
    sqs_config = replace_queue(sqs_config, queue_name)
    stopping = threading.Event()
    threads = [_every(TICK_SECONDS, _silently(tick.fire), stopping)]
    for _ in range(WORKERS):
        # Long polls, as Lambda's poller makes them: a message is handed over when its delay ends.
        source = QueueSource(sqs_config, invoker, container.aws("sqs"), quiet,
                             wait_seconds=int(POLL_SECONDS))
        threads.append(_every(POLL_SECONDS, partial(source.poll, stopping), stopping))
    stream = StreamSource(stream_config, invoker, container.aws, container.table, quiet)
    threads.append(_every(POLL_SECONDS, lambda: stream.poll(stopping), stopping))

    ctx = container.context()
    for n, post_id in enumerate(untimed):
        # Spread over the minute the timed posts fall due in: the busiest time to be approved.
        moment = start + timedelta(seconds=n * 60 / UNTIMED + 0.5)
        time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))
        post = container.repository.get(post_id)
        review.decide(ctx, post_id, "brand", Reviewer("U0BRAND1", "brand@freigabe.example"),
                      "approve", post.content_hash)
    deadline = start + timedelta(seconds=60 + GIVE_UP_SECONDS)
    while datetime.now(UTC) < deadline:
        counts = container.repository.count_by_status()
        if counts.get("published", 0) >= POSTS + UNTIMED:
            break
        time.sleep(5)
    stopping.set()
    for thread in threads:
        thread.join(timeout=30)
    late_timed, missing_timed = _latenesses(container.repository, timed)
    late_untimed, missing_untimed = _latenesses(container.repository, untimed)
    timed_q, untimed_q = _quantiles(late_timed), _quantiles(late_untimed)
    return {"posts": POSTS, "untimed": UNTIMED, "workers": WORKERS, "tick_seconds": TICK_SECONDS,
            "timed": timed_q, "untimed_q": untimed_q, "missing": missing_timed + missing_untimed,
            "seed_seconds": round(seeding, 1),
            "within_budget": timed_q["max"] <= BUDGET_TIMED
            and untimed_q["max"] <= BUDGET_UNTIMED and not missing_timed + missing_untimed}


def replace_queue(config: Any, queue_name: str) -> Any:
    """The decorator names the deployed queue; the bench's queue has a suffix of its own."""
    clone = object.__new__(type(config))
    clone.__dict__.update(config.__dict__)
    clone.queue = queue_name
    return clone


def _silently(action: Callable[[], None]) -> Callable[[], None]:
    import contextlib
    import io

    def run() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            action()

    return run


def report(figures: dict[str, Any]) -> str:
    timed, untimed = figures["timed"], figures["untimed_q"]
    return "\n".join([
        f"Lateness: {figures['posts']:,} posts due within one minute, tick every "
        f"{figures['tick_seconds']:g} s, {figures['workers']} worker invocations at once",
        f"  publish_at -> published: p50 {timed['p50']} s, p99 {timed['p99']} s, "
        f"max {timed['max']} s (budget {BUDGET_TIMED:g} s; earliest {timed.get('min')} s)",
        f"  {figures['untimed']} posts without a time, last approval -> published: "
        f"p50 {untimed['p50']} s, p99 {untimed['p99']} s, max {untimed['max']} s "
        f"(budget {BUDGET_UNTIMED:g} s)",
        f"  not published: {figures['missing']}; within budget: "
        f"{'yes' if figures['within_budget'] else 'NO'} (seeding took {figures['seed_seconds']} s)",
    ])


def main() -> None:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-central-1", "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                       "FREIGABE_AUTH": "dev", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    print(report(run()), flush=True)


if __name__ == "__main__":
    main()
