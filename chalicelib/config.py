"""The workflow file (docs/workflow.md): TOML in, validated, then split into the domain's
workflow (``domain.workflow``) and what only adapters need: each channel's settings (URLs,
secret references) and where Slack posts each step's requests.

A file that does not validate stops start-up with a message that names the key and the
problem, so an operator can fix it without reading code.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, Self, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from chalicelib.domain import pricing
from chalicelib.domain import workflow as domain

SECRET_REF = re.compile(
    r"^(env:[A-Za-z_][A-Za-z0-9_]*|ssm:/[A-Za-z0-9_.\-/]+|secretsmanager:[A-Za-z0-9/_+=.@\-]+)$"
)
CHANNEL_TYPES = ("mastodon", "bluesky", "linkedin", "x", "facebook_page", "webhook", "outbox")
NAME = r"^[a-z][a-z0-9_-]{0,39}$"
EMAIL = r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$"


KEYED = re.compile(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)*): ")


class WorkflowError(ValueError):
    """The workflow file is missing, is not TOML, or does not validate; ``problems`` lists
    each problem as (key path, kind of error, message), so a form can show it by its field."""

    def __init__(self, message: str, problems: tuple[tuple[str, str, str], ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


def _secret_ref(value: str) -> str:
    if not SECRET_REF.match(value):
        raise ValueError(
            "must be a secret reference: env:NAME, ssm:/path or secretsmanager:name"
        )
    return value


SecretRef = Annotated[str, AfterValidator(_secret_ref)]

# `${NAME}` or `${NAME:-default}` in a URL: the environment Freigabe was started with, so the
# sample's webhook follows FREIGABE_WEBHOOK_PORT (docs/workflow.md).
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _expand(value: object, info: ValidationInfo) -> object:
    if not isinstance(value, str):
        return value
    env: Mapping[str, str] = (info.context or {}).get("env", {})

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = env.get(name) or default
        if found is None:
            raise ValueError(f"environment variable {name} is not set (or write ${{{name}:-default}})")
        return found

    return ENV_REFERENCE.sub(one, value)


HttpUrl = Annotated[str, BeforeValidator(_expand), Field(pattern=r"^https?://[^\s/]+(/\S*)?$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WhenRule(_Strict):
    keywords: list[Annotated[str, Field(min_length=1)]] = []
    channels: list[str] = []


class Label(TypedDict):
    """A text people read, in both languages."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    de: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]


