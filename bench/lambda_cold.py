"""Cold Slack requests as Lambda serves them: the packaged prod stage, unzipped read-only, the API
function's handler (`app.app`) run in a fresh `python -I -S` interpreter that sees only the
package and the standard library, under a CPU quota equal to the share Lambda gives the memory
size (1,769 MB = 1 vCPU, so 512 MB = 0.29 vCPU; a cgroup's cpu.max on v2, cpu.cfs_quota_us on v1).

Two cold requests, each timed from import to the answer of the first request: a signed Approve
click (interactivity payload, in an API Gateway REST proxy event; the last approval of a post due
tomorrow) and a signed `/freigabe status`. Then ~50 warm requests of the same kind in the same
interpreter (p99). A third kind is reported beside them: the last approval of a post without a
time, which also claims the post and queues it (services/review.take_if_due). The AWS side is the moto
server `make bench` starts (the Slack secrets in SSM under the stage's FREIGABE_SLACK_SECRETS, as
in AWS); Slack's Web API (auth.test, users.info) is the dev workspace. Each click runs on a table
that holds just its post.

Budget: at 512 MB a cold request within 1.0 s, warm p99 within 50 ms. The cost per click (Lambda
GB-s plus the request, at the prices in bench/prices.toml; INIT is billed since 2025-08-01)
is printed for every memory size.

`python -m bench lambda_cold` runs it (packaging takes ~30 s and needs the package index);
FREIGABE_BENCH_PACKAGE=<folder with deployment.zip and sam.json> reuses a package.

Each container is bench/lambda_container.py, started by path in the isolated interpreter.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.cpu_limit import CpuLimit, cpu_limit, cpu_share

ROOT = Path(__file__).resolve().parent.parent
STAGE = "prod"
FUNCTION = "APIHandler"
MEMORY_SIZES = tuple(int(m) for m in os.environ.get("FREIGABE_BENCH_MEMORY", "512,1024,1769").split(","))
BUDGET_MEMORY_MB = 512
BUDGET_COLD_S = 1.0
BUDGET_WARM_P99_MS = 50.0
COLD_RUNS = int(os.environ.get("FREIGABE_BENCH_COLD_RUNS", "3"))
WARM_REQUESTS = 50
# Warm requests come at least one CPU-quota period (cgroup cpu.cfs_period_us, 100 ms) apart:
# requests back to back use more than 512 MB's share of each period and wait for the next one
# (the `/freigabe status` burst figure shows it).
WARM_GAP_S = 0.1
REVIEWER = "U0BRAND1"
PRICES = Path(__file__).resolve().parent / "prices.toml"
# When bench/prices.toml is missing: Lambda's list prices, eu-central-1, x86, first tier
# (aws.amazon.com/lambda/pricing, as known in 2026; not re-read online).
LAMBDA_GB_SECOND_USD = 0.0000166667
LAMBDA_REQUEST_USD = 0.20 / 1_000_000

# The workflow the function loads (outside the package, as the Lambda tier does): the sample's
# steps, one channel; a click never publishes, so the outbox is never written.
WORKFLOW = """
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
admins = ["U0ADMIN"]

[[steps]]
name = "legal"
label = "Legal"
slack_channel = "C0LEGAL"
reviewers = ["U0LEGAL1", "U0LEGAL2"]
[steps.when]
keywords = ["gewinnspiel"]

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]

[channels.outbox]
type = "outbox"
path = "/tmp/freigabe-bench-outbox.jsonl"
"""


# -- events in API Gateway's shape ------------------------------------------------------------

def api_gateway_event(path: str, body: str, headers: dict[str, str]) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy integration event, as AWS documents it."""
    sent = {"Accept": "application/json,*/*", "Host": "a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com",
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https",
            **headers}
    now = time.time()
    return {
        "resource": path, "path": path, "httpMethod": "POST",
        "headers": sent, "multiValueHeaders": {key: [value] for key, value in sent.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "resourceId": "abc123", "stage": "api",
            "requestId": f"bench-{now:.6f}", "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": "203.0.113.7", "userAgent": sent["User-Agent"]},
            "authorizer": None, "path": f"/api{path}", "resourcePath": path, "httpMethod": "POST",
            "apiId": "a1b2c3d4e5", "protocol": "HTTP/1.1",
        },
        "body": body, "isBase64Encoded": False,
    }


