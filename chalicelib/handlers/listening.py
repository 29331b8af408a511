"""The listening schedule (every minute; locally the ticker's tick): read what is new on every
connected channel, store it, show it in Slack; and, from the reminders schedule, remind
unanswered items once. Also what Slack's Done button and the bus are handed."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib import bootstrap, observability

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.adapters.dynamodb.conversations import DynamoConversationStore
    from chalicelib.domain.workflow import Workflow
    from chalicelib.services.listening import Listening, ListeningChannel

log = logging.getLogger("freigabe.listening")


def conversation_store(container: bootstrap.Container) -> DynamoConversationStore:
    return container.conversations


def _brands(container: bootstrap.Container) -> dict[str, Workflow]:
    return dict(container.live_organization().brands)


def listening(container: bootstrap.Container | None = None) -> Listening:
    return (container or bootstrap.container()).listening()


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
