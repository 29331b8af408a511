"""One Lambda container for bench/lambda_cold.py, started by path, never imported by the app:

    python -I -S bench/lambda_container.py <task_root>

Like Lambda's Python runtime it sees only the task root and the standard library (no
site-packages, no PYTHON* variables), imports the handler module `app` from the package and
calls `app.app` with each API Gateway event read from stdin (one JSON per line). It answers one
JSON line per event on the stdout it was given: status, seconds in the handler, CPU seconds and
peak memory so far, and with the first answer the import time, the garbage collector's time
since before the import, the new connections to the AWS endpoint and the CPU one CA-bundle
load takes (what each of them costs in AWS over HTTPS; measured after the CPU figure), and how
many of the package's modules Python had to compile from source (0 when the package's
bytecode is valid). The
function's own output (print, Powertools' logs) goes to stderr. Imports the standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any


class LambdaContext:
    """The attributes and method of Lambda's Python context object."""

    def __init__(self, memory_mb: int) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "freigabe-prod")
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:eu-central-1:123456789012:function:{self.function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = f"bench-{time.time():.6f}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "bench"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + 60

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def count_compilations(compiled: list[str]) -> None:
    """A module whose bytecode is missing or not valid is compiled from source: note which."""
    from importlib import _bootstrap_external as external

    original = external.SourceLoader.source_to_code

    def counting(self: Any, data: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(path))
        return original(self, data, path, *args, **kwargs)

    external.SourceLoader.source_to_code = counting  # type: ignore[method-assign]


def peak_mib() -> float:
    """The process's peak resident memory (VmHWM: ru_maxrss would include the forking parent)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Collections:
    """The garbage collector's time (gc.callbacks), from before the import on: what a cold
    start spends collecting, and the collections of a warm request."""

    def __init__(self) -> None:
        import gc

        self.seconds = 0.0
        self.count = 0
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began
            self.count += 1


class Connections:
    """New TCP connections to the AWS endpoint (a ``socket.connect`` audit hook): in AWS each is
    HTTPS, and botocore has the connection's SSL context parse the CA bundle again for each one
    (urllib3 calls load_verify_locations with the ca_certs botocore sets; botocore issue 3171).
    The emulator speaks plain HTTP, so that CPU is measured apart (``ca_bundle_seconds``)."""

    def __init__(self, endpoint: str) -> None:
        from urllib.parse import urlsplit

        self.port = urlsplit(endpoint).port if endpoint else None
        self.count = 0
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect" and self.port is not None:
            address = args[1]
            if isinstance(address, tuple) and len(address) >= 2 and address[1] == self.port:
                self.count += 1


def ca_bundle_seconds(task_root: str) -> float:
    """CPU of one load of the CA bundle botocore uses (AWS_CA_BUNDLE, as Lambda would find it
    under /var/task, else botocore's own) into an SSL context, as each new HTTPS connection
    does (median of 3; botocore is imported by then)."""
    import statistics

    from botocore.httpsession import create_urllib3_context, get_cert_path

    bundle = os.environ.get("AWS_CA_BUNDLE", "").replace("/var/task", task_root, 1)
    path = bundle or get_cert_path(True)
    context = create_urllib3_context()
    times = []
    for _ in range(3):
        began = time.process_time()
        context.load_verify_locations(path)
        times.append(time.process_time() - began)
    return statistics.median(times)


def left_garbage() -> str:
    """What a full collection would free of everything alive now (frozen or not), then frozen
    again: the garbage chalicelib/coldstart.py keeps when it freezes without collecting."""
    import gc

    gc.unfreeze()
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    size = sum(sys.getsizeof(item) for item in gc.garbage)
    count = len(gc.garbage)
    gc.garbage.clear()
    gc.set_debug(0)
    gc.freeze()
    return f"{count} objects, {size / 1024:.0f} KiB (their own size)"


def trace_calls(to: Any) -> None:
    """FREIGABE_BENCH_TRACE=<file>: each AWS and Slack Web API call and its milliseconds, a
    line each, appended to the file (where a warm request spends its time). Imports botocore
    and slack_sdk before the first request, so cold figures taken with it are not the
    function's."""
    import botocore.client
    import slack_sdk.web.base_client

    def timed(owner: Any, attribute: str, label: Any) -> None:
        original = getattr(owner, attribute)

        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                print(f"  {label(self, args)} {(time.perf_counter() - began) * 1000:.1f} ms", file=to)

        setattr(owner, attribute, call)

    timed(botocore.client.BaseClient, "_make_api_call",
          lambda client, args: f"{client.meta.service_model.service_name}.{args[0]}")
    timed(slack_sdk.web.base_client.BaseClient, "api_call", lambda client, args: f"slack.{args[0]}")


def main(task_root: str) -> int:
    started = time.perf_counter()
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the function's output goes to stderr, never between the answers
    stdlib = [path for path in sys.path if path.startswith(sys.base_prefix) and "-packages" not in path]
    sys.path[:] = [task_root, *stdlib]
    compiled: list[str] = []
    count_compilations(compiled)
    import resource

    memory = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
    # FREIGABE_BENCH_PROFILE=<folder>: cProfile statistics of the import and the first request
    # (where a cold start spends its CPU), written as <folder>/<pid>.prof with the first answer.
    profile_to = os.environ.pop("FREIGABE_BENCH_PROFILE", "")
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    collections = Collections()
    connections = Connections(os.environ.get("AWS_ENDPOINT_URL", ""))
    before_import = time.perf_counter()
    handler = __import__("app").app
    imported = time.perf_counter()
    trace_to = os.environ.pop("FREIGABE_BENCH_TRACE", "")
    trace = open(trace_to, "a", buffering=1, encoding="utf-8") if trace_to else None  # noqa: SIM115
    if trace is not None:
        trace_calls(trace)
    first = True
    for line in sys.stdin:
        event = json.loads(line)
        began = time.perf_counter()
        response = handler(event, LambdaContext(memory))
        done = time.perf_counter()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(os.path.join(profile_to, f"{os.getpid()}.prof"))
            profiler = None
        answer: dict[str, Any] = {"status": response.get("statusCode"), "seconds": done - began,
                                  "body": str(response.get("body") or "")[:2000]}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        answer.update(cpu_seconds=usage.ru_utime + usage.ru_stime, peak_mib=peak_mib())
        if first:
            answer.update(import_seconds=imported - before_import, since_start=done - started,
                          compiled=sum(path.startswith(task_root) for path in compiled),
                          gc_seconds=collections.seconds, gc_count=collections.count,
                          aws_connections=connections.count,
                          ca_bundle_seconds=ca_bundle_seconds(task_root) if connections.count else 0.0)
            first = False
        answers.write(json.dumps(answer) + "\n")
        if trace is not None:
            print(f"request {answer['seconds'] * 1000:.1f} ms, CPU so far {answer['cpu_seconds']:.3f} s, "
                  f"garbage collection so far {collections.seconds * 1000:.1f} ms", file=trace)
            if answer.get("import_seconds") is not None:
                print(f"  cyclic garbage the cold start left: {left_garbage()}", file=trace)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
