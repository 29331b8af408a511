"""Entry glue for the figures: the fact store of this process's container, the facts a stream
record gives, and what the stats routes are handed."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib import bootstrap
from chalicelib.http.stats_routes import StatsDeps

if TYPE_CHECKING:  # pragma: no cover - types only
    from chalicelib.adapters.dynamodb.stats import DynamoStatsStore

_stores: weakref.WeakKeyDictionary[bootstrap.Container, DynamoStatsStore] = (
    weakref.WeakKeyDictionary())


def stats_store(container: bootstrap.Container) -> DynamoStatsStore:
    if container not in _stores:
        from chalicelib.adapters.dynamodb.stats import DynamoStatsStore

        _stores[container] = DynamoStatsStore(container.aws("dynamodb"), container.table)
    return _stores[container]


def record_facts(container: bootstrap.Container, record: dict[str, Any]) -> int:
    """The facts of one stream record (an inserted timeline event the figures count); the post
    and its timeline are read only for those. Raises when the table does not answer, so the
    stream retries the record: a fact written twice is the same item."""
    from chalicelib.adapters.dynamodb.stats import counted_event_of
    from chalicelib.services import analytics

    found = counted_event_of(record, analytics.COUNTED_EVENTS)
    if found is None:
        return 0
    post_id, event = found
    post, timeline, _ = container.repository.get_full(post_id)
    return analytics.record_event(stats_store(container), post, timeline, event)


def answer_targets(container: bootstrap.Container) -> Callable[[str], float]:
    """Each brand's answer_within_hours (the default brand's for one no longer known)."""
    organization = container.context().organization
    return lambda brand: float(organization.brand(brand).answer_within_hours)


def stats_deps() -> StatsDeps:
    container = bootstrap.container()
    return StatsDeps(store=stats_store(container), settings=container.settings,
                     clock=container.clock, answer_within_hours=answer_targets(container),
                     language=lambda: container.workflow.language,
                     brands=lambda: container.context().organization.names)