class ChecklistItem(TypedDict):
    """One `[[steps.checklist]]` item (a plain table: docs/workflow.md describes it beside the
    step's keys)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    id: Annotated[str, Field(pattern=NAME)]
    label: Label
    required: NotRequired[StrictBool]


class Step(_Strict):
    name: Annotated[str, Field(pattern=NAME)]
    label: Annotated[str, Field(min_length=1)]
    slack_channel: Annotated[str, Field(pattern=r"^[CG][A-Z0-9]+$")]
    kind: Literal["slack", "link"] = "slack"
    # "U…" a user of this workspace; "T…:U…" a user of another one in a Slack Connect channel.
    reviewers: list[Annotated[str, Field(pattern=r"^(T[A-Z0-9]+:)?[UW][A-Z0-9]+$")]] | None = None
    reviewer_group: Annotated[str, Field(pattern=r"^S[A-Z0-9]+$")] | None = None
    approvals_required: Annotated[int, Field(ge=1)] | Literal["all"] = 1
    remind_after_hours: Annotated[float, Field(gt=0)] = 24
    due_hours: Annotated[float, Field(gt=0)] | None = None
    escalate_to: Annotated[str, Field(pattern=r"^[UWSCG][A-Z0-9]+$")] | None = None
    link_valid_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 72
    checklist: list[ChecklistItem] = []
    when: WhenRule | None = None

    @model_validator(mode="after")
    def _one_source_of_reviewers(self) -> Step:
        ids = [item["id"] for item in self.checklist]
        if len(ids) != len(set(ids)):
            raise ValueError("checklist item ids must be unique within a step")
        if self.kind == "link":
            if self.reviewers is not None or self.reviewer_group is not None:
                raise ValueError("a step of kind 'link' is reviewed through its link: give "
                                 "neither 'reviewers' nor 'reviewer_group'")
            if self.approvals_required not in (1, "all"):
                raise ValueError("a step of kind 'link' takes one approval per link")
            return self
        if (self.reviewers is None) == (self.reviewer_group is None):
            raise ValueError("give either 'reviewers' or 'reviewer_group', not both and not neither")
        if self.reviewers is not None:
            if not self.reviewers:
                raise ValueError("'reviewers' must name at least one Slack user")
            if len(set(self.reviewers)) != len(self.reviewers):
                raise ValueError("'reviewers' names a Slack user twice")
            if (isinstance(self.approvals_required, int)
                    and self.approvals_required > len(self.reviewers)):
                raise ValueError(
                    f"approvals_required is {self.approvals_required} but only "
                    f"{len(self.reviewers)} reviewer(s) are listed"
                )
        return self


class MastodonChannel(_Strict):
    type: Literal["mastodon"]
    base_url: HttpUrl
    access_token: SecretRef


class BlueskyChannel(_Strict):
    type: Literal["bluesky"]
    base_url: HttpUrl = "https://bsky.social"
    identifier: Annotated[str, Field(min_length=1)]
    app_password: SecretRef


class LinkedInChannel(_Strict):
    type: Literal["linkedin"]
    base_url: HttpUrl = "https://api.linkedin.com"
    access_token: SecretRef
    author: Annotated[str, Field(pattern=r"^urn:li:(organization|person):[A-Za-z0-9_-]+$")]
    api_version: Annotated[str, Field(pattern=r"^\d{6}$")] = "202510"


class XPrices(TypedDict):
    """X's price per post request in USD, where it differs from domain/pricing.py's (a plain
    table: docs/workflow.md describes it beside the channel's keys)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    post: NotRequired[Annotated[float, Field(ge=0, le=100)]]
    post_with_url: NotRequired[Annotated[float, Field(ge=0, le=100)]]


class XChannel(_Strict):
    type: Literal["x"]
    base_url: HttpUrl = "https://api.x.com"
    access_token: SecretRef
    x_prices: XPrices | None = None
    # Posts that would take the month's spend on this channel over it are held back.
    x_monthly_budget_usd: Annotated[float, Field(ge=0)] | None = None
    # Read mentions and replies (X bills each post read: domain/pricing.py READ_USD).
    listen: bool = False

    def costing(self) -> pricing.XCosting:
        post, with_url = pricing.POST_USD, pricing.POST_WITH_URL_USD
        if self.x_prices is not None:
            post = pricing.dollars(self.x_prices.get("post", post))
            with_url = pricing.dollars(self.x_prices.get("post_with_url", with_url))
        return pricing.XCosting(
            pricing.XPrices(post, with_url),
            None if self.x_monthly_budget_usd is None
            else pricing.dollars(self.x_monthly_budget_usd))


class FacebookPageChannel(_Strict):
    type: Literal["facebook_page"]
    base_url: HttpUrl = "https://graph.facebook.com/v23.0"
    page_id: Annotated[str, Field(pattern=r"^\d+$")]
    access_token: SecretRef


class WebhookChannel(_Strict):
    type: Literal["webhook"]
    url: HttpUrl
    secret: SecretRef


class OutboxChannel(_Strict):
    type: Literal["outbox"]
    path: Annotated[str, Field(min_length=1)] = ".freigabe/outbox.jsonl"


ChannelConfig = Annotated[
    MastodonChannel
    | BlueskyChannel
    | LinkedInChannel
    | XChannel
    | FacebookPageChannel
    | WebhookChannel
    | OutboxChannel,
    Field(discriminator="type"),
]


class BrandKeys(_Strict):
    """What each brand sets for itself (CONTRACT §3, §10, §11). In a file without ``[[brands]]``
    these are the top-level keys of its one brand; with brands, a top-level key is the default
    of every brand that does not set it."""

    timezone: str = "Europe/Berlin"
    language: Literal["de", "en"] = "de"
    review_order: Literal["parallel", "sequential"] = "parallel"
    late_publish_minutes: Annotated[int, Field(ge=0)] = 120
    require_alt_text: StrictBool = True
    reason_labels: list[Annotated[str, Field(min_length=1, max_length=60)]] = []
    # Answers to replies and mentions (docs/replies.md): the steps they go through (absent:
    # one approval by a responder; empty: responders publish at once) and who answers.
    reply_steps: list[str] | None = None
    responders: list[Annotated[str, Field(pattern=r"^[UWS][A-Z0-9]+$")]] = []
    # Replies and mentions read from the networks (docs/replies.md): the Slack channel for
    # mentions that answer no post, the answer target in hours, how often networks are read.
    inbox_channel: Annotated[str, Field(pattern=r"^[CG][A-Z0-9]+$")] | None = None
    answer_within_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 4
    listen_seconds: Annotated[float, Field(ge=60, le=24 * 3600)] | None = None
    # Required in every brand (or at the top level for all); None only while not given.
    steps: Annotated[list[Step], Field(min_length=1)] | None = None
    channels: Annotated[dict[str, ChannelConfig], Field(min_length=1)] | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)") from err
        return value

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        for name in value or {}:
            if not re.match(NAME, name):
                raise ValueError(f"channel name {name!r} must be lowercase letters, digits, - or _")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [step.name for step in self.steps or []]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"step names must be unique: {', '.join(duplicates)}")
        if len(set(self.reason_labels)) != len(self.reason_labels):
            raise ValueError("reason_labels must be unique")
        strays = [n for n in self.reply_steps or [] if n not in names]
        if strays and self.steps is not None:
            raise ValueError(f"reply_steps names unknown step(s): {', '.join(strays)}")
        if sum(1 for r in self.responders if r.startswith("S")) > 1 or (
                any(r.startswith("S") for r in self.responders) and len(self.responders) > 1):
            raise ValueError("responders: Slack user ids, or one user group (S…) alone")
        if self.channels is None:
            return self  # top-level defaults of brands that each name their own channels
        for index, step in enumerate(self.steps or []):
            unknown = [c for c in (step.when.channels if step.when else []) if c not in self.channels]
            if unknown:
                raise ValueError(
                    f"steps[{index}].when.channels names unknown channel(s): {', '.join(unknown)}"
                )
        return self

    def _complete(self) -> None:
        for key in ("steps", "channels"):
            if getattr(self, key) is None:
                raise ValueError(f"{key}: Field required")

    def brand_workflow(self, admins: frozenset[str], admin_emails: frozenset[str],
                       brand: str = domain.DEFAULT_BRAND, label: str = "",
                       writers: tuple[str, ...] = (),
                       writer_groups: tuple[str, ...] = ()) -> domain.Workflow:
        steps, channels = self.steps or [], self.channels or {}
        return domain.Workflow(
            steps=tuple(
                domain.StepRule(
                    name=s.name, label=s.label,
                    reviewers=tuple(s.reviewers) if s.reviewers is not None else None,
                    reviewer_group=s.reviewer_group, approvals_required=s.approvals_required,
                    remind_after_hours=s.remind_after_hours,
                    when=domain.WhenRule(tuple(s.when.keywords), tuple(s.when.channels))
                    if s.when is not None else None,
                    checklist=tuple(_item(i) for i in s.checklist),
                    due_hours=s.due_hours, escalate_to=s.escalate_to, kind=s.kind,
                    link_valid_hours=s.link_valid_hours,
                )
                for s in steps
            ),
            channels={name: channel.type for name, channel in channels.items()},
            timezone=self.timezone, language=self.language, review_order=self.review_order,
            late_publish_minutes=self.late_publish_minutes, admins=admins,
            admin_emails=admin_emails,
            require_alt_text=self.require_alt_text, reason_labels=tuple(self.reason_labels),
            reply_steps=tuple(self.reply_steps) if self.reply_steps is not None else None,
            responders=tuple(self.responders),
            inbox_channel=self.inbox_channel, answer_within_hours=self.answer_within_hours,
            listen_seconds=self.listen_seconds,
            x_costs={name: channel.costing() for name, channel in channels.items()
                     if isinstance(channel, XChannel)},
            brand=brand, brand_label=label, writers=writers, writer_groups=writer_groups,
        )


