"""The Lambda-shaped tier: the real deployment package of stage prod (dependencies and
bytecode included, built once per test run by infra/package.py), unpacked read-only, each
function's handler run from it in a fresh `python -I -S` interpreter (runner.py) over the moto
server, with the resources the packaged template defines created there under its names.

Slack: the dev workspace stand-in, with SLACK_API_URL pointing at it (the one variable added to
the template's environment besides the AWS endpoint); the bot token and signing secret are in
moto's SSM under the FREIGABE_SLACK_SECRETS path of the stage (/freigabe/prod/slack), as in AWS.
The workspace delivers clicks to a small bridge that turns each HTTP request into an API
Gateway proxy event for the API function. The workflow file is the package's own steps with one
webhook channel to a local receiver (its secret in SSM too), given by FREIGABE_CONFIG: the
package's outbox channel writes into /var/task, which Lambda does not allow.

Every AWS call a function makes is checked against that function's role in the template; a
call the role does not allow fails the test.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from . import template as cfn

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RUNNER = Path(__file__).resolve().parent / "runner.py"
STAGE = "prod"
WEBHOOK_SECRET = "lambda-tier-webhook-secret"
REMIND_AFTER_HOURS = 0.0003


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "lambda_tier: runs the packaged functions as Lambda does "
                            "(packages stage prod once per run: about 30 s, needs the package index)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.lambda_tier)


# -- the package, once per run (shared by the xdist workers through a lock file) ----------------

@dataclass(frozen=True)
class Package:
    zip_path: Path
    template: dict[str, Any]
    task_root: Path


def _shared_dir(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


READ_ONLY_DIR = stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH


def _make_read_only(root: Path) -> None:
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            os.chmod(os.path.join(folder, name), stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.chmod(folder, READ_ONLY_DIR)


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    from infra.package import build

    # FREIGABE_LAMBDA_PACKAGE: a lambda-package folder of an earlier run, to skip packaging
    # while working on these tests.
    reuse = os.environ.get("FREIGABE_LAMBDA_PACKAGE")
    shared = Path(reuse) if reuse else _shared_dir(tmp_path_factory) / "lambda-package"
    shared.mkdir(exist_ok=True)
    with open(shared.parent / "lambda-package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "done"
        if not done.exists():
            out = shared / "build"
            shutil.rmtree(out, ignore_errors=True)
            build(STAGE, out)
            task = shared / "task"
            with zipfile.ZipFile(out / "deployment.zip") as archive:
                archive.extractall(task)
            # Zip entries keep their mode bits; Lambda's /var/task is read-only in any case.
            _make_read_only(task)
            done.write_text("ok")
    template = json.loads((shared / "build" / "sam.json").read_text(encoding="utf-8"))
    return Package(shared / "build" / "deployment.zip", template, shared / "task")


def tree_files(root: Path) -> set[str]:
    return {os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
            for folder, _, files in os.walk(root) for name in files}


# -- the deployed stage on the emulator ---------------------------------------------------------

@dataclass
class Invocation:
    function: cfn.Function
    results: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    invocations: list[Invocation]
    compiled: list[str]
    raw: dict[str, Any]

    @property
    def answers(self) -> list[Any]:
        for result in self.results:
            assert "ok" in result, result.get("trace")
        return [result["ok"] for result in self.results]

    def all_calls(self) -> list[tuple[str, dict[str, Any]]]:
        own = [(self.function.logical_id, call) for call in self.calls]
        return own + [pair for child in self.invocations for pair in child.all_calls()]


@dataclass
class Stage:
    package: Package
    resolve: cfn.Resolver
    functions: dict[str, cfn.Function]
    environment: dict[str, str]
    slack: Any  # dev.slack_workspace.server.ServerHandle
    webhook_log: Path
    table: str
    stream_arn: str
    queue_url: str
    failures: list[str] = field(default_factory=list)  # from runs the test did not start itself
    bridge: Any = None  # Bridge: the API Gateway the Slack workspace delivers to

    def check_role(self, logical_id: str, calls: list[dict[str, Any]]) -> None:
        """Calls Lambda makes with the function's role (its event source poller, its logs)."""
        denied = cfn.denied_calls(self.functions[logical_id], calls)
        assert not denied, f"{logical_id}'s role does not allow:\n" + "\n".join(denied)

    def by_name(self, name: str) -> cfn.Function:
        found = [f for f in self.functions.values() if f.name == name or f.arn == name]
        assert found, f"no function {name} in the template"
        return found[0]

    def invoke(self, logical_id: str, events: list[dict[str, Any]]) -> Invocation:
        """Run the function's handler on the events in one fresh isolated interpreter (one
        container, warm after the first event), then the asynchronous invocations it made, each
        in another fresh interpreter; fail on any call the function's role does not allow."""
        function = self.functions[logical_id]
        invocation = self._run(function, events)
        calls = invocation.all_calls()
        # The runtime writes the function's logs with its role, to the group LoggingConfig names.
        calls += [(fid, {"service": "logs", "operation": operation,
                         "params": {"logGroupName": f"/aws/lambda/{self.functions[fid].name}",
                                    "logStreamName": "2026/11/29/[$LATEST]0123456789abcdef"}})
                  for fid in {fid for fid, _ in calls} | {logical_id}
                  for operation in ("CreateLogStream", "PutLogEvents")]
        denied = [f"{fid}: {refusal}" for fid, call in calls
                  for refusal in cfn.denied_calls(self.functions[fid], [call])]
        assert not denied, "calls the roles do not allow:\n" + "\n".join(denied)
        return invocation

    def _run(self, function: cfn.Function, events: list[dict[str, Any]]) -> Invocation:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(self.package.task_root),
            "_HANDLER": function.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "AWS_REGION": cfn.REGION,
            "AWS_DEFAULT_REGION": cfn.REGION,
            **function.environment,
            **self.environment,
        }
        with tempfile.TemporaryDirectory(prefix="lambda-run-") as tmp:
            request = Path(tmp) / "request.json"
            result = Path(tmp) / "result.json"
            request.write_text(json.dumps({"function_name": function.name, "function_arn": function.arn,
                                           "memory": function.memory, "timeout": function.timeout,
                                           "events": events}), encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-I", "-S", str(RUNNER), str(self.package.task_root), function.handler,
                 str(request), str(result)],
                cwd=self.package.task_root, env=env, capture_output=True, text=True, timeout=120,
                check=False)
            assert done.returncode == 0 and result.exists(), done.stderr[-3000:]
            raw = json.loads(result.read_text(encoding="utf-8"))
        assert "init_error" not in raw, raw["init_error"] + done.stdout[-2000:] + done.stderr[-2000:]
        # Every module of the package loads from its bytecode (infra/bytecode.py): none compiled.
        compiled = [path for path in raw["compiled"] if path.startswith(str(self.package.task_root))]
        assert not compiled, f"compiled from source in {function.logical_id}: {compiled[:10]}"
        children = []
        for asynchronous in raw["invocations"]:
            assert asynchronous["InvocationType"] == "Event"
            children.append(self._run(self.by_name(asynchronous["FunctionName"]), [asynchronous["Payload"]]))
        return Invocation(function, raw["results"], raw["calls"], children, raw["compiled"], raw)


