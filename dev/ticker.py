"""The local stand-in for what AWS does around the Lambda functions (`python -m dev.ticker`).

`chalice local` serves HTTP only, so this process imports the app with the emulator's
environment and plays EventBridge (each `@app.schedule` every FREIGABE_TICK_SECONDS), the SQS
event source mapping (each `@app.on_sqs_message`) and the DynamoDB stream mapping (each
`@app.on_dynamodb_record`). Messages and records are polled every second, as Lambda's pollers
would, so a message does not wait for the next tick.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from chalice.app import (
    Chalice,
    DynamoDBEventConfig,
    ScheduledEventConfig,
    SQSEventConfig,
)

from dev import lambda_events
from dev.environment import LOCAL_STAGE, REPO_ROOT
from dev.invoker import Invoker
from dev.sources import QueueSource, Source, StreamSource

POLL_SECONDS = 1.0
DEFAULT_ACCOUNT = "123456789012"


def say(line: str) -> None:
    print(line, flush=True)


class ScheduleSource:
    def __init__(self, config: ScheduledEventConfig, invoker: Invoker) -> None:
        self.name = config.name
        self._invoker = invoker
        function = invoker.function_name(config.name)
        # Chalice names the EventBridge rule after the function.
        self._rule_arn = f"arn:aws:events:{invoker.region}:{invoker.account}:rule/{function}"

    def fire(self) -> None:
        event = lambda_events.scheduled_event(self._rule_arn, self._invoker.region, self._invoker.account)
        _, failure, ms = self._invoker.invoke(self.name, event)
        say(f"{self.name}: scheduled event, {failure or 'ok'}, {ms} ms")


def load_chalice_config() -> Callable[[str], Any]:
    """The per-function view of .chalice/config.json under the local stage."""
    from chalice.config import Config

    path = REPO_ROOT / ".chalice" / "config.json"
    from_disk = json.loads(path.read_text()) if path.exists() else {}

    def for_function(name: str) -> Any:
        return Config.create(chalice_stage=LOCAL_STAGE, function_name=name, config_from_disk=from_disk)

    return for_function


def build_sources(
    chalice_app: Chalice, invoker: Invoker, clients: Callable[[str], Any], table: str
) -> tuple[list[ScheduleSource], list[Source]]:
    schedules: list[ScheduleSource] = []
    pollers: list[Source] = []
    for config in chalice_app.event_sources:
        if isinstance(config, ScheduledEventConfig):
            schedules.append(ScheduleSource(config, invoker))
        elif isinstance(config, SQSEventConfig):
            pollers.append(QueueSource(config, invoker, clients("sqs"), say))
        elif isinstance(config, DynamoDBEventConfig):
            pollers.append(StreamSource(config, invoker, clients, table, say))
        else:
            say(f"{config.name}: {type(config).__name__} is not emulated locally; never invoked")
    return schedules, pollers


def run(stopping: threading.Event) -> None:
    config = load_chalice_config()
    # Lambda gives every function the configured variables; chalice local does the same.
    os.environ.update(config("").environment_variables)

    import app as app_module  # with the environment above, as a Lambda cold start would
    from chalicelib import bootstrap

    container = bootstrap.container()
    settings = container.settings
    region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")
    invoker = Invoker(app_module.app, region, _account(container.aws), config)
    schedules, pollers = build_sources(app_module.app, invoker, container.aws, settings.table)
    say(
        f"every {settings.tick_seconds:g} s: {', '.join(s.name for s in schedules) or 'nothing'};"
        f" polling: {', '.join(p.name for p in pollers) or 'nothing'}"
    )
    next_tick = time.monotonic()
    while not stopping.is_set():
        if time.monotonic() >= next_tick:
            # A slow tick delays the next one instead of firing a burst to catch up.
            next_tick = time.monotonic() + settings.tick_seconds
            for schedule in schedules:
                schedule.fire()
        for poller in pollers:
            poller.poll(stopping)
        stopping.wait(max(0.0, min(POLL_SECONDS, next_tick - time.monotonic())))


def _account(clients: Callable[[str], Any]) -> str:
    try:
        return str(clients("sts").get_caller_identity()["Account"])
    except Exception:  # noqa: BLE001 - only decorates ARNs in events; a default will do
        return DEFAULT_ACCOUNT


def main() -> None:
    stopping = threading.Event()
    # Finish the invocation in progress, then stop: a half-handled batch would be redelivered.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    run(stopping)


if __name__ == "__main__":
    main()
