"""Calling a Lambda function's handler the way the Lambda runtime does, for the local stand-ins
of EventBridge, SQS and DynamoDB streams (dev.ticker, dev.sources)."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalice.app import Chalice

from dev import lambda_events
from dev.environment import LOCAL_STAGE, REPO_ROOT


class Invoker:
    """Calls a function the way the Lambda runtime does: handler(event, context), with the
    function's configured timeout and memory in the context; a failure is an outcome."""

    def __init__(self, chalice_app: Chalice, region: str, account: str, config: Callable[[str], Any]) -> None:
        self.app = chalice_app
        self.region = region
        self.account = account
        self._config = config
        self._configs: dict[str, Any] = {}

    def function_name(self, name: str) -> str:
        return f"{self.app.app_name}-{LOCAL_STAGE}-{name}"

    def context(self, name: str) -> lambda_events.LambdaContext:
        function = self.function_name(name)
        if name not in self._configs:
            self._configs[name] = self._config(name)
        config = self._configs[name]
        return lambda_events.LambdaContext(
            function_name=function,
            memory_limit_in_mb=int(config.lambda_memory_size or 128),
            invoked_function_arn=f"arn:aws:lambda:{self.region}:{self.account}:function:{function}",
            timeout_seconds=float(config.lambda_timeout or 60),
        )

    def invoke(self, name: str, event: dict[str, Any]) -> tuple[object, str | None, int]:
        """(result, failure, milliseconds). The failure names the exception and where it was
        raised, never its message: messages may quote draft text (pydantic's do)."""
        handler: Callable[..., object] = self.app.handler_map[name]
        started = time.monotonic()
        try:
            result = handler(event, self.context(name))
        except Exception as err:  # noqa: BLE001 - a handler's failure must not end the ticker
            return None, f"raised {type(err).__name__} at {_where(err)}", _ms(started)
        return result, None, _ms(started)


def _where(err: BaseException) -> str:
    """The innermost frame, then the project's own frames leading to it: an error deep in
    botocore is found through the line of ours that made the call."""
    frames = traceback.extract_tb(err.__traceback__)
    project, tooling = str(REPO_ROOT), str(REPO_ROOT / "dev")
    ours = [
        f
        for f in frames[:-1]
        if f.filename.startswith(project)
        and not f.filename.startswith(tooling)
        and "-packages" not in f.filename
    ]
    shown = [*frames[-1:], *reversed(ours[-3:])]
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in shown)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