class Bridge:
    """API Gateway in front of the API function, for the Slack workspace's deliveries."""

    def __init__(self, stage_ref: list[Stage]) -> None:
        from .events import api_event

        bridge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {key: value for key, value in self.headers.items()
                           if key.lower() not in ("host", "content-length", "connection")}
                event = api_event("POST", self.path, body=body, headers=headers)
                try:
                    run = stage_ref[0].invoke("APIHandler", [event])
                    bridge.runs.append(run)
                    answer = run.answers[0]
                except AssertionError as err:
                    stage_ref[0].failures.append(str(err))
                    answer = {"statusCode": 500, "headers": {}, "body": "bridge: " + str(err)[:500]}
                bridge.answers.append(answer)
                data = (answer.get("body") or "").encode()
                self.send_response(int(answer["statusCode"]))
                for key, value in (answer.get("headers") or {}).items():
                    if key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.answers: list[dict[str, Any]] = []
        self.runs: list[Invocation] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name="lambda-bridge", daemon=True).start()


def _workflow(package: Package, path: Path, webhook_url: str) -> None:
    """The package's workflow file as one brand (its first brand's steps) with one webhook
    channel instead of its channels."""
    text = (package.task_root / "chalicelib" / "freigabe.toml").read_text(encoding="utf-8")
    defaults, brand = text.split("\n[brands.channels.", 1)[0].split("\n[[brands]]\n", 1)
    steps = "[[brands.steps]]" + brand.split("[[brands.steps]]", 1)[1]  # without its name
    head = defaults + "\n" + steps.replace("[[brands.steps", "[[steps").replace("[brands.steps", "[steps")
    assert "[[steps]]" in head and "remind_after_hours = 24" in head
    # Reminders after about a second instead of a day, so the reminder function has work.
    head = head.replace("remind_after_hours = 24", f"remind_after_hours = {REMIND_AFTER_HOURS}")
    path.write_text(head + f'\n[channels.hooks]\ntype = "webhook"\nurl = "{webhook_url}"\n'
                    f'secret = "ssm:/freigabe/{STAGE}/webhook-secret"\n', encoding="utf-8")


