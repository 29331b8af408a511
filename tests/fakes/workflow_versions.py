"""services.workflow_admin.WorkflowVersions in memory, with the table's rule: a version is
stored only right after the current one (adapters/dynamodb/workflows.py)."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.errors import Conflict
from chalicelib.domain.workflow_versions import WorkflowVersion


class MemoryVersions:
    def __init__(self) -> None:
        self.stored: dict[int, WorkflowVersion] = {}

    def current(self) -> WorkflowVersion | None:
        return self.stored[max(self.stored)] if self.stored else None

    def get(self, number: int) -> WorkflowVersion | None:
        return self.stored.get(number)

    def history(self, limit: int) -> list[WorkflowVersion]:
        """Newest first, without the text (as the table's listing)."""
        return [replace(self.stored[n], toml="")
                for n in sorted(self.stored, reverse=True)][:max(1, limit)]

    def save(self, version: WorkflowVersion) -> None:
        latest = max(self.stored, default=0)
        if version.number != latest + 1:
            raise Conflict("workflow_stale", version=latest)
        self.stored[version.number] = version