def signed_slack_event(fields: dict[str, str], secret: str, now: float | None = None) -> dict[str, Any]:
    from urllib.parse import urlencode

    from chalicelib.adapters.slack.signature import sign

    body = urlencode(fields)
    stamp = str(int(time.time() if now is None else now))
    return api_gateway_event("/slack/events", body, {
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sign(secret, stamp, body.encode())})


def approve_click(post_id: str, step: str, content_hash: str, secret: str,
                  now: float | None = None) -> dict[str, Any]:
    """The Approve button of a review request in a channel, clicked."""
    from chalicelib.adapters.slack.blocks import APPROVE
    from chalicelib.adapters.slack.codec import ReviewTarget

    value = ReviewTarget(post_id, step, content_hash).encode()
    payload = {
        "type": "block_actions", "user": {"id": REVIEWER, "name": "bruno.brand"},
        "team": {"id": "T0FREIGABE"}, "api_app_id": "A0FREIGABE", "trigger_id": f"1.{post_id}",
        "container": {"type": "message", "channel_id": "C0BRAND", "message_ts": "1.000001"},
        "channel": {"id": "C0BRAND", "name": "brand"},
        "actions": [{"action_id": APPROVE, "block_id": f"freigabe:{post_id}:{step}", "type": "button",
                     "value": value, "action_ts": f"{time.time():.6f}"}],
    }
    return signed_slack_event({"payload": json.dumps(payload)}, secret, now)


def status_command(secret: str, now: float | None = None) -> dict[str, Any]:
    """`/freigabe status`, typed in a channel."""
    return signed_slack_event({
        "token": "legacy", "team_id": "T0FREIGABE", "team_domain": "freigabe-dev", "channel_id": "C0BRAND",
        "channel_name": "brand", "user_id": REVIEWER, "user_name": "bruno.brand", "command": "/freigabe",
        "text": "status", "api_app_id": "A0FREIGABE", "trigger_id": "1.status",
        "response_url": "https://hooks.slack.com/commands/T0FREIGABE/1/x"}, secret, now)


# -- money ------------------------------------------------------------------------------------

class LambdaPrices:
    def __init__(self, gb_second: float = LAMBDA_GB_SECOND_USD, request: float = LAMBDA_REQUEST_USD,
                 source: str = "eu-central-1 list prices in bench/lambda_cold.py") -> None:
        self.gb_second, self.request, self.source = gb_second, request, source

    def __str__(self) -> str:
        return (f"Lambda prices: ${self.gb_second:.10f} per GB-s, ${self.request * 1e6:.2f} per million "
                f"requests ({self.source})")


def lambda_prices(path: Path = PRICES) -> LambdaPrices:
    """Lambda's prices from bench/prices.toml, the one file of prices, when it is there."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        section = data["lambda"]
        return LambdaPrices(float(section["gb_second"]), float(section["per_million_requests"]) / 1e6,
                            f"{data.get('region', '?')}, bench/prices.toml taken {data.get('taken', '?')}")
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError):
        return LambdaPrices()


def cost_per_click(seconds: float, memory_mb: int, prices: LambdaPrices | None = None) -> float:
    """Lambda's charge for one invocation of that billed duration (rounded up to 1 ms)."""
    price = prices or LambdaPrices()
    billed = math.ceil(seconds * 1000) / 1000
    return billed * memory_mb / 1024 * price.gb_second + price.request


# -- the parent: package, emulator, containers ------------------------------------------------

CONTAINER = Path(__file__).resolve().parent / "lambda_container.py"


def function_environment(template: dict[str, Any], logical_id: str = FUNCTION) -> dict[str, str]:
    """The function's environment as the template sets it, literal values only (those set with
    Ref or Fn::GetAtt name resources the bench replaces with its own)."""
    variables = dict(template.get("Globals", {}).get("Function", {}).get("Environment", {})
                     .get("Variables", {}))
    properties = template["Resources"][logical_id]["Properties"]
    variables.update(properties.get("Environment", {}).get("Variables", {}))
    return {key: value for key, value in variables.items() if isinstance(value, str)}