@pytest.fixture(scope="session")
def stage(package: Package, aws_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    import boto3

    from chalicelib.adapters.dynamodb.schema import table_definition
    from dev.resources import ensure_media_bucket
    from dev.slack_workspace import DEV_BOT_TOKEN, DEV_SIGNING_SECRET, start_in_thread
    from dev.webhook_sink import make_handler

    resolve = cfn.Resolver(package.template, {"Stage": STAGE})
    resources = package.template["Resources"]
    table = str(resolve.ref("Table"))
    dynamodb = boto3.client("dynamodb", endpoint_url=aws_endpoint, region_name=cfn.REGION)
    dynamodb.create_table(**table_definition(table))
    stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    resolve.stream_arn = stream_arn
    sqs = boto3.client("sqs", endpoint_url=aws_endpoint, region_name=cfn.REGION)
    urls = {logical_id: sqs.create_queue(QueueName=resolve.get_att(logical_id, "QueueName"))["QueueUrl"]
            for logical_id, resource in resources.items() if resource["Type"] == "AWS::SQS::Queue"}
    logs = boto3.client("logs", endpoint_url=aws_endpoint, region_name=cfn.REGION)
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Logs::LogGroup":
            logs.create_log_group(logGroupName=resolve.ref(logical_id))
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=cfn.REGION)
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::S3::Bucket":
            origins = [str(resolve(origin)) for rule in
                       resource["Properties"].get("CorsConfiguration", {}).get("CorsRules", [])
                       for origin in rule["AllowedOrigins"]]
            ensure_media_bucket(s3, resolve.ref(logical_id), origins)
    ssm = boto3.client("ssm", endpoint_url=aws_endpoint, region_name=cfn.REGION)
    ssm.put_parameter(Name=f"/freigabe/{STAGE}/slack", Type="SecureString", Value=json.dumps(
        {"bot_token": DEV_BOT_TOKEN, "signing_secret": DEV_SIGNING_SECRET}))
    ssm.put_parameter(Name=f"/freigabe/{STAGE}/webhook-secret", Type="SecureString", Value=WEBHOOK_SECRET)

    tmp = tmp_path_factory.mktemp("lambda-stage")
    webhook_log = tmp / "webhook.jsonl"
    sink = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(WEBHOOK_SECRET, webhook_log))
    threading.Thread(target=sink.serve_forever, name="webhook-sink", daemon=True).start()
    workflow = tmp / "workflow.toml"
    _workflow(package, workflow, f"http://127.0.0.1:{sink.server_address[1]}/freigabe")

    stage_ref: list[Stage] = []
    bridge = Bridge(stage_ref)
    slack = start_in_thread(bridge.url + "/slack/events", delivery_timeout=60)
    environment = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "FREIGABE_CONFIG": str(workflow),
        "SLACK_API_URL": slack.api_url,
    }
    functions = cfn.functions(package.template, resolve)
    built = Stage(package, resolve, functions, environment, slack, webhook_log, table, stream_arn,
                  urls["PublishQueue"], bridge=bridge)
    stage_ref.append(built)
    yield built
    slack.stop()
    bridge.server.shutdown()
    sink.shutdown()


@pytest.fixture
def lambda_stage(stage: Stage) -> Iterator[Stage]:
    """The stage with an empty Slack workspace; bridged runs must not have failed."""
    stage.slack.workspace.reset()
    stage.failures.clear()
    yield stage
    assert not stage.failures, stage.failures