# Who may write for a brand: an e-mail address, or every address of a domain ("@example.com").
WRITER = re.compile(r"^([^@\s<>\"']{1,64})?@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


def _writer(value: str) -> str:
    if not WRITER.match(value):
        raise ValueError("must be an e-mail address or @domain")
    return value


class BrandTable(BrandKeys):
    """One ``[[brands]]`` table."""

    name: Annotated[str, Field(pattern=NAME)]
    label: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    writers: list[Annotated[str, AfterValidator(_writer)]] = []
    # In AWS: members of these Cognito groups (the sign-in's `cognito:groups`) may write too.
    writer_groups: list[Annotated[str, Field(min_length=1, max_length=128)]] = []

    @model_validator(mode="after")
    def _whole(self) -> Self:
        self._complete()
        return self

    def to_domain(self, admins: frozenset[str], admin_emails: frozenset[str]) -> domain.Workflow:
        return self.brand_workflow(admins, admin_emails, self.name, self.label or self.name,
                                   tuple(w.lower() for w in self.writers),
                                   tuple(self.writer_groups))


BRAND_KEYS = tuple(BrandKeys.model_fields)


class WorkflowFile(BrandKeys):
    admins: list[Annotated[str, Field(pattern=r"^[UW][A-Z0-9]+$")]] = []
    # The web page's admins (CONTRACT §8): they manage channels and accounts.
    admin_emails: list[Annotated[str, Field(pattern=EMAIL)]] = []
    # Several brands (CONTRACT §10); absent: the file is one brand, "default".
    brands: Annotated[list[BrandTable], Field(min_length=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _brand_defaults(cls, data: Any) -> Any:
        """Each brand takes the top-level per-brand keys it does not set itself."""
        if not isinstance(data, dict) or not isinstance(data.get("brands"), list):
            return data
        defaults = {key: data[key] for key in BRAND_KEYS if key in data}
        brands = [{**defaults, **brand} if isinstance(brand, dict) else brand
                  for brand in data["brands"]]
        return {**data, "brands": brands}

    @model_validator(mode="after")
    def _brands(self) -> Self:
        if self.brands is None:
            self._complete()
            return self
        names = [brand.name for brand in self.brands]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"brands: names must be unique: {', '.join(duplicates)}")
        seen: dict[str, tuple[str, ChannelConfig]] = {}
        for index, brand in enumerate(self.brands):
            for name, channel in (brand.channels or {}).items():
                other = seen.setdefault(name, (brand.name, channel))
                if other[1] != channel:
                    raise ValueError(
                        f"brands[{index}].channels.{name}: brand {other[0]!r} has a channel of "
                        f"this name with other settings; channel names are unique across brands")
        return self

    def organization(self) -> domain.Organization:
        admins = frozenset(self.admins)
        emails = frozenset(email.lower() for email in self.admin_emails)
        if self.brands is None:
            return domain.Organization.single(self.brand_workflow(admins, emails))
        brands = {brand.name: brand.to_domain(admins, emails) for brand in self.brands}
        return domain.Organization(brands, self.brands[0].name, admins, emails)

    def to_domain(self) -> domain.Workflow:
        """The default brand's workflow."""
        return self.organization().workflow

    def all_channels(self) -> dict[str, ChannelConfig]:
        """Every brand's channels by name (names are unique across brands)."""
        if self.brands is None:
            return dict(self.channels or {})
        return {name: channel for brand in self.brands
                for name, channel in (brand.channels or {}).items()}

    def step_channels(self) -> dict[str, dict[str, str]]:
        """Brand -> step -> the Slack channel of its review requests."""
        tables: list[tuple[str, BrandKeys]] = (
            [(domain.DEFAULT_BRAND, self)] if self.brands is None
            else [(brand.name, brand) for brand in self.brands])
        return {name: {s.name: s.slack_channel for s in keys.steps or []} for name, keys in tables}


def _item(item: ChecklistItem) -> domain.ChecklistItem:
    label = item["label"]
    return domain.ChecklistItem(item["id"], {"de": label["de"], "en": label["en"]},
                                item.get("required", True))


@dataclass(frozen=True)
class SlackRouting:
    """Where each step's review requests are posted: ``step_channels`` of the default brand,
    ``brands`` every brand's (step names may repeat across brands)."""

    step_channels: Mapping[str, str]
    brands: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def channel_for(self, step: str) -> str:
        return self.step_channels[step]

    def for_brand(self, brand: str) -> SlackRouting:
        """The routing of one brand's steps (the default brand's for a brand it lacks)."""
        steps = self.brands.get(brand)
        return self if steps is None else SlackRouting(steps, self.brands)


@dataclass(frozen=True)
class Config:
    """The workflow file, split by who needs what."""

    workflow: domain.Workflow  # the default brand's
    channels: Mapping[str, ChannelConfig]  # every brand's
    slack: SlackRouting
    source: WorkflowFile  # as written, for tools that rewrite it
    organization: domain.Organization


def split(file: WorkflowFile) -> Config:
    organization = file.organization()
    routes = file.step_channels()
    return Config(workflow=organization.workflow, channels=file.all_channels(),
                  slack=SlackRouting(routes[organization.default], routes), source=file,
                  organization=organization)


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
        elif part in CHANNEL_TYPES and len(parts) >= 2 and parts[-2] == "channels":
            continue  # pydantic's discriminator tag, not a key of the file
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


def parse_config(data: dict[str, Any], source: str = "workflow",
                 env: Mapping[str, str] | None = None) -> Config:
    """``env``: what ``${NAME}`` in URLs reads (default: this process's environment)."""
    context = {"env": os.environ if env is None else env}
    try:
        return split(WorkflowFile.model_validate(data, context=context))
    except ValidationError as err:
        problems: list[str] = []
        found: list[tuple[str, str, str]] = []
        for error in err.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            elif error["type"] == "union_tag_invalid":
                message = (
                    f"unknown channel type; use one of {', '.join(CHANNEL_TYPES)}"
                )
            where = _location(tuple(error["loc"]))
            keyed = KEYED.match(message) if where == "(top level)" else None
            if keyed:  # a rule over several keys that names its key itself
                where, message = keyed.group(1), message[keyed.end():]
            problems.append(f"{where}: {message}")
            found.append((where, str(error["type"]), message))
        raise WorkflowError(f"{source} is not valid:\n  " + "\n  ".join(problems),
                            tuple(found)) from None


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkflowError(f"workflow file {path} not found (set FREIGABE_CONFIG)") from None
    except tomllib.TOMLDecodeError as err:
        raise WorkflowError(f"{path} is not valid TOML: {err}") from None
    return parse_config(data, str(path), env)
