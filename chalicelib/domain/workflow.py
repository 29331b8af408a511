"""The review workflow as the domain knows it: which steps exist, when each applies, who may
approve, in which order, and how late a post may still go out.

Plain frozen values. The workflow file (``config.py``) is parsed into these; what only an
adapter needs (secret references, network URLs, Slack channel ids) stays with the adapters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.pricing import XCosting

ReviewOrder = Literal["parallel", "sequential"]
Language = Literal["de", "en"]
StepKind = Literal["slack", "link"]
ALL: Literal["all"] = "all"
DEFAULT_BRAND = "default"
# The step an answer goes through when the workflow names none of its own.
RESPONDERS_STEP = "responders"
RESPONDERS_LABEL = {"de": "Antwort-Freigabe", "en": "Answer review"}


@dataclass(frozen=True)
class WhenRule:
    """A step is required when ANY keyword occurs in any text variant or ANY channel is chosen."""

    keywords: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChecklistItem:
    """One item a reviewer ticks before approving; its ticked id becomes part of the signed
    record (the decision event)."""

    id: str
    label: Mapping[str, str]  # {"de": ..., "en": ...}
    required: bool = True

    def label_in(self, language: str) -> str:
        return self.label.get(language) or next(iter(self.label.values()), self.id)


@dataclass(frozen=True)
class StepRule:
    name: str
    label: str
    # Either named reviewers (Slack user ids, or "T…:U…" for a member of another workspace in a
    # Slack Connect channel) or a Slack user group whose members review. A `link` step has
    # neither: whoever holds its signed link reviews.
    reviewers: tuple[str, ...] | None = None
    reviewer_group: str | None = None
    # A number, or "all": every listed reviewer (for a group, every member at decision time).
    approvals_required: int | Literal["all"] = 1
    remind_after_hours: float = 24
    when: WhenRule | None = None  # None: always required
    checklist: tuple[ChecklistItem, ...] = ()
    due_hours: float | None = None  # a review request is due this long after it went out
    escalate_to: str | None = None  # a Slack user (U/W), user group (S) or channel (C/G)
    kind: StepKind = "slack"
    link_valid_hours: float = 72

    @property
    def requires_all(self) -> bool:
        return self.approvals_required == ALL

    def fixed_approvals(self) -> int | None:
        """How many approvals the step needs when the workflow alone says it: a number, or
        "all" of named reviewers; None for "all" of a group (known only at decision time)."""
        if isinstance(self.approvals_required, int):
            return self.approvals_required
        if self.kind == "link":
            return 1
        return len(self.reviewers) if self.reviewers is not None else None

    def required_items(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.checklist if item.required)


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
    # Why a reviewer requests changes or rejects; empty: no label is asked for.
    reason_labels: tuple[str, ...] = ()
    # The web page's admins by e-mail, lower-cased (Slack's `admins` are user ids).
    admin_emails: frozenset[str] = field(default_factory=frozenset)
    # X channels' prices and monthly budgets where the file sets them (domain/pricing.py).
    x_costs: Mapping[str, XCosting] = field(default_factory=dict)
    # The brand this workflow belongs to (a file without [[brands]] is one brand, "default"),
    # its name for people, and who may write for it: e-mails or "@domain" (empty: everyone),
    # and in AWS the Cognito groups whose members may.
    brand: str = DEFAULT_BRAND
    brand_label: str = ""
    writers: tuple[str, ...] = ()
    writer_groups: tuple[str, ...] = ()
    # Answers to replies and mentions (posts of kind "reply"): the steps they go through
    # (None: one approval by anyone in `responders`; empty: the responders publish at once),
    # and who answers: Slack user ids, or one user group (S…).
    reply_steps: tuple[str, ...] | None = None
    responders: tuple[str, ...] = ()
    # Replies and mentions read from the networks: the Slack channel for those that answer no
    # post of ours (None: they are kept, not shown), how soon one should be answered (an
    # unanswered one is reminded once after that), and how often the networks are read (None:
    # at every run of the listening schedule).
    inbox_channel: str | None = None
    answer_within_hours: float = 4
    listen_seconds: float | None = None

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
        if name == RESPONDERS_STEP:
            return self.responders_step()
        raise KeyError(name)

    def responders_step(self) -> StepRule:
        """An answer's default review: one approval by anyone in ``responders``."""
        group = next((r for r in self.responders if r.startswith("S")), None)
        users = tuple(r for r in self.responders if not r.startswith("S"))
        return StepRule(name=RESPONDERS_STEP, label=RESPONDERS_LABEL[self.language],
                        reviewers=None if group else users, reviewer_group=group)

    def reply_rules(self) -> tuple[StepRule, ...]:
        """The steps an answer goes through, each always required: the named ``reply_steps``,
        none (the responders publish at once), or by default the responders' one approval."""
        if self.reply_steps is None:
            return (self.responders_step(),)
        return tuple(replace(self.step(name), when=None) for name in self.reply_steps)

    def kind_of(self, channel: str) -> str:
        """The network behind a channel name; KeyError for a channel the workflow lacks."""
        return self.channels[channel]

    def x_costing(self, channel: str) -> XCosting | None:
        """What posts cost on an X channel of the file and its budget; None for any other."""
        if self.channels.get(channel) != "x":
            return None
        return self.x_costs.get(channel) or XCosting()

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def is_web_admin(self, email: str) -> bool:
        return email.strip().lower() in self.admin_emails

    @property
    def brand_title(self) -> str:
        """The brand's name for people."""
        return self.brand_label or self.brand

    def may_write(self, email: str, groups: Iterable[str] = ()) -> bool:
        """Whether someone may write for this brand: listed by e-mail or domain, or a member
        of one of its writer groups; a brand that names nobody takes everyone."""
        if not self.writers and not self.writer_groups:
            return True
        address = email.strip().lower()
        domain = "@" + address.rpartition("@")[2]
        if address in self.writers or domain in self.writers:
            return True
        return bool(set(groups) & set(self.writer_groups))


@dataclass(frozen=True)
class Organization:
    """Every brand's workflow, the one used where no post says which (``default``), the
    admins over all of them, and the version of the workflow they came from."""

    brands: Mapping[str, Workflow]
    default: str = DEFAULT_BRAND
    admins: frozenset[str] = field(default_factory=frozenset)
    admin_emails: frozenset[str] = field(default_factory=frozenset)
    version: int = 0

    @classmethod
    def single(cls, workflow: Workflow, version: int = 0) -> Organization:
        """A workflow without brands: one brand, named after the workflow's own."""
        return cls({workflow.brand: workflow}, workflow.brand, workflow.admins,
                   workflow.admin_emails, version)

    @property
    def workflow(self) -> Workflow:
        """The default brand's workflow (for what has no post at hand)."""
        return self.brands[self.default]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.brands)

    def brand(self, name: str | None) -> Workflow:
        """A brand's workflow; the default one for None, "" or a brand no longer known (a post
        of a brand since removed is still reviewed and published by the default rules)."""
        return self.brands.get(name or self.default) or self.workflow

    def knows(self, name: str) -> bool:
        return name in self.brands

    def brands_for(self, email: str, groups: Iterable[str] = ()) -> tuple[str, ...]:
        """The brands someone may write for, in the file's order."""
        return tuple(name for name, flow in self.brands.items() if flow.may_write(email, groups))