def configured_memory(template: dict[str, Any], logical_id: str = FUNCTION) -> int:
    properties = template["Resources"][logical_id]["Properties"]
    return int(properties.get("MemorySize")
               or template.get("Globals", {}).get("Function", {}).get("MemorySize") or 128)


def _package(work: Path) -> Path:
    reuse = os.environ.get("FREIGABE_BENCH_PACKAGE")
    if reuse:
        return Path(reuse)
    import subprocess

    out = work / "build"
    done = subprocess.run([sys.executable, "-m", "infra.package", "--stage", STAGE, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"packaging stage {STAGE} failed:\n{done.stderr[-3000:]}")
    return out


def _unpack(zip_path: Path, task: Path) -> None:
    import stat
    import zipfile

    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(task)
    read_only = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
    for folder, _, files in os.walk(task, topdown=False):
        for name in files:
            os.chmod(os.path.join(folder, name), read_only)
        os.chmod(folder, 0o555)  # noqa: S103 - /var/task's folders: readable, never writable


def _writable(task: Path) -> None:
    for folder, _, _ in os.walk(task):
        os.chmod(folder, 0o755)  # noqa: S103 - writable again, so the temporary folder can go


class Container:
    """One fresh interpreter holding the function, inside the CPU limit."""

    def __init__(self, limit: CpuLimit, task: Path, env: dict[str, str], log: Any) -> None:
        import subprocess

        command = [sys.executable, "-I", "-S", str(CONTAINER), str(task)]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(limit.wrap(command), cwd=task, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=log, text=True)

    def request(self, event: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the function's container ended (exit {self.process.wait(10)}); see its log")
        answer: dict[str, Any] = json.loads(line)
        answer["wall"] = time.perf_counter() - self.started
        return answer

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(30)


def median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def run(aws_env: dict[str, str] | None = None) -> dict[str, Any]:
    import tempfile

    from bench.slack_ack import _emulator

    with _emulator(), tempfile.TemporaryDirectory(prefix="freigabe-lambda-cold-") as tmp:
        work = Path(tmp)
        build = _package(work)
        template = json.loads((build / "sam.json").read_text(encoding="utf-8"))
        task = work / "task"
        _unpack(build / "deployment.zip", task)
        try:
            return _measure(template, task, work)
        finally:
            _writable(task)


def _measure(template: dict[str, Any], task: Path, work: Path) -> dict[str, Any]:
    import uuid

    import boto3

    from bench.slack_ack import _environment, percentile
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.schema import table_definition
    from chalicelib.services import writing
    from chalicelib.services.ports import Identity
    from chalicelib.settings import PUBLISH_QUEUE
    from dev.resources import ensure_queues, suffixed
    from dev.slack_workspace import DEV_BOT_TOKEN, DEV_SIGNING_SECRET, start_in_thread

    table = f"freigabe-lambda-cold-{uuid.uuid4().hex[:8]}"
    workflow = work / "workflow.toml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    function_env = function_environment(template)
    secrets_ref = function_env.get("FREIGABE_SLACK_SECRETS", f"ssm:/freigabe/{STAGE}/slack")
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=secrets_ref.removeprefix("ssm:"), Type="SecureString", Overwrite=True,
                      Value=json.dumps({"bot_token": DEV_BOT_TOKEN, "signing_secret": DEV_SIGNING_SECRET}))
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(**table_definition(table))
    # The click is the last approval of a post without a time, so it also claims the post and
    # queues it (services/review.take_if_due): the costliest click there is.
    suffix = table.rsplit("-", 1)[-1]
    ensure_queues(boto3.client("sqs"), suffix=suffix)
    queue = suffixed(PUBLISH_QUEUE, suffix)
    workspace = start_in_thread("http://127.0.0.1:9/slack/events")
    properties = template["Resources"][FUNCTION]["Properties"]
    name = f"freigabe-{STAGE}-{FUNCTION}"
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task), "_HANDLER": str(properties.get("Handler", "app.app")),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{properties.get('Runtime', 'python3.13')}",
        "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}", "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-central-1",
        **function_env,
        "FREIGABE_TABLE": table, "FREIGABE_PUBLISH_QUEUE": queue, "FREIGABE_CONFIG": str(workflow),
        "SLACK_API_URL": workspace.api_url,
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"], "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        **{name: os.environ[name] for name in ("FREIGABE_BENCH_PROFILE", "FREIGABE_BENCH_TRACE")
           if os.environ.get(name)},
    }
    writer = Identity("writer@freigabe.example", "Wanda Writer")
    log_path = work / "function.log"
    figures: dict[str, Any] = {"configured_mb": configured_memory(template), "runtime":
                               properties.get("Runtime"), "sizes": {}}
    parent_env = {"FREIGABE_TABLE": table, "FREIGABE_PUBLISH_QUEUE": queue,
                  "FREIGABE_CONFIG": str(workflow), "SLACK_BOT_TOKEN": DEV_BOT_TOKEN,
                  "SLACK_SIGNING_SECRET": DEV_SIGNING_SECRET, "SLACK_API_URL": workspace.api_url}
    try:
        with _environment(parent_env), open(log_path, "w") as log:
            bootstrap.reset()
            ctx = bootstrap.container().context()
            repository = bootstrap.container().repository

            def approval(publish_at: datetime | None, then: str) -> tuple[dict[str, Any], Any]:
                dynamodb.delete_table(TableName=table)
                dynamodb.create_table(**table_definition(table))
                post = writing.create(ctx, writer, writing.Draft(text="Hallo Welt", channels=["outbox"],
                                                                 publish_at=publish_at))
                event = approve_click(post.id, "brand", post.content_hash, DEV_SIGNING_SECRET)
                return event, lambda answer: (answer["status"] == 200
                                              and repository.get(post.id).status.value == then)

            def click() -> tuple[dict[str, Any], Any]:
                # The Approve click: the post has its time tomorrow, the tick takes it then.
                return approval(datetime.now(UTC) + timedelta(days=1), "scheduled")

            def click_due() -> tuple[dict[str, Any], Any]:
                # The last approval of a post without a time also claims and queues it.
                return approval(None, "publishing")

            def status() -> tuple[dict[str, Any], Any]:
                return status_command(DEV_SIGNING_SECRET), lambda answer: (
                    answer["status"] == 200 and '"blocks"' in answer["body"])

            for memory in MEMORY_SIZES:
                limit = cpu_limit(memory)
                figures["cgroup"] = limit.version if limit.folder else f"none ({limit.note}): full CPU"
                env = {**base_env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory)}
                try:
                    figures["sizes"][memory] = {"quota_us": limit.quota_us, **{
                        kind: _kind(limit, task, env, log, prepare, percentile, burst=kind == "status")
                        for kind, prepare in (("click", click), ("status", status),
                                              ("click_due", click_due))}}
                finally:
                    limit.remove()
    finally:
        workspace.stop()
        dynamodb.delete_table(TableName=table)
        bootstrap.reset()
    return _verdict(figures)


