"""bench/lambda_cold.py's arithmetic and shapes: the CPU quota per memory size, the cgroup files it
writes (v2 and v1), the API Gateway events and their Slack signatures, and the price of a click.
Timing is measured by `make bench`, never asserted here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bench import lambda_cold
from bench.cpu_limit import PERIOD_US, cpu_limit, cpu_quota_us
from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.codec import ReviewTarget
from chalicelib.adapters.slack.signature import refusal

SECRET = "bench-signing-secret"
NOW = 1_790_000_000.0

REST_PROXY_KEYS = {"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                   "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext",
                   "body", "isBase64Encoded"}


@pytest.mark.parametrize(("memory", "quota"), [(512, 28_943), (1024, 57_886), (1769, 100_000),
                                               (3538, 200_000), (128, 7_236)])
def test_quota_is_the_memory_sizes_share_of_one_vcpu(memory: int, quota: int) -> None:
    assert cpu_quota_us(memory) == quota


def test_512_mb_matches_the_issues_figure() -> None:
    assert abs(cpu_quota_us(512) - 28_950) / 28_950 < 0.001  # the issue rounds 0.2894 to 0.2895


def test_cgroup_v2_gets_cpu_max_and_the_cpu_controller(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("memory\n")

    limit = cpu_limit(512, root=tmp_path, name="bench")

    assert limit.version == "v2"
    assert (tmp_path / "bench" / "cpu.max").read_text() == f"28943 {PERIOD_US}"
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+cpu"
    assert limit.procs == tmp_path / "bench" / "cgroup.procs"


def test_cgroup_v1_gets_period_and_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")

    limit = cpu_limit(1024, root=tmp_path, name="bench")

    assert limit.version == "v1"
    assert (tmp_path / "cpu" / "bench" / "cpu.cfs_period_us").read_text() == str(PERIOD_US)
    assert (tmp_path / "cpu" / "bench" / "cpu.cfs_quota_us").read_text() == "57886"


def test_without_a_cgroup_the_child_runs_at_full_cpu_and_says_why(tmp_path: Path) -> None:
    limit = cpu_limit(512, root=tmp_path / "missing")

    assert limit.folder is None and "no cgroup" in limit.note
    assert limit.wrap(["python", "-I"]) == ["python", "-I"]
    limit.remove()


def test_the_wrapper_puts_the_child_into_the_cgroup_before_it_starts(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpu\n")
    (tmp_path / "cgroup.subtree_control").write_text("cpu\n")
    limit = cpu_limit(512, root=tmp_path, name="bench")

    # The same process (exec) that wrote its pid prints it: nothing ran outside the cgroup.
    done = subprocess.run(limit.wrap(["/bin/sh", "-c", "echo $$"]), capture_output=True, text=True,
                          check=True)

    assert (tmp_path / "bench" / "cgroup.procs").read_text().strip() == done.stdout.strip()


def test_approve_click_is_a_signed_rest_proxy_event_slack_would_send() -> None:
    event = lambda_cold.approve_click("p-1", "brand", "h" * 64, SECRET, now=NOW)

    assert set(event) == REST_PROXY_KEYS
    assert (event["httpMethod"], event["path"], event["isBase64Encoded"]) == ("POST", "/slack/events", False)
    assert event["multiValueHeaders"]["X-Slack-Signature"] == [event["headers"]["X-Slack-Signature"]]
    assert refusal(SECRET, event["headers"], event["body"].encode(), now=lambda: NOW) is None
    payload = json.loads(parse_qs(event["body"])["payload"][0])
    assert payload["type"] == "block_actions" and payload["container"]["type"] == "message"
    action = payload["actions"][0]
    assert action["action_id"] == blocks.APPROVE
    assert ReviewTarget.decode(action["value"]) == ReviewTarget("p-1", "brand", "h" * 64)


def test_status_command_is_a_signed_slash_command() -> None:
    event = lambda_cold.status_command(SECRET, now=NOW)

    assert set(event) == REST_PROXY_KEYS
    assert refusal(SECRET, event["headers"], event["body"].encode(), now=lambda: NOW) is None
    assert refusal("another-secret", event["headers"], event["body"].encode(), now=lambda: NOW)
    fields = parse_qs(event["body"])
    assert (fields["command"], fields["text"]) == (["/freigabe"], ["status"])


def test_a_click_costs_its_billed_gb_seconds_plus_the_request() -> None:
    one_second_at_1_gb = lambda_cold.cost_per_click(1.0, 1024)
    assert one_second_at_1_gb == pytest.approx(0.0000166667 + 0.0000002)
    # Billed per started millisecond.
    assert lambda_cold.cost_per_click(0.0101, 512) == lambda_cold.cost_per_click(0.011, 512)


def test_prices_come_from_the_one_prices_file_when_it_is_there(tmp_path: Path) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text('taken = "2026-11-29"\nregion = "eu-central-1"\n'
                      '[lambda]\ngb_second = 0.00002\nper_million_requests = 0.25\n')

    read = lambda_cold.lambda_prices(prices)

    assert (read.gb_second, read.request) == (0.00002, 0.25 / 1e6)
    assert "2026-11-29" in str(read)
    assert lambda_cold.cost_per_click(1.0, 1024, read) == pytest.approx(0.00002 + 0.00000025)
    missing = lambda_cold.lambda_prices(tmp_path / "none.toml")
    assert (missing.gb_second, missing.request) == pytest.approx((0.0000166667, 0.0000002))


def test_the_template_environment_keeps_literal_values_only() -> None:
    template = {"Globals": {"Function": {"Environment": {"Variables": {
        "FREIGABE_AUTH": "cognito", "FREIGABE_TABLE": {"Ref": "Table"}}}}},
        "Resources": {"APIHandler": {"Properties": {"MemorySize": 512, "Environment": {"Variables": {
            "FREIGABE_SLACK_SECRETS": "ssm:/freigabe/prod/slack"}}}}}}

    assert lambda_cold.function_environment(template) == {
        "FREIGABE_AUTH": "cognito", "FREIGABE_SLACK_SECRETS": "ssm:/freigabe/prod/slack"}
    assert lambda_cold.configured_memory(template) == 512


def kind(cold_s: float, connections: int, ca_bundle_s: float) -> dict[str, object]:
    return {"cold_s": cold_s, "warm_p99_ms": 20.0, "warm_p50_ms": 10.0, "ok": 5, "requests": 5,
            "aws_connections": connections, "ca_bundle_s": ca_bundle_s, "process_s": cold_s + 0.05,
            "import_s": 0.3, "cpu_s": cold_s, "gc_s": 0.0, "peak_mib": 70.0, "compiled": 0}


def test_the_verdict_adds_a_ca_bundle_load_per_new_aws_connection_as_aws_would_over_https() -> None:
    """The emulator speaks HTTP; in AWS each of a cold click's new connections loads botocore's
    CA bundle, at the memory size's CPU share."""
    figures = {"configured_mb": 1769, "sizes": {
        1769: {"quota_us": 100_000, "click": kind(0.90, 3, 0.040), "status": kind(0.80, 2, 0.040)},
        512: {"quota_us": 28_943, "click": kind(0.90, 3, 0.040), "status": kind(0.80, 2, 0.040)}}}

    verdict = lambda_cold._verdict(figures, lambda_cold.LambdaPrices())

    assert verdict["sizes"][1769]["click"]["aws_cold_s"] == pytest.approx(1.02)
    assert verdict["sizes"][512]["click"]["aws_cold_s"] == pytest.approx(0.90 + 0.12 / (512 / 1769))
    assert verdict["sizes"][1769]["status"]["aws_cold_s"] == pytest.approx(0.88)
    assert not verdict["configured_within_budget"]  # 0.90 s measured, 1.02 s in AWS's shape
    assert "2 connections" in lambda_cold.report({**verdict, "runtime": "python3.13", "cgroup": "v1"})
