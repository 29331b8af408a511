"""Reviewers' absences in memory, kept and read the way the table's DynamoDeputies does:
an absence is found from either side only while it has not ended."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.deputies import Away
from chalicelib.services.ports import DeputyStore, PersonLookup


class MemoryDeputies(DeputyStore):
    def __init__(self) -> None:
        self.absences: list[Away] = []

    def put(self, away: Away) -> None:
        self.remove(away)
        self.absences.append(away)

    def remove(self, away: Away) -> None:
        self.absences = [a for a in self.absences
                         if (a.reviewer, a.until, a.deputy) != (away.reviewer, away.until, away.deputy)]

    def of_reviewer(self, reviewer: str, after: datetime) -> list[Away]:
        return sorted((a for a in self.absences if a.reviewer == reviewer and a.until > after),
                      key=lambda a: a.until)

    def covered_by(self, deputy: str, after: datetime) -> list[Away]:
        return sorted((a for a in self.absences if a.deputy == deputy and a.until > after),
                      key=lambda a: a.until)


class FakePeople(PersonLookup):
    """Slack members by kind; anyone not listed is unknown."""

    def __init__(self, people: dict[str, str] | None = None) -> None:
        self.people = dict(people or {})

    def member_kind(self, user_id: str) -> str:
        return self.people.get(user_id, "unknown")
