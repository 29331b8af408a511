"""The workflow file: a valid one loads; an invalid one names the key and the problem."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from chalicelib.config import WebhookChannel, WorkflowError, load_config, parse_config

SAMPLE = Path(__file__).resolve().parents[2] / "chalicelib" / "freigabe.toml"


def sample() -> dict[str, Any]:
    """The shipped sample as a file without brands: its defaults with the first brand's steps
    and channels (the second brand is tested in test_the_sample_has_two_brands)."""
    data = tomllib.loads(SAMPLE.read_text())
    first = data.pop("brands")[0]
    data.update({key: first[key] for key in ("steps", "channels")})
    return data


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(WorkflowError) as caught:
        parse_config(data, "freigabe.toml")
    return str(caught.value)


def test_the_shipped_sample_loads_with_its_steps_and_channels() -> None:
    config = load_config(SAMPLE)
    workflow = config.workflow
    assert [s.name for s in workflow.steps] == ["legal", "brand", "client"]
    assert workflow.steps[0].when is not None and "rabatt" in workflow.steps[0].when.keywords
    assert dict(workflow.channels) == {"outbox": "outbox", "hooks": "webhook"}
    assert {name: c.type for name, c in config.channels.items()} == {
        **workflow.channels, "kaffee_outbox": "outbox"}


def test_the_sample_has_two_brands_with_their_own_review_and_writers() -> None:
    config = load_config(SAMPLE)
    organization = config.organization
    assert organization.names == ("freigabe", "kaffeebar")
    assert organization.default == "freigabe"
    kaffee = organization.brand("kaffeebar")
    assert kaffee.brand_title == "Kaffeebar am Markt"
    assert [s.name for s in kaffee.steps] == ["kaffeebar"]
    assert config.slack.for_brand("kaffeebar").channel_for("kaffeebar") == "C0KAFFEE"
    assert dict(kaffee.channels) == {"kaffee_outbox": "outbox"}
    # the company's writers write for the company; its barista and the café's people for both
    assert organization.brands_for("writer@freigabe.example") == ("freigabe",)
    assert organization.brands_for("kaffee@freigabe.example") == ("freigabe", "kaffeebar")
    assert organization.brands_for("tom@kaffeebar.example") == ("freigabe", "kaffeebar")


def test_the_file_splits_into_the_domain_workflow_and_the_adapters_settings() -> None:
    """The domain gets rules and people; Slack channel ids and secrets stay with adapters."""
    data = sample()
    config = parse_config(data, "freigabe.toml")
    assert {s.name: config.slack.channel_for(s.name) for s in config.workflow.steps} == {
        s["name"]: s["slack_channel"] for s in data["steps"]}
    assert not hasattr(config.workflow.steps[0], "slack_channel")
    assert config.workflow.admins == frozenset(data.get("admins", []))
    assert config.workflow.step("legal").label == data["steps"][0]["label"]


def test_an_unknown_key_is_named() -> None:
    data = sample()
    data["steps"][0]["approvers"] = ["U1"]
    assert "steps[0].approvers: unknown key" in problems(data)


def test_a_step_without_slack_channel_is_named() -> None:
    data = sample()
    del data["steps"][1]["slack_channel"]
    assert "steps[1].slack_channel: Field required" in problems(data)


@pytest.mark.parametrize("change", [
    {"reviewer_group": "S0LEGAL"},  # both
    {"reviewers": None},  # neither
])
def test_reviewers_and_reviewer_group_exactly_one(change: dict[str, Any]) -> None:
    data = sample()
    step = data["steps"][0]
    for key, value in change.items():
        if value is None:
            del step[key]
        else:
            step[key] = value
    assert "steps[0]: give either 'reviewers' or 'reviewer_group'" in problems(data)


def test_an_unknown_channel_type_is_named() -> None:
    data = sample()
    data["channels"]["outbox"]["type"] = "myspace"
    assert "channels.outbox: unknown channel type" in problems(data)


@pytest.mark.parametrize("reference", ["plaintext-token", "env:", "ssm:no-slash", "vault:x"])
def test_a_malformed_secret_reference_is_named(reference: str) -> None:
    data = sample()
    data["channels"]["hooks"]["secret"] = reference
    message = problems(data)
    assert "channels.hooks.secret: must be a secret reference" in message
    assert reference not in message or reference in ("env:",)


def test_a_bad_timezone_is_named() -> None:
    data = sample()
    data["timezone"] = "Europe/Atlantis"
    assert "timezone: unknown time zone 'Europe/Atlantis'" in problems(data)


def test_when_channels_must_exist() -> None:
    data = sample()
    data["steps"][0]["when"]["channels"] = ["tiktok"]
    assert "unknown channel(s): tiktok" in problems(data)


def test_more_approvals_than_reviewers_is_refused() -> None:
    data = sample()
    data["steps"][1]["approvals_required"] = 2
    assert "approvals_required is 2 but only 1 reviewer(s)" in problems(data)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(WorkflowError, match="not found"):
        load_config(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("timezone = \n")
    with pytest.raises(WorkflowError, match="not valid TOML"):
        load_config(broken)


# -- an invalid file stops everything that would start with it ---------------------------------

def _with_unknown_key(tmp_path: Path) -> Path:
    path = tmp_path / "flow.toml"
    path.write_text(SAMPLE.read_text(encoding="utf-8") + "\nbogus = 1\n", encoding="utf-8")
    return path


def test_make_run_refuses_to_start_with_an_invalid_workflow_file(tmp_path: Path) -> None:
    import io
    import threading

    from dev.processes import Console
    from dev.stack import Stack

    # GIVEN a workflow file with an unknown key
    out = io.StringIO()
    caller = {"FREIGABE_CONFIG": str(_with_unknown_key(tmp_path)),
              "FREIGABE_STATE_DIR": str(tmp_path / "state")}
    # WHEN the stack starts
    code = Stack(caller, Console(out)).run(threading.Event())
    # THEN it exits non-zero naming the key and the problem, before starting anything
    assert code == 1
    assert "bogus: unknown key" in out.getvalue()
    assert "[aws]" not in out.getvalue() and not (tmp_path / "state").exists()


def test_packaging_refuses_an_invalid_workflow_file(tmp_path: Path) -> None:
    from infra import package
    from infra.resources import PackagingError

    _with_unknown_key(tmp_path)
    with pytest.raises(PackagingError, match="bogus: unknown key"):
        package.validate_workflow(tmp_path, {"FREIGABE_CONFIG": "flow.toml"}, "prod")


# -- URLs that follow the environment `make run` was given (docs/workflow.md) ------------------

def test_the_sample_webhook_follows_the_webhook_port_make_run_was_given() -> None:
    moved = load_config(SAMPLE, env={"FREIGABE_WEBHOOK_PORT": "9123"}).channels["hooks"]
    default = load_config(SAMPLE, env={}).channels["hooks"]
    assert isinstance(moved, WebhookChannel) and isinstance(default, WebhookChannel)
    assert moved.url == "http://127.0.0.1:9123/freigabe"
    assert default.url == "http://127.0.0.1:8002/freigabe"


def test_a_url_naming_an_unset_variable_without_a_default_names_the_key() -> None:
    data = sample()
    data["channels"]["hooks"]["url"] = "http://127.0.0.1:${HOOKS_PORT}/freigabe"
    with pytest.raises(WorkflowError, match=r"channels\.hooks\.url: .*HOOKS_PORT is not set"):
        parse_config(data, "freigabe.toml", env={})
