"""Analytics facts in memory, kept per UTC day like the table keeps them."""

from __future__ import annotations

from chalicelib.services.ports import StatsFact


class MemoryStatsStore:
    def __init__(self) -> None:
        self.days: dict[str, dict[tuple[str, str, str], StatsFact]] = {}
        self.days_read: list[str] = []  # every day queried, in order: a period reads only its days

    def put(self, fact: StatsFact) -> None:
        self.days.setdefault(fact.day, {})[(fact.brand, fact.subject, fact.key)] = fact

    def day(self, day: str, brand: str | None = None) -> list[StatsFact]:
        self.days_read.append(day)
        return [f for f in self.days.get(day, {}).values() if brand is None or f.brand == brand]
