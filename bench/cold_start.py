"""Cold start: a fresh interpreter importing `app` (all module-level setup included),
against a bare Chalice app that imports boto3, measured in the same run."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNS = 15
BUDGET = 1.6

PROBE = """
import resource, sys, time
started = time.perf_counter()
import app
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

BARE_APP = """
import boto3
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/")
def index():
    return {"hello": "world"}
"""


def _measure(cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Median process wall time (ms), median import time (ms), median peak RSS (MiB)."""
    walls, imports, peaks = [], [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, env=env, check=True,
                             capture_output=True, text=True).stdout.split()
        walls.append((time.perf_counter() - started) * 1000)
        imports.append(float(out[0]) * 1000)
        peaks.append(int(out[1]) / 1024)
    return statistics.median(walls), statistics.median(imports), statistics.median(peaks)


FIRST_REQUEST = """
import json, time, sys
started = time.perf_counter()
import app
event = json.loads(sys.argv[1])
response = app.app(event, None)
print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "status": response["statusCode"]}))
"""


def _api_event() -> dict[str, Any]:
    body = json.dumps({"text": "Hallo Welt", "channels": ["outbox"], "submit": True})
    return {
        "resource": "/api/posts", "path": "/api/posts", "httpMethod": "POST",
        "headers": {"Content-Type": "application/json",
                    "X-Freigabe-User": "bench@freigabe.example"},
        "multiValueHeaders": {}, "queryStringParameters": None, "pathParameters": None,
        "multiValueQueryStringParameters": None,
        "stageVariables": None, "isBase64Encoded": False, "body": body,
        "requestContext": {"resourcePath": "/api/posts", "httpMethod": "POST",
                           "path": "/api/posts", "stage": "api"},
    }


def first_request(env: dict[str, str]) -> tuple[float, int]:
    """Time from a fresh interpreter to the answer of its first POST /api/posts."""
    times, status = [], 0
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", FIRST_REQUEST, json.dumps(_api_event())],
                             cwd=ROOT, env=env, check=False, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"first request failed: {out.stderr[-2000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(result["ms"])
        status = result["status"]
    return statistics.median(times), status


def run(aws_env: dict[str, str] | None = None) -> dict[str, Any]:
    # Any value of PYTHONDONTWRITEBYTECODE, "0" included, stops bytecode caching: drop it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # Warm the bytecode caches so both sides are measured like a deployed package.
    subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, check=True)
    with tempfile.TemporaryDirectory() as bare:
        (Path(bare) / "app.py").write_text(BARE_APP)
        subprocess.run([sys.executable, "-c", "import app"], cwd=bare, env=env, check=True)
        bare_wall, bare_import, bare_peak = _measure(Path(bare), env)
    wall, imported, peak = _measure(ROOT, env)
    figures: dict[str, Any] = {
        "freigabe_process_ms": round(wall, 1), "freigabe_import_ms": round(imported, 1),
        "freigabe_peak_mib": round(peak, 1),
        "bare_process_ms": round(bare_wall, 1), "bare_import_ms": round(bare_import, 1),
        "bare_peak_mib": round(bare_peak, 1),
        "ratio_process": round(wall / bare_wall, 2), "ratio_import": round(imported / bare_import, 2),
        "ratio_peak": round(peak / bare_peak, 2), "budget": BUDGET,
    }
    if aws_env:
        ms, status = first_request({**env, **aws_env})
        figures["first_post_ms"] = round(ms, 1)
        figures["first_post_status"] = status
    return figures


def report(figures: dict[str, Any]) -> str:
    lines = [
        f"Cold start (median of {RUNS} fresh interpreters)",
        f"  freigabe app : {figures['freigabe_process_ms']:7.1f} ms process, "
        f"{figures['freigabe_import_ms']:7.1f} ms import, {figures['freigabe_peak_mib']:6.1f} MiB peak",
        f"  bare chalice : {figures['bare_process_ms']:7.1f} ms process, "
        f"{figures['bare_import_ms']:7.1f} ms import, {figures['bare_peak_mib']:6.1f} MiB peak",
        f"  ratio        : {figures['ratio_process']:.2f}x process, {figures['ratio_import']:.2f}x import, "
        f"{figures['ratio_peak']:.2f}x memory (budget {figures['budget']}x)",
    ]
    if "first_post_ms" in figures:
        lines.append(f"  first POST /api/posts of a cold process: {figures['first_post_ms']:.1f} ms "
                     f"(status {figures['first_post_status']})")
    return "\n".join(lines)
