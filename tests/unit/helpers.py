"""Builders shared by the unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.config import load_config, parse_config
from chalicelib.domain.content import Content
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.workflow import Workflow

WORKFLOW_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "workflow.toml"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
AUTHOR = "wanda.writer@freigabe.example"
LEGAL1 = Reviewer("U0LEGAL1", "legal1@freigabe.example")
LEGAL2 = Reviewer("U0LEGAL2", "legal2@freigabe.example")
BRAND = Reviewer("U0BRAND1", "brand@freigabe.example")


def workflow_file() -> dict[str, Any]:
    """The test workflow file as written (to change a key and parse it again)."""
    return load_config(WORKFLOW_FILE).source.model_dump(exclude_none=True)


def workflow(**overrides: Any) -> Workflow:
    """The test workflow file as the domain sees it, with top-level keys replaced."""
    if not overrides:
        return load_config(WORKFLOW_FILE).workflow
    return parse_config({**workflow_file(), **overrides}).workflow


def content(text: str = "Hallo Welt", channels: tuple[str, ...] = ("outbox",),
            **kw: Any) -> Content:
    return Content(text=text, channels=channels, **kw)


def new_post(text: str = "Hallo Welt", channels: tuple[str, ...] = ("outbox",),
             post_id: str = "p1", publish_at: datetime | None = None) -> Post:
    return Post.create(post_id, AUTHOR, "Wanda Writer", content(text, channels), publish_at, NOW)


def eligible(wf: Workflow, step: str) -> frozenset[str]:
    return frozenset(wf.step(step).reviewers or [])
