"""Liveness of the product as an operator sees it: can we reach the table, when did the
scheduler last run."""

from __future__ import annotations

from typing import Any, Protocol


class HeartbeatStore(Protocol):
    def last_tick(self) -> str | None: ...


def check(store: HeartbeatStore) -> tuple[int, dict[str, Any]]:
    """200 with the last tick when the table answers, 503 otherwise."""
    try:
        last_tick = store.last_tick()
    except Exception:  # noqa: BLE001 - any failure to reach the table is "unhealthy"
        return 503, {"status": "unavailable", "table": "unreachable"}
    return 200, {"status": "ok", "table": "reachable", "last_tick": last_tick}
