"""A deployed stage's workflow file is checked for Lambda when it is packaged: whatever can only
work on a developer's machine is refused with an error naming the key, never a warning.

GIVEN a stage whose FREIGABE_CONFIG names a workflow file that validates
WHEN packaging checks it (infra/package.py: check_workflow)
THEN a setting that cannot work in Lambda stops packaging, and the shipped example passes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra import package, resources
from infra.resources import PackagingError

ROOT = Path(__file__).resolve().parents[2]
FLOW = "chalicelib/workflows/flow.toml"
EXAMPLE = "chalicelib/workflows/example-prod.toml"
STEPS = """\
timezone = "Europe/Berlin"
admins = ["U0123ADMIN"]

[[steps]]
name = "legal"
label = "Legal"
slack_channel = "C0123LEGAL"
reviewers = ["U0123LEGAL"]
"""
MASTODON = """
[channels.mastodon]
type = "mastodon"
base_url = "https://mastodon.social"
access_token = "ssm:/freigabe/prod/mastodon-token"
"""


def stage_with(tmp_path: Path, channels: str, *, steps: str = STEPS, env: dict[str, str] | None = None,
               ) -> dict[str, str]:
    """A project in tmp_path whose stage prod uses a workflow file with these channels."""
    path = tmp_path / FLOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(steps + channels, encoding="utf-8")
    return {"FREIGABE_CONFIG": FLOW, **(env or {})}


def refusal(tmp_path: Path, env: dict[str, str]) -> str:
    with pytest.raises(PackagingError) as caught:
        package.check_workflow(tmp_path, env, "prod")
    return str(caught.value)


def test_a_workflow_that_works_in_lambda_passes(tmp_path: Path) -> None:
    assert package.check_workflow(tmp_path, stage_with(tmp_path, MASTODON), "prod") == []


@pytest.mark.parametrize("path", ["out.jsonl", ".freigabe/outbox.jsonl", "/tmp/outbox.jsonl"])
def test_an_outbox_is_refused_wherever_it_writes(tmp_path: Path, path: str) -> None:
    env = stage_with(tmp_path, MASTODON + f'[channels.outbox]\ntype = "outbox"\npath = "{path}"\n')
    assert "channels.outbox: an outbox writes to a local file" in refusal(tmp_path, env)


def test_an_env_secret_reference_is_refused(tmp_path: Path) -> None:
    env = stage_with(tmp_path, '[channels.hooks]\ntype = "webhook"\nurl = "https://hooks.example.org/in"\n'
                               'secret = "env:HOOK"\n')
    message = refusal(tmp_path, env)
    assert "channels.hooks.secret = env:HOOK" in message
    assert "ssm:/freigabe/prod/" in message


def test_a_secret_the_roles_cannot_read_is_refused(tmp_path: Path) -> None:
    env = stage_with(tmp_path, '[channels.hooks]\ntype = "webhook"\nurl = "https://hooks.example.org/in"\n'
                               'secret = "ssm:/other/team/secret"\n')
    assert "channels.hooks.secret = ssm:/other/team/secret: the functions may not read it" in refusal(
        tmp_path, env)


@pytest.mark.parametrize("key, url", [
    ("url", "http://127.0.0.1:8002/freigabe"),
    ("url", "https://localhost/freigabe"),
    ("url", "https://[::1]:8443/freigabe"),
    ("url", "https://0.0.0.0/freigabe"),
    ("base_url", "https://127.0.0.2"),
    ("base_url", "https://api.localhost"),
])
def test_a_loopback_url_is_refused(tmp_path: Path, key: str, url: str) -> None:
    channel = (f'[channels.hooks]\ntype = "webhook"\nurl = "{url}"\nsecret = "ssm:/freigabe/prod/hook"\n'
               if key == "url" else MASTODON.replace("https://mastodon.social", url))
    env = stage_with(tmp_path, channel)
    name = "hooks" if key == "url" else "mastodon"
    assert f"channels.{name}.{key} = {url}: a loopback address" in refusal(tmp_path, env)


def test_a_loopback_default_of_an_environment_reference_is_refused(tmp_path: Path) -> None:
    """The sample's webhook: `${FREIGABE_WEBHOOK_PORT:-8002}` expands with the stage's environment,
    which is what the functions will see, not the packaging shell's."""
    env = stage_with(tmp_path, '[channels.hooks]\ntype = "webhook"\n'
                               'url = "https://${HOOK_HOST:-127.0.0.1}:${FREIGABE_WEBHOOK_PORT:-8002}/in"\n'
                               'secret = "ssm:/freigabe/prod/hook"\n')
    message = refusal(tmp_path, env)
    assert "channels.hooks.url = https://127.0.0.1:8002/in (from https://${HOOK_HOST:-127.0.0.1}" in message
    assert "a loopback address" in message


def test_an_environment_reference_set_by_the_stage_is_what_is_checked(tmp_path: Path) -> None:
    url = '[channels.hooks]\ntype = "webhook"\nurl = "${HOOK_URL:-https://hooks.example.org/in}"\n' \
          'secret = "ssm:/freigabe/prod/hook"\n'
    assert package.check_workflow(tmp_path, stage_with(tmp_path, url), "prod") == [
        "channels.hooks.url = https://hooks.example.org/in: hooks.example.org is a placeholder host "
        "(a reserved example domain); put the real one"]
    env = stage_with(tmp_path, url, env={"HOOK_URL": "http://localhost:9000/in"})
    assert "channels.hooks.url = http://localhost:9000/in (from ${HOOK_URL" in refusal(tmp_path, env)


