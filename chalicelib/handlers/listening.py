"""The listening schedule (every minute; locally the ticker's tick): read what is new on every
connected channel, store it, show it in Slack; and, from the reminders schedule, remind
unanswered items once. Also what Slack's Done button and the bus are handed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib import bootstrap, observability

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.adapters.dynamodb.conversations import DynamoConversationStore
    from chalicelib.domain.conversation import ConversationItem
    from chalicelib.domain.workflow import Workflow
    from chalicelib.services.listening import Listening, ListeningChannel

log = logging.getLogger("freigabe.listening")
_stores: dict[int, DynamoConversationStore] = {}


def conversation_store(container: bootstrap.Container) -> DynamoConversationStore:
    """The container's conversation store (one per container)."""
    from chalicelib.adapters.dynamodb.conversations import DynamoConversationStore

    key = id(container)
    if key not in _stores:
        _stores.clear()  # a replaced container (bootstrap.reset) drops the old one
        _stores[key] = DynamoConversationStore(container.aws("dynamodb"), container.table)
    return _stores[key]


def _brands(container: bootstrap.Container) -> dict[str, Workflow]:
    organization = getattr(container, "organization", None)
    brands = getattr(organization, "brands", None)
    if isinstance(brands, dict) and brands:
        return dict(brands)
    workflow = container.workflow
    return {workflow.brand: workflow}


def listening(container: bootstrap.Container | None = None) -> Listening:
    from chalicelib.adapters.slack.conversation import SlackConversations
    from chalicelib.services.listening import Listening

    container = container or bootstrap.container()
    brands = _brands(container)
    default = container.workflow

    def workflow_for(brand: str) -> Workflow:
        return brands.get(brand) or default

    return Listening(store=conversation_store(container),
                     notifier=SlackConversations(lambda: container.slack_client,
                                                 container.repository),
                     clock=container.clock, workflow_for=workflow_for,
                     on_stored=_incoming_fact(container))


def _incoming_fact(container: bootstrap.Container) -> Callable[[ConversationItem], None]:
    """Each stored item becomes an ``incoming`` fact of the analytics (time to first answer)."""
    from chalicelib.adapters.dynamodb.stats import DynamoStatsStore
    from chalicelib.services.analytics import record_fact

    store = DynamoStatsStore(container.aws("dynamodb"), container.table)

    def on_stored(item: ConversationItem) -> None:
        incoming = item.incoming
        record_fact(store, "incoming", item.brand, item.conversation, item.key, incoming.at,
                    channel=incoming.channel, external_id=incoming.external_id)

    return on_stored


def channels(container: bootstrap.Container) -> list[ListeningChannel]:
    """Every channel to read, with its brand and how often the brand reads."""
    from chalicelib.adapters.listening.registry import listeners
    from chalicelib.domain.conversation import utc_text
    from chalicelib.services.listening import ListeningChannel

    brands = _brands(container)
    default = container.workflow
    now = container.clock()
    store = conversation_store(container)
    since = utc_text(now.replace(microsecond=0) - _watch_window())
    try:
        runtime = container.channel_store.list()
    except Exception as err:  # noqa: BLE001 - the file's channels are still read
        log.warning("run-time channels not read", extra={"error": type(err).__name__})
        runtime = []
    found = listeners(container.config.channels, container.secrets.resolve, runtime,
                      container.token_source, lambda name: store.publications(name, since), now)
    result: list[ListeningChannel] = []
    for name, listener in found:
        brand = next((b for b, flow in brands.items() if name in flow.channels), default.brand)
        flow = brands.get(brand) or default
        result.append(ListeningChannel(name, brand, listener, flow.listen_seconds))
    return result


def _watch_window() -> timedelta:
    from chalicelib.adapters.listening.linkedin import WATCH_DAYS

    return timedelta(days=WATCH_DAYS)


def listen() -> dict[str, int]:
    from chalicelib.services import listening as use_case

    observability.setup()
    container = bootstrap.container()
    counts = use_case.listen(listening(container), channels(container))
    log.info("listened", extra=counts)
    return counts


def remind_unanswered() -> dict[str, int]:
    """For the reminders schedule: unanswered items reminded once."""
    from chalicelib.services import listening as use_case

    try:
        return {"unanswered_reminded": use_case.remind_unanswered(listening())}
    except Exception as err:  # noqa: BLE001 - the review reminders must count whatever happens here
        log.warning("unanswered items not reminded", extra={"error": type(err).__name__})
        return {}
