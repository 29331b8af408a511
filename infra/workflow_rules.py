"""What a deployed stage's workflow file may not say: anything that only works on a developer's
machine. Lambda gives the functions a read-only package, an environment without secrets and
the public internet outside any VPC; a setting that needs more would make every publication or
review request fail after a deploy that looked fine, so packaging refuses it, naming the key.

Checked on the file as the functions will load it: `${NAME:-default}` in URLs is expanded with
the stage's environment from .chalice/config.json, not the packaging shell's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from chalicelib.config import ENV_REFERENCE, SECRET_REF, Config
from dev.slack_workspace.seed import SEED_CHANNELS, SEED_USERGROUPS, SEED_USERS
from infra import finish

# Where a stage's workflow file must be: Chalice packages chalicelib/ and Lambda reads it there.
PACKAGED_DIR = "chalicelib"
# Ids that exist only in the local Slack stand-in `make run` starts.
STAND_IN_IDS = frozenset([user for user, *_ in SEED_USERS] + [channel for channel, _ in SEED_CHANNELS]
                         + list(SEED_USERGROUPS))
# Marks a value the example file leaves to the operator (chalicelib/workflows/example-prod.toml).
PLACEHOLDER = "CHANGEME"
# Reserved for documentation (RFC 2606): a host nobody serves.
PLACEHOLDER_DOMAINS = ("example", "example.com", "example.net", "example.org")
LOCAL_SUFFIXES = (".local", ".internal", ".lan", ".home.arpa")


def config_path_problem(env: Mapping[str, str], stage: str) -> str | None:
    """FREIGABE_CONFIG must name a file inside the package, relative to the project."""
    value = env.get("FREIGABE_CONFIG")
    if not value:
        return (f"FREIGABE_CONFIG is not set for stage {stage} in .chalice/config.json: the functions "
                f"would load the local sample chalicelib/freigabe.toml; set it to the stage's file, "
                f"e.g. chalicelib/workflows/example-prod.toml")
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or path.parts[:1] != (PACKAGED_DIR,):
        return (f"FREIGABE_CONFIG = {value} (stage {stage}): the functions read the workflow file from "
                f"the package; give a path inside {PACKAGED_DIR}/, relative to the project")
    return None


def host_problem(url: str) -> str | None:
    """Why a URL cannot be reached from Lambda, or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return "a loopback address: in Lambda it is the function itself; use the receiver's public https URL"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host:
            return "a host name without a domain resolves only on a local network"
        if host.endswith(LOCAL_SUFFIXES):
            return "a local network's name, which Lambda cannot resolve"
    else:
        if ip.is_loopback or ip.is_unspecified:
            return ("a loopback address: in Lambda it is the function itself; use the receiver's "
                    "public https URL")
        if ip.is_link_local:
            return "a link-local address, which Lambda cannot reach"
        if ip.is_private:
            return "a private address; the functions run outside any VPC and reach only the internet"
    if parts.scheme != "https":
        return "plain http: tokens and signed posts would cross the internet unencrypted; use https"
    return None


def _walk(node: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(key as docs/workflow.md writes it, value) for every leaf."""
    if isinstance(node, Mapping):
        for name, value in node.items():
            yield from _walk(value, f"{key}.{name}" if key else str(name))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{key}[{index}]")
    else:
        yield key, node


def _written(raw: Mapping[str, Any], key: str) -> Any:
    """The value as the file writes it (before `${...}` expansion), for channel keys."""
    node: Any = raw
    for part in key.split("."):
        name, _, index = part.partition("[")
        node = node.get(name) if isinstance(node, Mapping) else None
        if index and isinstance(node, list) and int(index.rstrip("]")) < len(node):
            node = node[int(index.rstrip("]"))]
    return node


def _brands(file: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The file's top level and each of its `[[brands]]`, with the key prefix of each."""
    return [("", file)] + [(f"brands[{index}].", brand)
                           for index, brand in enumerate(file.get("brands") or [])]


def problems(config: Config, raw: Mapping[str, Any], stage: str) -> list[str]:
    """One line per setting that cannot work in Lambda, each naming its key."""
    found = []
    file = config.source.model_dump(mode="json")
    slack = {"admins": file["admins"]}
    slack.update({f"{prefix}steps": brand.get("steps") or [] for prefix, brand in _brands(file)})
    for key, value in _walk(slack):
        if value in STAND_IN_IDS:
            found.append(f"{key} = {value}: an id of the local Slack stand-in (dev/slack_workspace/seed.py); "
                         f"use your workspace's (Slack: Copy ID)")
    channels = [(f"{prefix}channels.{name}", channel) for prefix, brand in _brands(file)
                for name, channel in (brand.get("channels") or {}).items()]
    for where, channel in channels:
        if channel["type"] == "outbox":
            found.append(f"{where}: an outbox writes to a local file, which Lambda discards; "
                         f"remove it for a deployed stage")
            continue
        for key, value in _walk(channel, where):
            if not isinstance(value, str) or key.endswith(".type"):
                continue
            if value.startswith(("http://", "https://")):
                why = host_problem(value)
                written = _written(raw, key)
                shown = (f"{value} (from {written})" if isinstance(written, str)
                         and ENV_REFERENCE.search(written) else value)
                if why:
                    found.append(f"{key} = {shown}: {why}")
            elif SECRET_REF.match(value):
                if value.startswith("env:"):
                    found.append(f"{key} = {value}: Lambda's environment holds no secrets (.chalice/"
                                 f"config.json is committed); store it in SSM and write "
                                 f"ssm:/freigabe/{stage}/<name>")
                elif not finish.allowed_secret(value, stage):
                    found.append(f"{key} = {value}: the functions may not read it; keep the stage's "
                                 f"secrets under ssm:/freigabe/{stage}/ or secretsmanager:freigabe/{stage}/")
    return found


def placeholders(config: Config) -> list[str]:
    """Values the example leaves to the operator: they package, but Slack or the network will
    refuse them, so packaging points them out."""
    notices = []
    for key, value in _walk(config.source.model_dump(mode="json")):
        if not isinstance(value, str):
            continue
        if PLACEHOLDER in value:
            notices.append(f"{key} = {value} is a placeholder; put your own")
        elif value.startswith(("http://", "https://")):
            host = (urlsplit(value).hostname or "").rstrip(".")
            if any(host == d or host.endswith("." + d) for d in PLACEHOLDER_DOMAINS):
                notices.append(f"{key} = {value}: {host} is a placeholder host (a reserved example "
                               f"domain); put the real one")
    return notices
