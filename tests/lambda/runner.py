"""Runs a Lambda function's handler from the unpacked deployment package, the way Lambda's
Python runtime does, in an interpreter that sees nothing else.

    python -I -S runner.py <task_root> <handler> <request.json> <result.json>

It is started by path (never imported) with `-I -S`: no site-packages, no user site, no
PYTHON* variables, no script directory on sys.path; this file puts only the task root in
front of the standard library. The working directory is the task root, as /var/task is in
Lambda. request.json holds ``{"function_name", "function_arn", "memory", "timeout",
"events": [...]}``; the events go to the handler one after another in this one process, as
warm invocations of one container. result.json receives the handler's answers, every AWS
API call the process made (service, operation, parameters), the ``lambda.Invoke`` calls it
made, and the modules Python had to compile from source instead of loading their bytecode.

Every botocore call passes a recorder (a wrapper of ``BaseClient._make_api_call``, the point
every client method goes through). One call is not sent: ``lambda.Invoke``. moto's server
cannot run Lambda functions, so the recorder answers it as Lambda answers an
``InvocationType=Event`` invocation (202, empty payload) and keeps the payload; the test
runs it in a second interpreter like this one, which is what Lambda does with Bolt's lazy
listeners (the same function, invoked again).
"""

from __future__ import annotations

import base64
import gc
import io
import json
import sys
import time
import traceback
import uuid
from typing import Any


def isolate(task_root: str) -> None:
    stdlib = [path for path in sys.path if path.startswith(sys.base_prefix) and "-packages" not in path]
    sys.path[:] = [task_root, *stdlib]


def count_compilations(compiled: list[str]) -> None:
    """A module whose bytecode is missing or stale is compiled from source: note which."""
    from importlib import _bootstrap_external as external

    original = external.SourceLoader.source_to_code

    def counting(self: Any, data: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(path))
        return original(self, data, path, *args, **kwargs)

    external.SourceLoader.source_to_code = counting  # type: ignore[method-assign]


def plain(value: Any) -> Any:
    """Call parameters as JSON: bytes and other values the recorder does not need become text."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return "<bytes>"
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def record_calls(calls: list[dict[str, Any]], invocations: list[dict[str, Any]]) -> None:
    import botocore.client
    from botocore.response import StreamingBody

    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        region = self.meta.region_name
        # Where in the package the call comes from, for the report of a call the role refuses.
        where = [f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
                 for frame in traceback.extract_stack()[:-1] if "/chalicelib/" in frame.filename]
        calls.append({"service": service, "operation": operation_name, "region": region,
                      "params": plain(api_params), "where": where[-4:]})
        if service == "lambda" and operation_name == "Invoke":
            payload = api_params.get("Payload") or b"{}"
            if isinstance(payload, str):
                payload = payload.encode()
            invocations.append({"FunctionName": api_params.get("FunctionName"),
                                "InvocationType": api_params.get("InvocationType", "RequestResponse"),
                                "Payload": json.loads(payload)})
            if api_params.get("InvocationType") != "Event":
                raise RuntimeError("the runner only answers asynchronous invocations (InvocationType=Event)")
            return {"StatusCode": 202, "Payload": StreamingBody(io.BytesIO(b""), 0),
                    "ResponseMetadata": {"HTTPStatusCode": 202, "RequestId": str(uuid.uuid4())}}
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = recording  # type: ignore[method-assign]


class LambdaContext:
    """The attributes and method of Lambda's Python context object."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name = request["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = request["function_arn"]
        self.memory_limit_in_mb = int(request.get("memory", 512))
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "2026/11/29/[$LATEST]" + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + float(request.get("timeout", 60))

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def garbage_collector() -> dict[str, Any]:
    return {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
            "full_collections": gc.get_stats()[2]["collections"]}


def jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        if isinstance(value, bytes):
            return {"base64": base64.b64encode(value).decode()}
        return repr(value)
    return value


def main(argv: list[str]) -> int:
    task_root, handler_name, request_path, result_path = argv
    compiled: list[str] = []
    count_compilations(compiled)
    isolate(task_root)
    with open(request_path, encoding="utf-8") as source:
        request = json.load(source)
    calls: list[dict[str, Any]] = []
    invocations: list[dict[str, Any]] = []
    outcome: dict[str, Any] = {"results": [], "calls": calls, "invocations": invocations,
                               "compiled": compiled, "sys_path": list(sys.path)}
    try:
        record_calls(calls, invocations)
        module_name, _, attribute = handler_name.rpartition(".")
        started = time.perf_counter()
        module = __import__(module_name)
        outcome["import_seconds"] = time.perf_counter() - started
        outcome["module_file"] = module.__file__
        # The garbage collector after the import and after each answer (chalicelib/coldstart.py).
        outcome["gc"] = [garbage_collector()]
        handler = getattr(module, attribute)
        for event in request["events"]:
            try:
                result = handler(event, LambdaContext(request))
                outcome["results"].append({"ok": jsonable(result)})
            except Exception as err:  # Lambda reports it as the invocation's error
                outcome["results"].append({"error": type(err).__name__, "message": str(err),
                                           "trace": traceback.format_exc()})
            outcome["gc"].append(garbage_collector())
    except Exception:  # an init error: the module does not import
        outcome["init_error"] = traceback.format_exc()
    outcome["modules"] = sorted(name for name in sys.modules if name.split(".")[0] in ("chalicelib", "app"))
    # Whether anything built a client through boto3 (its default session), beside the
    # container's own botocore session.
    outcome["boto3_session"] = getattr(sys.modules.get("boto3"), "DEFAULT_SESSION", None) is not None
    with open(result_path, "w", encoding="utf-8") as sink:
        json.dump(outcome, sink)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
