"""The review workflow as the domain knows it: which steps exist, when each applies, who may
approve, in which order, and how late a post may still go out.

Plain frozen values. The workflow file (``config.py``) is parsed into these; what only an
adapter needs (secret references, network URLs, Slack channel ids) stays with the adapters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

ReviewOrder = Literal["parallel", "sequential"]
Language = Literal["de", "en"]


@dataclass(frozen=True)
class WhenRule:
    """A step is required when ANY keyword occurs in any text variant or ANY channel is chosen."""

    keywords: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepRule:
    name: str
    label: str
    # Either named reviewers (Slack user ids) or a Slack user group whose members review.
    reviewers: tuple[str, ...] | None = None
    reviewer_group: str | None = None
    approvals_required: int = 1
    remind_after_hours: float = 24
    when: WhenRule | None = None  # None: always required


@dataclass(frozen=True)
class Workflow:
    steps: tuple[StepRule, ...]
    # Channel name -> network kind ("mastodon", "bluesky", ...): what the text limits and the
    # `when` rules need to know of a channel.
    channels: Mapping[str, str]
    timezone: str = "Europe/Berlin"
    language: Language = "de"
    review_order: ReviewOrder = "parallel"
    late_publish_minutes: int = 120
    admins: frozenset[str] = field(default_factory=frozenset)
    # Every image needs alt text on every channel (accessibility is a legal duty for many
    # companies); False leaves it to the networks that require it (Bluesky).
    require_alt_text: bool = True

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def late_window(self) -> timedelta:
        return timedelta(minutes=self.late_publish_minutes)

    def step(self, name: str) -> StepRule:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def kind_of(self, channel: str) -> str:
        """The network behind a channel name; KeyError for a channel the workflow lacks."""
        return self.channels[channel]

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins
