"""What Bolt's listeners are handed: the use cases' dependencies, put on Bolt's ``context`` by
the middleware runtime.py installs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.slack.directory import SlackDirectory
from chalicelib.config import SlackRouting
from chalicelib.domain.accounts import ChannelAccount
from chalicelib.services.ports import Context, ControlStore, StatsStore

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.services.admin import Admin
    from chalicelib.services.listening import Listening

SERVICES = "freigabe"  # the key under which listeners find SlackServices on Bolt's context


@dataclass
class SlackServices:
    """What the listeners need, besides Bolt's client."""

    context: Context
    directory: SlackDirectory
    control: ControlStore
    admin: Admin
    routing: SlackRouting
    # Every channel with its status (services.accounts.health), for `/freigabe channels`.
    channels: Callable[[], list[tuple[ChannelAccount, str]]] | None = None
    # Replies and mentions read from the networks (Done), built on first use.
    listening: Callable[[], Listening] | None = None
    # The figures' facts (services/analytics.py), for `/freigabe stats`; None: not kept here.
    stats: StatsStore | None = None


def services_of(context: Any) -> SlackServices:
    services: SlackServices = context[SERVICES]
    return services