def _kind(limit: CpuLimit, task: Path, env: dict[str, str], log: Any, prepare: Any,
          percentile: Any, burst: bool = False) -> dict[str, Any]:
    """COLD_RUNS cold containers; the first then serves WARM_REQUESTS more of the same kind,
    each at least WARM_GAP_S after the previous answer (people's clicks and commands, not a
    flood), and with ``burst`` WARM_REQUESTS more back to back."""
    colds, walls, imports, cpus, gcs, warm, flood = [], [], [], [], [], [], []
    connections, bundles = [], []
    ok, total, compiled, peak = 0, 0, 0, 0.0
    for run_index in range(COLD_RUNS):
        event, check = prepare()
        container = Container(limit, task, env, log)
        try:
            first = container.request(event)
            colds.append(first["import_seconds"] + first["seconds"])
            walls.append(first["wall"])
            imports.append(first["import_seconds"])
            cpus.append(first["cpu_seconds"])
            gcs.append(first["gc_seconds"])
            connections.append(first["aws_connections"])
            bundles.append(first["ca_bundle_seconds"])
            compiled = max(compiled, first["compiled"])
            ok, total = ok + bool(check(first)), total + 1
            answered = time.monotonic()
            for _ in range(WARM_REQUESTS if run_index == 0 else 0):
                event, check = prepare()
                time.sleep(max(0.0, WARM_GAP_S - (time.monotonic() - answered)))
                answer = container.request(event)
                answered = time.monotonic()
                warm.append(answer["seconds"])
                peak = max(peak, float(answer["peak_mib"]))
                ok, total = ok + bool(check(answer)), total + 1
            for _ in range(WARM_REQUESTS if run_index == 0 and burst else 0):
                event, check = prepare()
                answer = container.request(event)
                flood.append(answer["seconds"])
                ok, total = ok + bool(check(answer)), total + 1
            peak = max(peak, float(first["peak_mib"]))
        finally:
            container.close()
    return {"cold_s": median(colds), "cold_max_s": max(colds), "process_s": median(walls),
            "import_s": median(imports), "cpu_s": median(cpus), "gc_s": median(gcs),
            "aws_connections": median(connections), "ca_bundle_s": median(bundles),
            "warm_p50_ms": median(warm) * 1000, "warm_p99_ms": percentile(warm, 0.99) * 1000,
            **({"burst_p50_ms": median(flood) * 1000, "burst_p99_ms": percentile(flood, 0.99) * 1000}
               if flood else {}),
            "ok": ok, "requests": total, "compiled": compiled, "peak_mib": peak}


