"""Entry glue for the figures: the facts a stream record gives, and what the stats routes are
handed, from this process's container."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib import bootstrap
from chalicelib.http.stats_routes import StatsDeps


def record_facts(container: bootstrap.Container, record: dict[str, Any],
                 read: Callable[[str], tuple[Any, list[Any], Any]] | None = None) -> int:
    """The facts of one stream record (an inserted timeline event the figures count); the post
    and its timeline are read only for those, through ``read`` when given (the relay reads a
    post once per batch: every record of a batch was stored before the batch was handed over,
    so that read holds every event before each of them). Raises when the table does not
    answer, so the stream retries the record: a fact written twice is the same item."""
    from chalicelib.adapters.dynamodb.stats import counted_event_of
    from chalicelib.services import analytics

    found = counted_event_of(record, analytics.COUNTED_EVENTS)
    if found is None:
        return 0
    post_id, event = found
    post, timeline, _ = (read or container.repository.get_full)(post_id)
    return analytics.record_event(container.stats_store, post, timeline, event)


def answer_targets(container: bootstrap.Container) -> Callable[[str], float]:
    """Each brand's answer_within_hours (the default brand's for one no longer known)."""
    organization = container.context().organization
    return lambda brand: float(organization.brand(brand).answer_within_hours)


def stats_deps() -> StatsDeps:
    container = bootstrap.container()
    return StatsDeps(store=container.stats_store, settings=container.settings,
                     clock=container.clock, answer_within_hours=answer_targets(container),
                     language=lambda: container.workflow.language,
                     brands=lambda: container.context().organization.names)
