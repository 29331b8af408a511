"""Saved versions of the workflow (docs/workflow.md, "Managing the workflow at run time").

A version is the workflow file's TOML text as an admin saved it, who saved it, when, and what
changed against the version before: a short list of key paths computed by comparing the two
parsed files, with steps, brands, channels and checklist items named instead of numbered, so
"steps.legal.reviewers" survives a reordering of the steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from chalicelib.domain.errors import DomainError

ChangeKind = Literal["added", "removed", "changed"]
# More than this many changes are summed up in one last entry: the list is for people.
MAX_CHANGES = 40
VALUE_CHARS = 120
# Who the version seeded from the packaged file (or imported from it) is recorded as saved by.
PACKAGED_FILE = "workflow file"


@dataclass(frozen=True)
class Change:
    path: str
    kind: ChangeKind
    old: str = ""
    new: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        kind = data.get("kind")
        return cls(str(data.get("path", "")),
                   kind if kind in ("added", "removed", "changed") else "changed",
                   str(data.get("old", "")), str(data.get("new", "")))


@dataclass(frozen=True)
class WorkflowVersion:
    """One saved version; ``toml`` is empty where a listing left the text out."""

    number: int
    toml: str
    saved_by: str
    saved_at: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workflow someone wants to save, at a key path of the file
    (``brands[1].steps[0].reviewers``); ``kind`` is the validator's kind of error."""

    path: str
    kind: str
    detail: str


class InvalidWorkflow(DomainError):
    """The workflow does not validate; nothing was saved."""

    key = "workflow_not_valid"

    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        super().__init__(self.key, count=len(problems))
        self.problems = tuple(problems)


# Lists of tables whose items are named by a key of their own: compared by that name.
NAMED_BY = ("name", "id")


def _shown(value: Any) -> str:
    if isinstance(value, list):
        text = ", ".join(_shown(item) for item in value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k} = {_shown(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _named(items: list[Any]) -> str | None:
    """The key that names every item of a list of tables, uniquely; None when there is none."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in NAMED_BY:
        names = [item.get(key) for item in items]
        if all(isinstance(name, str) and name for name in names) and len(set(names)) == len(names):
            return key
    return None


def _flatten(value: Any, path: str, leaves: dict[str, Any], units: set[str]) -> None:
    """Leaves by key path; ``units`` collects the paths of named things (a step, a channel, a
    brand) so that one added or removed is one change, not one per key."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if path in ("channels",) or path.endswith(".channels"):
                units.add(child)
            _flatten(item, child, leaves, units)
        return
    if isinstance(value, list) and (key := _named(value)) is not None:
        for item in value:
            child = f"{path}.{item[key]}"
            units.add(child)
            _flatten(item, child, leaves, units)
        return
    leaves[path] = value


def changes_between(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[Change, ...]:
    """What changed from one parsed workflow file to the next; None: there was none before."""
    if old is None:
        return ()
    old_leaves: dict[str, Any] = {}
    new_leaves: dict[str, Any] = {}
    old_units: set[str] = set()
    new_units: set[str] = set()
    _flatten(dict(old), "", old_leaves, old_units)
    _flatten(dict(new), "", new_leaves, new_units)
    added_units = sorted(new_units - old_units)
    removed_units = sorted(old_units - new_units)

    def inside(path: str, units: list[str]) -> bool:
        return any(path == unit or path.startswith(unit + ".") for unit in units)

    found: list[Change] = []
    found += [Change(unit, "added") for unit in added_units if not inside(unit, [
        u for u in added_units if u != unit])]
    found += [Change(unit, "removed") for unit in removed_units if not inside(unit, [
        u for u in removed_units if u != unit])]
    for path in sorted(set(old_leaves) | set(new_leaves)):
        if inside(path, added_units) or inside(path, removed_units):
            continue
        if path not in old_leaves:
            found.append(Change(path, "added", new=_shown(new_leaves[path])))
        elif path not in new_leaves:
            found.append(Change(path, "removed", old=_shown(old_leaves[path])))
        elif old_leaves[path] != new_leaves[path]:
            found.append(Change(path, "changed", _shown(old_leaves[path]),
                                _shown(new_leaves[path])))
    if len(found) > MAX_CHANGES:
        rest = len(found) - MAX_CHANGES + 1
        found = [*found[: MAX_CHANGES - 1], Change(f"(+{rest})", "changed")]
    return tuple(found)
