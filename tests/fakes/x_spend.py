"""The month's X spend in memory, with the same refusal the table's conditional write makes."""

from __future__ import annotations

import threading
from decimal import Decimal


class MemoryXSpend:
    def __init__(self) -> None:
        self.months: dict[tuple[str, str], Decimal] = {}
        self._lock = threading.Lock()  # the table's conditional write is atomic too

    def add(self, channel: str, month: str, amount: Decimal,
            budget: Decimal | None) -> tuple[bool, Decimal]:
        with self._lock:
            before = self.months.get((channel, month), Decimal(0))
            if budget is not None and before + amount > budget:
                return False, before
            self.months[(channel, month)] = before + amount
            return True, before

    def take_back(self, channel: str, month: str, amount: Decimal) -> None:
        self.months[(channel, month)] = self.months.get((channel, month), Decimal(0)) - amount

    def spent(self, channel: str, month: str) -> Decimal:
        return self.months.get((channel, month), Decimal(0))
