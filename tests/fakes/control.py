"""The team's switches in memory: the publishing pause and the scheduler's heartbeat, kept in
the shapes the table's ControlStore gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.services.ports import ControlStore


class FakeControlStore(ControlStore):
    def __init__(self) -> None:
        self.pause_record: dict[str, Any] | None = None  # {"reason", "by", "at"} while paused
        self.tick: str | None = None

    def pause_state(self) -> dict[str, Any] | None:
        return dict(self.pause_record) if self.pause_record else None

    def pause(self, reason: str, by: str, at: datetime) -> None:
        self.pause_record = {"reason": reason, "by": by, "at": at.isoformat()}

    def resume(self, by: str, at: datetime) -> dict[str, Any] | None:
        previous, self.pause_record = self.pause_state(), None
        return previous

    def last_tick(self) -> str | None:
        return self.tick

    def record_tick(self, at: datetime) -> None:
        self.tick = at.isoformat()
