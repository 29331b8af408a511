"""The composition root: the one place that builds real adapters and hands them to services.

One typed container per process, each part built on first use and kept for the life of the
Lambda container, so a cold start imports only what the invoked function needs. Only the entry
layer (app.py, handlers/) asks for it; everything below receives what it needs as arguments.
``reset()`` replaces the container (tests point the process at another environment).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from chalicelib.settings import Settings, get_settings, reset_settings

if TYPE_CHECKING:  # pragma: no cover - types only; the imports below cost cold-start time
    from botocore.client import BaseClient
    from botocore.session import Session as BotocoreSession
    from chalice.app import Chalice
    from slack_bolt.adapter.aws_lambda.chalice_handler import ChaliceSlackRequestHandler
    from slack_sdk import WebClient

    from chalicelib.adapters.anchor import LogAnchor
    from chalicelib.adapters.channels.registry import ChannelDirectory
    from chalicelib.adapters.dynamodb.channels import DynamoChannelStore
    from chalicelib.adapters.dynamodb.control import ControlStore
    from chalicelib.adapters.dynamodb.conversations import DynamoConversationStore
    from chalicelib.adapters.dynamodb.deputies import DynamoDeputies
    from chalicelib.adapters.dynamodb.repository import DynamoPostRepository
    from chalicelib.adapters.dynamodb.stats import DynamoStatsStore
    from chalicelib.adapters.dynamodb.workflows import DynamoWorkflowVersions
    from chalicelib.adapters.idempotency import DynamoSendLedger, PowertoolsOnce
    from chalicelib.adapters.oauth.states import DynamoConnectStates
    from chalicelib.adapters.s3_media import S3MediaStore
    from chalicelib.adapters.slack.client import Credentials
    from chalicelib.adapters.slack.deps import SlackServices
    from chalicelib.adapters.slack.directory import SlackDirectory
    from chalicelib.adapters.sqs import SqsPublishQueue
    from chalicelib.adapters.token_vault import SsmTokenVault
    from chalicelib.config import Config
    from chalicelib.domain.accounts import ChannelAccount
    from chalicelib.domain.post import Post
    from chalicelib.domain.publication import Publication
    from chalicelib.domain.workflow import Organization, Workflow
    from chalicelib.secrets import SecretReader
    from chalicelib.services.accounts import Accounts
    from chalicelib.services.admin import Admin
    from chalicelib.services.bus import Dispatcher
    from chalicelib.services.connect import Connect, TokenSource
    from chalicelib.services.delivery import Delivery
    from chalicelib.services.listening import Listening
    from chalicelib.services.ports import Context, PublishQueue
    from chalicelib.services.scheduling import Scheduling
    from chalicelib.services.workflow_admin import WorkflowAdmin
    from chalicelib.services.x_budget import XBudget


log = logging.getLogger("freigabe.bootstrap")

# How long a container trusts its list of run-time channels before reading it again.
RUNTIME_CHANNELS_SECONDS = 10.0
# How long a container trusts the workflow's current version (admins edit it at run time)
# before reading the pointer again: one GetItem per container and period.
WORKFLOW_SECONDS = 10.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return secrets.token_hex(8)


class DeferredQueue:
    """The publish queue, its client built on the first send: a Slack request carries the
    admins' services but rarely sends anything (a retry does), and an SQS client costs a cold
    start its service model."""

    def __init__(self, build: Callable[[], PublishQueue]) -> None:
        self._build = build

    def send(self, publications: Sequence[Publication], delays: Sequence[int] = ()) -> None:
        self._build().send(publications, delays)


class Container:
    """Every adapter of one process, built lazily."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.new_id: Callable[[], str] = new_id
        self._aws: dict[str, BaseClient] = {}
        self._session: BotocoreSession | None = None
        self._slack_requests: ChaliceSlackRequestHandler | None = None
        self._live: tuple[float, Config, Organization] | None = None
        self._current: tuple[float, int | None, Config] | None = None
        self._versions: dict[int, Config] = {}
        self._channels: tuple[Config, ChannelDirectory] | None = None

    # -- configuration ------------------------------------------------------------------------

    @cached_property
    def packaged_config(self) -> Config:
        """The packaged workflow file, validated once per container; an invalid file stops
        start-up. It seeds an empty table and is the workflow when the table has none."""
        from chalicelib.config import load_config

        return load_config(self.settings.config_path)

    @property
    def config(self) -> Config:
        """The workflow's current version (docs/workflow.md, "Managing the workflow at run
        time"), read again after WORKFLOW_SECONDS; the packaged file while the table has no
        version or cannot be read."""
        now = time.monotonic()
        if self._current is None or now - self._current[0] > WORKFLOW_SECONDS:
            try:
                found = self.workflow_versions.current()
            except Exception as err:  # noqa: BLE001 - the packaged file still works
                log.warning("workflow version not read", extra={"error": type(err).__name__})
                found = None
            parsed = self._parsed(found.number, found.toml) if found is not None else None
            self._current = ((now, found.number if found is not None else None, parsed)
                             if parsed is not None else (now, None, self.packaged_config))
        return self._current[2]

    @property
    def workflow_version(self) -> int | None:
        """The number of the version ``config`` is; None: the packaged file."""
        self.config  # noqa: B018 - reads the pointer when it is due
        return self._current[1] if self._current is not None else None

    def config_at(self, version: int | None) -> Config:
        """The workflow a post was submitted under: a saved version (parsed once per
        container); the packaged file for None (submitted before any version was saved); the
        current one when that version cannot be read."""
        if not version:
            return self.packaged_config
        if version in self._versions:
            return self._versions[version]
        try:
            found = self.workflow_versions.get(version)
        except Exception as err:  # noqa: BLE001 - the current workflow still works
            log.warning("workflow version not read", extra={"error": type(err).__name__,
                                                             "version": version})
            return self.config
        parsed = self._parsed(found.number, found.toml) if found is not None else None
        return parsed if parsed is not None else self.config

    def _parsed(self, number: int, text: str) -> Config | None:
        """A saved version validated by the model the packaged file is; None (and an error in
        the log) for one this code no longer accepts."""
        if number not in self._versions:
            import tomllib

            from chalicelib.config import WorkflowError, parse_config

            try:
                parsed = parse_config(tomllib.loads(text), f"workflow version {number}")
                self._versions[number] = dataclasses.replace(parsed, organization=(
                    dataclasses.replace(parsed.organization, version=number)))
            except (WorkflowError, tomllib.TOMLDecodeError) as err:
                log.error("workflow version not usable", extra={"version": number,
                                                                "error": str(err)[:2000]})
                return None
        return self._versions[number]

    def organization_at(self, version: int | None) -> Organization:
        """Every brand's workflow in a saved version (None: the packaged file's), with the
        channels the current organization knows besides its own (run-time ones included), so a
        post's channels stay known whatever version reviews it."""
        organization = self.config_at(version).organization
        known = {name: kind for flow in self.live_organization().brands.values()
                 for name, kind in flow.channels.items()}
        return dataclasses.replace(organization, brands={
            name: dataclasses.replace(flow, channels={**known, **flow.channels})
            for name, flow in organization.brands.items()})

    def workflow_changed(self) -> None:
        """This process saved a version: read the pointer on the next use."""
        self._current = None
        self._live = None

    @cached_property
    def workflow_versions(self) -> DynamoWorkflowVersions:
        from chalicelib.adapters.dynamodb.workflows import DynamoWorkflowVersions

        return DynamoWorkflowVersions(self.aws("dynamodb"), self.table)

    def workflow_admin(self) -> WorkflowAdmin:
        """What the admins' workflow routes and `make workflow-export` need."""
        from chalicelib.config import WorkflowError, parse_config
        from chalicelib.domain.workflow_versions import InvalidWorkflow, Problem
        from chalicelib.services.workflow_admin import WorkflowAdmin

        def check(data: dict[str, object]) -> None:
            try:
                parse_config(dict(data), "workflow")
            except WorkflowError as err:
                raise InvalidWorkflow([Problem(*p) for p in err.problems]
                                      or [Problem("(top level)", "value_error", str(err))]
                                      ) from None

        def packaged() -> str:
            from pathlib import Path

            return Path(self.settings.config_path).read_text(encoding="utf-8")

        return WorkflowAdmin(versions=self.workflow_versions, check=check, packaged=packaged,
                             clock=self.clock, on_saved=lambda _: self.workflow_changed())

    @property
    def workflow(self) -> Workflow:
        return self.config.workflow

    @property
    def file_channels(self) -> dict[str, str]:
        """Every brand's channels of the workflow file: name -> network."""
        return {name: channel.type for name, channel in self.config.channels.items()}

    @property
    def organization(self) -> Organization:
        """Every brand's workflow now, each with the channels admins created at run time."""
        return self.live_organization()

    def live_workflow(self) -> Workflow:
        """The default brand's workflow with the run-time channels (for what has no post)."""
        return self.live_organization().workflow

    def live_organization(self) -> Organization:
        """The workflow file's brands, each with the channels admins created at run time, so
        posts can name them (read again after RUNTIME_CHANNELS_SECONDS; the file wins on a
        name). When the table cannot be read, the file's channels alone."""
        now, config = time.monotonic(), self.config
        if (self._live is None or now - self._live[0] > RUNTIME_CHANNELS_SECONDS
                or self._live[1] is not config):
            base = config.organization
            try:
                extra = {a.name: a.type for a in self.channel_store.list()
                         if a.name not in config.channels}
            except Exception as err:  # noqa: BLE001 - the file's channels still work
                log.warning("run-time channels not read", extra={"error": type(err).__name__})
                extra = {}
            merged = dataclasses.replace(base, brands={
                name: dataclasses.replace(flow, channels={**flow.channels, **extra})
                for name, flow in base.brands.items()}) if extra else base
            self._live = (now, config, merged)
        return self._live[2]

    # -- AWS ----------------------------------------------------------------------------------

    def aws(self, service: str) -> BaseClient:
        """An AWS client (endpoints from the AWS_ENDPOINT_URL* variables). Every client of the
        container comes from one botocore session, so the files each client would load
        (endpoints, partitions, defaults) are parsed once; no client comes from boto3 (it
        adds nothing to a client but a second session; Bolt, which imports it, gets its
        Lambda client from here: adapters/slack/runtime.py)."""
        if service not in self._aws:
            if self._session is None:
                import botocore.session

                self._session = botocore.session.get_session()
            self._aws[service] = self._session.create_client(service)
        return self._aws[service]

    @cached_property
    def secrets(self) -> SecretReader:
        """Secret references (SSM, Secrets Manager, environment), cached for five minutes."""
        from chalicelib.secrets import SecretReader

        return SecretReader(self.aws)

    @property
    def table(self) -> str:
        return self.settings.table

    @cached_property
    def repository(self) -> DynamoPostRepository:
        from chalicelib.adapters.dynamodb.repository import DynamoPostRepository

        return DynamoPostRepository(self.aws("dynamodb"), self.table)

    @cached_property
    def stats_store(self) -> DynamoStatsStore:
        """The figures' facts, one partition per UTC day (services/analytics.py)."""
        from chalicelib.adapters.dynamodb.stats import DynamoStatsStore

        return DynamoStatsStore(self.aws("dynamodb"), self.table)


    @cached_property
    def conversations(self) -> DynamoConversationStore:
        """Replies and mentions, the open ones, the channels' cursors, our network ids."""
        from chalicelib.adapters.dynamodb.conversations import DynamoConversationStore

        return DynamoConversationStore(self.aws("dynamodb"), self.table)

    def listening(self) -> Listening:
        """What reading the networks, Done and the unanswered reminders need
        (docs/replies.md); each stored item is an ``incoming`` fact of the analytics."""
        from chalicelib.adapters.slack.conversation import SlackConversations
        from chalicelib.domain.conversation import ConversationItem
        from chalicelib.services.analytics import record_fact
        from chalicelib.services.listening import Listening

        def incoming_fact(item: ConversationItem) -> None:
            record_fact(self.stats_store, "incoming", item.brand, item.conversation, item.key,
                        item.incoming.at, channel=item.incoming.channel,
                        external_id=item.incoming.external_id)

        return Listening(store=self.conversations,
                         notifier=SlackConversations(lambda: self.slack_client, self.repository),
                         clock=self.clock, workflow_for=self.live_organization().brand,
                         on_stored=incoming_fact)

    @cached_property
    def anchor(self) -> LogAnchor:
        """Chain heads outside the table; locally its log group is created on first use."""
        from chalicelib.adapters.anchor import LogAnchor

        return LogAnchor(self.aws("logs"), self.settings.anchor_log_group,
                         create_group=not self.settings.in_lambda)

    @cached_property
    def control(self) -> ControlStore:
        from chalicelib.adapters.dynamodb.control import ControlStore

        return ControlStore(self.aws("dynamodb"), self.table)

    @cached_property
    def media(self) -> S3MediaStore:
        """Images: uploads and their checked, content-addressed copies."""
        from chalicelib.adapters.s3_media import S3MediaStore

        return S3MediaStore(self.aws("s3"), self.settings.media_bucket)

    # -- run-time channels and their accounts -----------------------------------------------

    @cached_property
    def channel_store(self) -> DynamoChannelStore:
        from chalicelib.adapters.dynamodb.channels import DynamoChannelStore

        return DynamoChannelStore(self.aws("dynamodb"), self.table, clock=self.clock)

    @cached_property
    def token_vault(self) -> SsmTokenVault:
        """Run-time channels' tokens: SSM SecureString (standard parameters cost nothing)."""
        from chalicelib.adapters.token_vault import SsmTokenVault

        return SsmTokenVault(self.aws("ssm"), self.settings.channel_tokens)

    @cached_property
    def connect_states(self) -> DynamoConnectStates:
        from chalicelib.adapters.oauth.states import DynamoConnectStates

        return DynamoConnectStates(self.aws("dynamodb"), self.table)

    def connect(self, admin_page: str) -> Connect:
        """Connecting accounts by OAuth and keeping their tokens alive; ``admin_page`` is where
        links in admins' notices point (the installation's public URL)."""
        from chalicelib.adapters.oauth.networks import network_for
        from chalicelib.adapters.slack.account_notices import SlackAccountNotices
        from chalicelib.services.connect import Connect

        def notices() -> SlackAccountNotices:
            return SlackAccountNotices(lambda: self.slack_client, self.workflow.admins,
                                       self.workflow.language, self.workflow.timezone)

        return Connect(records=self.channel_store, vault=self.token_vault,
                       states=self.connect_states, networks=network_for, clock=self.clock,
                       admin_page=admin_page, notices=notices)

    def token_source(self) -> TokenSource:
        """What run-time channels' publishers ask for their access token."""
        from chalicelib.services.connect import TokenSource

        return TokenSource(self.connect(self.public_url))

    @property
    def public_url(self) -> str:
        """Where people reach the web page, ending in a slash (links in Slack notices)."""
        configured = self.settings.public_url.strip()
        return (configured.rstrip("/") if configured
                else f"http://127.0.0.1:{self.settings.port}") + "/"

    def context(self) -> Context:
        from chalicelib.services.ports import Context

        brands = self.live_organization()
        return Context(repo=self.repository, workflow=brands.workflow, brands=brands,
                       clock=self.clock,
                       new_id=self.new_id, media=lambda: self.media, deputies=self.deputies,
                       versions=self.organization_at, take_now=self.take_now,
                       claim_now=self.claim_now)

    def take_now(self, post: Post) -> dict[str, int]:
        """Claim a post that a decision just saved due and queue it (services/scheduling.take_now)."""
        from chalicelib.services import scheduling

        return scheduling.take_now(self.scheduling(), post.id, saved=post)

    def claim_now(self, post: Post) -> Callable[[], dict[str, int]] | None:
        """Claim a post a decision is about to save due, in that save
        (services/scheduling.claim_in_save)."""
        from chalicelib.services import scheduling

        return scheduling.claim_in_save(self.scheduling(), post)

    @cached_property
    def deputies(self) -> DynamoDeputies:
        """Reviewers' absences and their deputies."""
        from chalicelib.adapters.dynamodb.deputies import DynamoDeputies

        return DynamoDeputies(self.aws("dynamodb"), self.table)

    # -- publishing ---------------------------------------------------------------------------

    @cached_property
    def queue(self) -> SqsPublishQueue:
        from chalicelib.adapters.sqs import SqsPublishQueue

        return SqsPublishQueue(self.aws("sqs"), self.settings.publish_queue)

    @cached_property
    def once(self) -> PowertoolsOnce:
        from chalicelib.adapters.idempotency import PowertoolsOnce

        return PowertoolsOnce(self.aws("dynamodb"), self.table)

    @cached_property
    def ledger(self) -> DynamoSendLedger:
        from chalicelib.adapters.idempotency import DynamoSendLedger

        return DynamoSendLedger(self.aws("dynamodb"), self.table)

    @property
    def channels(self) -> ChannelDirectory:
        """The publishers of the workflow's channels; built again when the workflow's current
        version changes (a channel edited on the admin page)."""
        from chalicelib.adapters.channels.registry import ChannelDirectory, RuntimeChannels

        def retired(channel: str, version: str) -> None:
            from chalicelib.services.connect import version_retired

            version_retired(self.connect(self.public_url), channel, version)

        config = self.config
        if self._channels is None or self._channels[0] is not config:
            self._channels = (config, ChannelDirectory(
                config.channels, self.secrets.resolve, media=lambda: self.media,
                runtime=RuntimeChannels(self.channel_store, self.token_source),
                on_linkedin_retired=retired))
        return self._channels[1]

    def accounts(self) -> Accounts:
        """What the admins' channel use cases need."""
        from chalicelib.services.accounts import Accounts

        return Accounts(store=self.channel_store, vault=self.token_vault, workflow=self.workflow,
                        file_channels=self.workflow.channels, clock=self.clock,
                        posts=self.repository, bluesky_sign_in=bluesky_sign_in)

    def unusable_channels(self, channels: list[str], now: datetime) -> list[str]:
        """Of a post's channels, the run-time ones that cannot publish at ``now`` (the claim
        asks for the post's time; the tick holds such a post back); the workflow file's
        channels are not looked up."""
        from chalicelib.services.accounts import unusable

        runtime = [name for name in channels if name not in self.config.channels]
        return unusable(self.channel_store, runtime, now) if runtime else []

    def scheduling(self) -> Scheduling:
        """What the tick needs."""
        from chalicelib.adapters.slack.admin_notices import SlackAdminNotices
        from chalicelib.services.scheduling import Scheduling

        notices = SlackAdminNotices(lambda: self.slack_client, self.workflow.admins,
                                    self.workflow.language)
        return Scheduling(repo=self.repository, workflow=self.live_workflow(),
                          brands=self.live_organization(), clock=self.clock,
                          queue=self.queue, control=self.control, notices=notices,
                          unusable=self.unusable_channels)

    def delivery(self) -> Delivery:
        """What the publish queue's worker needs."""
        from chalicelib.services.delivery import Delivery

        workflow = self.live_workflow()
        return Delivery(repo=self.repository, workflow=workflow, clock=self.clock,
                        control=self.control, channels=self.channels, ledger=self.ledger,
                        once=self.once, x_budget=self.x_budget(workflow),
                        brands=self.live_organization())

    def x_budget(self, workflow: Workflow) -> XBudget:
        """X channels' monthly spend and budgets (docs/publishing.md): the file's, and for a
        channel created on the admin page the budget set there."""
        from chalicelib.adapters.dynamodb.x_spend import DynamoXSpend
        from chalicelib.services.x_budget import XBudget, costing_for

        def runtime_budget(channel: str) -> float | None:
            account = self.channel_store.get(channel)
            return account.x_monthly_budget_usd if account is not None else None

        return XBudget(DynamoXSpend(self.aws("dynamodb"), self.table),
                       costing_for(workflow, self.file_channels, runtime_budget,
                                   self.live_organization().brands.values()),
                       workflow.zone)

    def admin(self) -> Admin:
        """What the admins' use cases need (retry, mark as published, pause, resume)."""
        from chalicelib.services.admin import Admin

        return Admin(repo=self.repository, workflow=self.live_workflow(),
                     brands=self.live_organization(), clock=self.clock,
                     queue=DeferredQueue(lambda: self.queue), control=self.control)

    # -- Slack --------------------------------------------------------------------------------

    @cached_property
    def slack_credentials(self) -> Credentials:
        from chalicelib.adapters.slack.client import load_credentials

        return load_credentials(self.settings, self.secrets.resolve)

    @cached_property
    def slack_client(self) -> WebClient:
        from chalicelib.adapters.slack.client import build_web_client

        return build_web_client(self.slack_credentials.bot_token, self.settings.slack_api_url)

    @cached_property
    def directory(self) -> SlackDirectory:
        from chalicelib.adapters.slack.directory import SlackDirectory

        return SlackDirectory(self.slack_client)

    @cached_property
    def bus(self) -> Dispatcher:
        """Who hears about stored changes: Slack. Building it imports no Slack SDK; the
        client is built when the first message is actually sent."""
        from chalicelib.adapters.slack.notifier import SlackNotifier, SlackPorts
        from chalicelib.services.bus import Dispatcher

        def ports() -> SlackPorts:
            return SlackPorts(self.slack_client, self.directory, self.repository, self.workflow,
                              self.config.slack, media=lambda: self.media,
                              brands=self.live_organization(), deputies=self.deputies)

        from chalicelib.adapters.slack.answers import SlackAnswered
        from chalicelib.services.answered import AnswerPublished
        from chalicelib.services.listening import PublishedIndex

        # Our network ids noted once a post is settled, so replies find their post.
        # A published answer marks its reply or mention answered and is a fact of the figures.
        answered = AnswerPublished(lambda: self.conversations, lambda: self.stats_store,
                                   lambda brand: self.live_organization().brand(brand),
                                   lambda: SlackAnswered(lambda: self.slack_client))
        return Dispatcher(handlers=[SlackNotifier(ports, clock=self.clock),
                                    PublishedIndex(lambda: self.conversations, self.clock),
                                    answered])

    def slack_services(self) -> SlackServices:
        from chalicelib.adapters.slack.deps import SlackServices
        from chalicelib.services.accounts import health

        def channels() -> list[tuple[ChannelAccount, str]]:
            return health(self.channel_store, self.file_channels, self.clock())

        return SlackServices(context=self.context(), directory=self.directory,
                             control=self.control, admin=self.admin(), routing=self.config.slack,
                             channels=channels, stats=self.stats_store,
                             listening=self.listening)

    def slack_requests(self, chalice_app: Chalice) -> ChaliceSlackRequestHandler:
        """The Bolt app behind `POST /slack/events`, built on the first Slack request."""
        if self._slack_requests is None:
            from chalicelib.adapters.slack.runtime import build_request_handler

            self._slack_requests = build_request_handler(
                chalice_app, self.slack_credentials.signing_secret, self.slack_client,
                self.slack_services, in_lambda=self.settings.in_lambda,
                lambda_client=lambda: self.aws("lambda"))
        return self._slack_requests


def bluesky_sign_in(name: str, base_url: str, handle: str, app_password: str) -> str:
    """services.accounts.SignIn: a Bluesky session opened with the handle and app password."""
    from chalicelib.adapters.oauth.bluesky import check_app_password
    from chalicelib.domain.oauth import OAuthRefused, OAuthUnavailable

    try:
        return check_app_password(base_url, handle, app_password)
    except (OAuthRefused, OAuthUnavailable) as err:
        raise LookupError(str(err)) from None


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container(get_settings())
    return _container


def reset() -> None:
    """Forget the parsed environment and every built adapter."""
    global _container
    reset_settings()
    _container = None
