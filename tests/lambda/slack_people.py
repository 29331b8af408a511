"""The people and channels a workflow file names, added to the Slack dev workspace stand-in
through its /_dev API, so a packaged stage's own workflow file (its admins, reviewers and
review channels) can run against the stand-in unchanged."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass(frozen=True)
class WorkflowPeople:
    admins: tuple[str, ...]
    reviewers: dict[str, tuple[str, ...]]  # step name -> reviewer ids
    channels: dict[str, str]  # step name -> slack_channel


def people(workflow: Path) -> WorkflowPeople:
    document = tomllib.loads(workflow.read_text(encoding="utf-8"))
    steps = document.get("steps", [])
    return WorkflowPeople(
        admins=tuple(document.get("admins", [])),
        reviewers={step["name"]: tuple(step.get("reviewers", [])) for step in steps},
        channels={step["name"]: step["slack_channel"] for step in steps},
    )


def seed(slack_url: str, workflow: Path) -> WorkflowPeople:
    """Every admin and reviewer as a member (with an email of their own) and every review
    channel as a channel the bot is in. Usergroup reviewers (S...) are not supported."""
    found = people(workflow)
    members = dict.fromkeys([*found.admins, *(r for rs in found.reviewers.values() for r in rs)])
    for user_id in members:
        assert user_id.startswith(("U", "W")), f"{user_id}: teach tests/lambda/slack_people.py usergroups"
        answer = requests.post(f"{slack_url}/_dev/users", timeout=30, json={
            "id": user_id, "real_name": f"Person {user_id}", "email": f"{user_id.lower()}@freigabe.example",
            "is_admin": user_id in found.admins})
        assert answer.ok, answer.text
    for step, channel in found.channels.items():
        answer = requests.post(f"{slack_url}/_dev/channels", json={"id": channel, "name": step}, timeout=30)
        assert answer.ok, answer.text
    return found
