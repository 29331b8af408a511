"""Liveness of the product as an operator sees it: can we reach the table, when did the
scheduler last run, and are the channels connected. A channel that is not connected makes the
product ``degraded``, never down: the rest still works and an admin can reconnect it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class HeartbeatStore(Protocol):
    def last_tick(self) -> str | None: ...


def check(store: HeartbeatStore,
          channels: Callable[[], dict[str, Any]] | None = None) -> tuple[int, dict[str, Any]]:
    """200 with the last tick when the table answers, 503 otherwise. ``channels``: the
    channels' summary (services.accounts.summary); any channel not usable: ``degraded``."""
    try:
        last_tick = store.last_tick()
    except Exception:  # noqa: BLE001 - any failure to reach the table is "unhealthy"
        return 503, {"status": "unavailable", "table": "unreachable"}
    body: dict[str, Any] = {"status": "ok", "table": "reachable", "last_tick": last_tick}
    if channels is not None:
        try:
            summary = channels()
        except Exception:  # noqa: BLE001 - the channels' health never takes the product down
            summary = {"unknown": True}
        body["channels"] = summary
        if summary.get("unknown") or any(summary.get(k) for k in ("expired", "error", "not_connected")):
            body["status"] = "degraded"
    return 200, body
