"""The workflow edited at run time (docs/workflow.md, "Managing the workflow at run time").

Admins read the current version, save a new one (as the file's JSON shape or as TOML), and
list every version with who saved it, when and what changed. A save is validated by the same
model as the packaged file (``check``: ``config.parse_config`` handed in by the entry layer), so
a problem names its key path; it stores only if the version the admin edited is still the
current one (else Conflict). An empty table is seeded with the packaged file as version 1.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.workflow_versions import (
    PACKAGED_FILE,
    InvalidWorkflow,
    Problem,
    WorkflowVersion,
    changes_between,
)
from chalicelib.services import toml_text

# A workflow far larger than any real one; keeps both the version and the pointer (a copy)
# well inside DynamoDB's 400 KB item.
MAX_TOML_BYTES = 150_000
HISTORY_LIMIT = 100


class WorkflowVersions(Protocol):
    def current(self) -> WorkflowVersion | None: ...

    def get(self, number: int) -> WorkflowVersion | None: ...

    def history(self, limit: int) -> list[WorkflowVersion]: ...

    def save(self, version: WorkflowVersion) -> None:
        """Conflict unless the current version is ``version.number - 1``."""


@dataclass(frozen=True)
class WorkflowAdmin:
    versions: WorkflowVersions
    # Validates the file's data as the packaged file is validated; raises InvalidWorkflow.
    check: Callable[[dict[str, Any]], None]
    packaged: Callable[[], str]  # the packaged workflow file's text
    clock: Callable[[], datetime]
    # Told of every version stored, so this process reads the new one at once.
    on_saved: Callable[[WorkflowVersion], None] = lambda version: None


def parse(text: str) -> dict[str, Any]:
    """TOML text as the file's data; InvalidWorkflow (at the top level) when it is not TOML."""
    if len(text.encode("utf-8")) > MAX_TOML_BYTES:
        raise InvalidWorkflow([Problem("(top level)", "too_long",
                                       f"larger than {MAX_TOML_BYTES} bytes")])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InvalidWorkflow([Problem("(toml)", "toml", str(err))]) from None
    except RecursionError:
        raise InvalidWorkflow([Problem("(toml)", "toml", "nested too deeply")]) from None


def current(admin: WorkflowAdmin) -> WorkflowVersion:
    """The current version; the packaged file becomes version 1 when the table has none."""
    found = admin.versions.current()
    if found is not None:
        return found
    seed = WorkflowVersion(1, admin.packaged(), PACKAGED_FILE, admin.clock().isoformat())
    with contextlib.suppress(Conflict):  # another request seeded it first
        admin.versions.save(seed)
    found = admin.versions.current()
    return found if found is not None else seed


def require_admin(is_admin: bool) -> None:
    if not is_admin:
        raise Forbidden("not_workflow_admin")


def save(admin: WorkflowAdmin, by: str, expected: int, *, data: Mapping[str, Any] | None = None,
         text: str | None = None) -> WorkflowVersion:
    """Store a new version after ``expected`` (the version the admin edited): from the file's
    data (written out as TOML) or from TOML text (kept as given, comments included).

    InvalidWorkflow names each problem by key path; Conflict when ``expected`` is not the
    current version any more; Forbidden when the saved workflow would no longer list ``by`` as
    an admin of the web page (they could not undo it)."""
    if (data is None) == (text is None):
        raise InvalidWorkflow([Problem("(top level)", "missing",
                                       "give either the workflow or its TOML text")])
    if text is None:
        assert data is not None
        plain = toml_text.without_unset(data)
        text = toml_text.dumps(plain)
        if len(text.encode("utf-8")) > MAX_TOML_BYTES:
            raise InvalidWorkflow([Problem("(top level)", "too_long",
                                           f"larger than {MAX_TOML_BYTES} bytes")])
    new_data = parse(text)
    admin.check(new_data)
    admins = [str(e).strip().lower() for e in new_data.get("admin_emails") or []]
    if by.strip().lower() not in admins:
        raise Forbidden("workflow_locks_out", email=by)
    now = current(admin)
    if expected != now.number:
        raise Conflict("workflow_stale", version=now.number)
    if text == now.toml:
        return now  # nothing changed: no new version
    version = WorkflowVersion(now.number + 1, text, by, admin.clock().isoformat(),
                              changes_between(_data_or_none(now.toml), new_data))
    admin.versions.save(version)
    admin.on_saved(version)
    return version


def import_file(admin: WorkflowAdmin, by: str, text: str) -> WorkflowVersion:
    """A TOML file as the next version whatever is current (the workflow managed as code:
    ``make workflow-import``); checked like any save."""
    new_data = parse(text)
    admin.check(new_data)
    now = current(admin)
    if text == now.toml:
        return now
    version = WorkflowVersion(now.number + 1, text, by, admin.clock().isoformat(),
                              changes_between(_data_or_none(now.toml), new_data))
    admin.versions.save(version)
    admin.on_saved(version)
    return version


def history(admin: WorkflowAdmin, limit: int = HISTORY_LIMIT) -> list[WorkflowVersion]:
    """Saved versions, newest first (seeding the table when it is empty)."""
    current(admin)
    return admin.versions.history(limit)


def version(admin: WorkflowAdmin, number: int) -> WorkflowVersion | None:
    return admin.versions.get(number)


def _data_or_none(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def to_api(found: WorkflowVersion) -> dict[str, Any]:
    """``{"version", "workflow", "toml", "saved_by", "saved_at"}``; ``workflow`` is the file's
    data as JSON (what the admin page's form edits)."""
    return {"version": found.number, "workflow": _data_or_none(found.toml) or {},
            "toml": found.toml, "saved_by": found.saved_by, "saved_at": found.saved_at}


def summary(found: WorkflowVersion) -> dict[str, Any]:
    return {"version": found.number, "saved_by": found.saved_by, "saved_at": found.saved_at,
            "changes": [change.to_dict() for change in found.changes]}