def _verdict(figures: dict[str, Any], prices: LambdaPrices | None = None) -> dict[str, Any]:
    prices = prices or lambda_prices()
    figures["prices"] = str(prices)
    for memory, size in figures["sizes"].items():
        kinds = [size["click"], size["status"]]
        for kind in (value for value in size.values() if isinstance(value, dict)):
            # In AWS every new connection to AWS is HTTPS and loads botocore's CA bundle again.
            kind["https_cpu_s"] = kind.get("aws_connections", 0) * kind.get("ca_bundle_s", 0.0)
            kind["aws_cold_s"] = kind["cold_s"] + kind["https_cpu_s"] / min(1.0, cpu_share(memory))
        size["cost_cold_usd"] = cost_per_click(size["click"]["aws_cold_s"], memory, prices)
        size["cost_warm_usd"] = cost_per_click(size["click"]["warm_p50_ms"] / 1000, memory, prices)
        size["within_budget"] = all(k["aws_cold_s"] <= BUDGET_COLD_S
                                    and k["warm_p99_ms"] <= BUDGET_WARM_P99_MS
                                    and k["ok"] == k["requests"] for k in kinds)
    budget = figures["sizes"].get(BUDGET_MEMORY_MB)
    figures["within_budget"] = bool(budget and budget["within_budget"])
    configured = figures["sizes"].get(figures.get("configured_mb"))
    figures["configured_within_budget"] = bool(configured and configured["within_budget"])
    fitting = [m for m, size in figures["sizes"].items() if size["within_budget"]]
    for key in ("cost_cold_usd", "cost_warm_usd"):
        figures[f"cheapest_{key}"] = min(fitting, key=lambda m: figures["sizes"][m][key]) if fitting else None
    return figures


