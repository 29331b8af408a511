"""One Lambda container for bench/lambda_cold.py, started by path, never imported by the app:

    python -I -S bench/lambda_container.py <task_root>

Like Lambda's Python runtime it sees only the task root and the standard library (no
site-packages, no PYTHON* variables), imports the handler module `app` from the package and
calls `app.app` with each API Gateway event read from stdin (one JSON per line). It answers one
JSON line per event on the stdout it was given: status, seconds in the handler, CPU seconds and
peak memory so far, and with the first answer the import time and how many of the package's
modules Python had to compile from source (0 when the package's bytecode is valid). The
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
    before_import = time.perf_counter()
    handler = __import__("app").app
    imported = time.perf_counter()
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
        if first:
            answer.update(import_seconds=imported - before_import, since_start=done - started,
                          compiled=sum(path.startswith(task_root) for path in compiled))
            first = False
        usage = resource.getrusage(resource.RUSAGE_SELF)
        answer.update(cpu_seconds=usage.ru_utime + usage.ru_stime, peak_mib=peak_mib())
        answers.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