def test_a_reference_to_a_variable_only_the_packaging_shell_has_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_URL", "https://hooks.example.org/in")
    env = stage_with(tmp_path, '[channels.hooks]\ntype = "webhook"\nurl = "${HOOK_URL}"\n'
                               'secret = "ssm:/freigabe/prod/hook"\n')
    assert "channels.hooks.url: environment variable HOOK_URL is not set" in refusal(tmp_path, env)


@pytest.mark.parametrize("host, why", [
    ("10.0.0.7", "a private address"),
    ("192.168.1.20", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("webhook-sink", "a host name without a domain"),
    ("host.docker.internal", "a local network's name"),
    ("printer.local", "a local network's name"),
])
def test_a_url_only_a_local_network_can_reach_is_refused(tmp_path: Path, host: str, why: str) -> None:
    env = stage_with(tmp_path, '[channels.hooks]\ntype = "webhook"\n'
                               f'url = "https://{host}:8002/in"\nsecret = "ssm:/freigabe/prod/hook"\n')
    assert f"channels.hooks.url = https://{host}:8002/in: {why}" in refusal(tmp_path, env)


def test_plain_http_is_refused(tmp_path: Path) -> None:
    env = stage_with(tmp_path, MASTODON.replace("https://", "http://"))
    assert "channels.mastodon.base_url = http://mastodon.social: plain http" in refusal(tmp_path, env)


def test_the_local_slack_stand_in_s_ids_are_refused(tmp_path: Path) -> None:
    steps = STEPS.replace("C0123LEGAL", "C0LEGAL").replace('["U0123ADMIN"]', '["U0ADMIN"]')
    message = refusal(tmp_path, stage_with(tmp_path, MASTODON, steps=steps))
    assert "steps[0].slack_channel = C0LEGAL: an id of the local Slack stand-in" in message
    assert "admins[0] = U0ADMIN: an id of the local Slack stand-in" in message


@pytest.mark.parametrize("config_path, why", [
    ("/home/someone/flow.toml", "inside chalicelib/"),
    ("chalicelib/../flow.toml", "inside chalicelib/"),
    ("tests/fixtures/workflow.toml", "inside chalicelib/"),
])
def test_a_workflow_file_outside_the_package_is_refused(tmp_path: Path, config_path: str, why: str) -> None:
    stage_with(tmp_path, MASTODON)
    message = refusal(tmp_path, {"FREIGABE_CONFIG": config_path})
    assert f"FREIGABE_CONFIG = {config_path}" in message and why in message


def test_a_stage_without_a_workflow_file_of_its_own_is_refused(tmp_path: Path) -> None:
    assert "FREIGABE_CONFIG is not set" in refusal(tmp_path, {})


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    env = stage_with(tmp_path, '[channels.outbox]\ntype = "outbox"\n'
                               '[channels.hooks]\ntype = "webhook"\nurl = "http://127.0.0.1:8002/freigabe"\n'
                               'secret = "env:WEBHOOK_SECRET"\n')
    lines = refusal(tmp_path, env).splitlines()
    assert [line.strip().split(" ", 1)[0] for line in lines[1:]] == [
        "channels.outbox:", "channels.hooks.url", "channels.hooks.secret"]


def test_the_local_sample_is_refused_for_a_deployed_stage() -> None:
    message = refusal(ROOT, {"FREIGABE_CONFIG": "chalicelib/freigabe.toml"})
    for key in ("channels.outbox:", "channels.hooks.url", "channels.hooks.secret", "steps[0].slack_channel"):
        assert key in message


# -- the shipped files ------------------------------------------------------------------------------

def test_every_deployed_stage_points_at_a_workflow_file_that_passes() -> None:
    config = package.load_config()
    stages = [name for name in config["stages"] if name != "local"]
    assert stages == ["dev", "prod"]
    for stage in stages:
        env = resources.stage_environment(config, stage)
        assert env["FREIGABE_CONFIG"].startswith("chalicelib/workflows/")
        package.validate_workflow(package.ROOT, env, stage)
        package.check_workflow(package.ROOT, env, stage)


def test_prod_points_at_the_commented_example() -> None:
    stages = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))["stages"]
    assert stages["prod"]["environment_variables"]["FREIGABE_CONFIG"] == EXAMPLE
    text = (ROOT / EXAMPLE).read_text(encoding="utf-8")
    assert text.count("\n#") >= 10  # explained, not just values


def test_the_example_s_placeholders_are_pointed_out() -> None:
    notices = package.check_workflow(ROOT, {"FREIGABE_CONFIG": EXAMPLE}, "prod")
    assert any(n.startswith("steps[0].slack_channel = C0CHANGEME") for n in notices)
    assert any(n.startswith("channels.mastodon.base_url = https://mastodon.example") for n in notices)


def test_the_example_s_network_urls_follow_the_environment() -> None:
    """A test stand-in (tests/lambda) points the packaged example at itself at run time."""
    from chalicelib.config import LinkedInChannel, MastodonChannel, load_config

    path = ROOT / EXAMPLE
    moved = load_config(path, env={"FREIGABE_MASTODON_URL": "http://127.0.0.1:9000",
                                   "FREIGABE_LINKEDIN_URL": "http://127.0.0.1:9001"}).channels
    default = load_config(path, env={}).channels
    assert isinstance(moved["mastodon"], MastodonChannel) and isinstance(default["mastodon"], MastodonChannel)
    assert isinstance(moved["linkedin"], LinkedInChannel) and isinstance(default["linkedin"], LinkedInChannel)
    assert (moved["mastodon"].base_url, moved["linkedin"].base_url) == (
        "http://127.0.0.1:9000", "http://127.0.0.1:9001")
    assert (default["mastodon"].base_url, default["linkedin"].base_url) == (
        "https://mastodon.example", "https://api.linkedin.com")
    assert set(default) == {"mastodon", "linkedin"}