def report(figures: dict[str, Any]) -> str:
    lines = [f"lambda_cold: the packaged {STAGE} stage's API function ({figures['runtime']}, "
             f"configured {figures['configured_mb']} MB), read-only, `python -I -S`, "
             f"CPU quota by memory size (cgroup {figures['cgroup']})",
             "  memory  vCPU | cold click  (process) | cold status (process) | warm p50/p99 click, "
             "status ms | $/1M clicks cold, warm | peak MiB"]
    for memory, size in figures["sizes"].items():
        click, status = size["click"], size["status"]
        lines.append(
            f"  {memory:5d} MB {cpu_share(memory):4.2f} | "
            f"{click['cold_s']:6.2f} s ({click['process_s']:5.2f} s) | "
            f"{status['cold_s']:6.2f} s ({status['process_s']:5.2f} s) | "
            f"{click['warm_p50_ms']:5.1f}/{click['warm_p99_ms']:5.1f}, "
            f"{status['warm_p50_ms']:5.1f}/{status['warm_p99_ms']:5.1f} | "
            f"{size['cost_cold_usd'] * 1e6:6.2f}, {size['cost_warm_usd'] * 1e6:5.2f} | "
            f"{max(click['peak_mib'], status['peak_mib']):5.1f}"
            + ("" if size["within_budget"] else "  (over budget)"))
    for memory, size in figures["sizes"].items():
        due = size.get("click_due")
        if due:
            lines.append(f"  {memory:5d} MB, the last approval of a post due now (it also claims and "
                         f"queues it): cold {due['cold_s']:.2f} s, warm p50/p99 "
                         f"{due['warm_p50_ms']:.1f}/{due['warm_p99_ms']:.1f} ms")
    sizes = list(figures["sizes"].values())
    kinds = [size[kind] for size in sizes for kind in ("click", "status", "click_due") if kind in size]
    answered = sum(k["ok"] for k in kinds)
    total = sum(k["requests"] for k in kinds)
    compiled = max(k["compiled"] for k in kinds)
    verdict = "within" if figures["within_budget"] else "OVER"
    for memory, size in figures["sizes"].items():
        click = size["click"]
        lines.append(f"  cold click at {memory} MB: import {click['import_s']:.2f} s + first request "
                     f"{click['cold_s'] - click['import_s']:.2f} s; {click['cpu_s']:.2f} s of CPU, which "
                     f"{cpu_share(memory):.2f} vCPU cannot serve in less than "
                     f"{click['cpu_s'] / min(1.0, cpu_share(memory)):.2f} s; garbage collection "
                     f"{click.get('gc_s', 0.0) * 1000:.0f} ms of it")
        status = size["status"]
        lines.append(f"  {memory:5d} MB in AWS, over HTTPS: the cold click opens "
                     f"{click['aws_connections']:.0f} connections to AWS, each loading botocore's CA "
                     f"bundle ({click['ca_bundle_s'] * 1000:.0f} ms of CPU; not on the emulator's plain "
                     f"HTTP): cold click about "
                     f"{click['aws_cold_s']:.2f} s, status about {status['aws_cold_s']:.2f} s "
                     f"({status['aws_connections']:.0f} connections)")
        if "burst_p99_ms" in status:
            lines.append(f"  {memory:5d} MB, `/freigabe status` {WARM_REQUESTS} times back to back: "
                         f"p50/p99 {status['burst_p50_ms']:.1f}/{status['burst_p99_ms']:.1f} ms")
    lines += [
        f"  cold = import + first request, median of {COLD_RUNS} containers (process = from spawn); "
        f"warm = {WARM_REQUESTS} more in the first container, {WARM_GAP_S * 1000:.0f} ms or more apart",
        f"  requests with the expected outcome: {answered}/{total}; package modules compiled "
        f"from source: {compiled}",
        f"  {verdict} the budget at {BUDGET_MEMORY_MB} MB (cold in AWS's shape, with the CA-bundle loads): "
        f"cold <= {BUDGET_COLD_S:.1f} s, "
        f"warm p99 <= {BUDGET_WARM_P99_MS:.0f} ms; at the configured {figures['configured_mb']} MB: "
        f"{'within' if figures.get('configured_within_budget') else 'OVER'}",
        f"  {figures['prices']}; INIT is billed, so a cold click pays for the import too",
    ]
    for key, what in (("cost_warm_usd", "warm"), ("cost_cold_usd", "cold")):
        sizes = figures["sizes"]
        cheapest = min(sizes, key=lambda m: sizes[m][key])
        best = figures[f"cheapest_{key}"]
        versus = (f", {BUDGET_MEMORY_MB} MB ${sizes[BUDGET_MEMORY_MB][key] * 1e6:.2f}"
                  if BUDGET_MEMORY_MB in sizes and cheapest != BUDGET_MEMORY_MB else "")
        fits = f"within budget: {best} MB" if best else "no size meets the budget"
        lines.append(f"  cheapest per {what} click: {cheapest} MB (${sizes[cheapest][key] * 1e6:.2f} per "
                     f"million{versus}); {fits}")
    return "\n".join(lines)
