"""docs/ against the product it describes: every call of the OpenAPI document, every key of
the workflow file (with its default) and every `/freigabe` command is documented, nothing
documented is gone, and the docs' links lead somewhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

DOCS = Path(__file__).resolve().parents[2] / "docs"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Served besides the calls the OpenAPI document describes: the document itself, and who the
# caller is (the web form's first call).
UNDESCRIBED_CALLS = {"GET /api/openapi.json", "GET /api/me"}


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def sections(markdown: str) -> list[tuple[str, str]]:
    """(heading, text up to the next heading of any level), ignoring `#` inside code blocks."""
    found: list[tuple[str, list[str]]] = [("", [])]
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{1,6} ", line):
            found.append((line, []))
        else:
            found[-1][1].append(line)
    return [(heading, "\n".join(body)) for heading, body in found]


def section(markdown: str, marker: str) -> str:
    matching = [body for heading, body in sections(markdown) if marker in heading]
    assert len(matching) == 1, f"one heading with {marker!r} expected, found {len(matching)}"
    return matching[0]


# -- docs/api.md -----------------------------------------------------------------------------


def described_calls() -> set[str]:
    from chalicelib.http.openapi import spec

    return {
        f"{method.upper()} {path}"
        for path, operations in spec()["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }


def test_api_md_documents_every_call_of_the_openapi_document() -> None:
    doc = read("api.md")

    missing = sorted(call for call in described_calls() if f"`{call}`" not in doc)

    assert missing == []


def test_api_md_documents_no_call_the_app_does_not_have() -> None:
    documented = set(re.findall(r"`((?:GET|PUT|POST|DELETE|PATCH) /api/[^`?\s]*)`", read("api.md")))

    assert documented - described_calls() - UNDESCRIBED_CALLS == set()


# -- docs/workflow.md ------------------------------------------------------------------------


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models a field's type is made of (through lists, dicts, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in get_args(annotation):
        yield from models_in(argument)


def field_models(model: type[BaseModel], field: str) -> list[type[BaseModel]]:
    return list(models_in(model.model_fields[field].annotation))


def workflow_file_model() -> type[BaseModel]:
    """The model of the whole file: the one with `steps` and `channels`."""
    from chalicelib import config

    roots = [
        value
        for value in vars(config).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value is not BaseModel
        and {"steps", "channels", "admins"} <= set(value.model_fields)
    ]
    assert len(roots) == 1, roots
    return roots[0]


def documented_sections() -> dict[str, type[BaseModel]]:
    """Heading marker in docs/workflow.md -> the model whose keys that section's table lists."""
    root = workflow_file_model()
    (step,) = field_models(root, "steps")
    (when,) = field_models(step, "when")
    (brand,) = field_models(root, "brands")
    channel_models = field_models(root, "channels")
    assert channel_models
    by_heading: dict[str, type[BaseModel]] = {
        "Top-level keys": root,
        "`[[steps]]`": step,
        "`[steps.when]`": when,
        "`[[brands]]`": brand,
    }
    for model in channel_models:
        (kind,) = get_args(model.model_fields["type"].annotation)
        by_heading[f'`type = "{kind}"`'] = model
    return by_heading


def reachable_models(model: type[BaseModel]) -> set[type[BaseModel]]:
    found = {model}
    for field in model.model_fields.values():
        for inner in models_in(field.annotation):
            if inner not in found:
                found |= reachable_models(inner)
    return found


def table_rows(text: str) -> dict[str, list[str]]:
    """Key -> the other cells of each `| `key` | ... |` row of a table."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\| `([^`]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def test_workflow_md_has_a_section_for_every_table_of_the_file() -> None:
    mapped = set(documented_sections().values())

    assert reachable_models(workflow_file_model()) - mapped == set()


@pytest.mark.parametrize("marker", sorted(documented_sections()))
def test_workflow_md_lists_exactly_the_keys_of_each_table_with_their_defaults(marker: str) -> None:
    model = documented_sections()[marker]
    rows = table_rows(section(read("workflow.md"), marker))
    # A brand's table takes the top-level per-brand keys too: its section lists its own.
    inherited = set(workflow_file_model().model_fields) if marker == "`[[brands]]`" else set()
    keys = {field.alias or name: field for name, field in model.model_fields.items()
            if name not in inherited}

    assert sorted(rows) == sorted(keys), f"keys documented under {marker}"
    for key, field in keys.items():
        cells = rows[key]
        assert len(cells) == 3, f"{marker} {key}: | key | type | default | meaning |"
        default = cells[1]
        if field.is_required():
            assert default.startswith("required"), f"{marker} {key} is required"
        elif field.default is None:
            assert default in ("–", "absent") or default.startswith("required unless"), \
                f"{marker} {key} has no default"
        else:
            assert default == f"`{toml(field.default)}`", f"{marker} {key}'s default"


# -- docs/slack.md ---------------------------------------------------------------------------


def help_commands() -> set[str]:
    from chalicelib.adapters.slack.texts import TEXTS

    return {word for text in TEXTS["help"].values() for word in re.findall(r"/freigabe (\w+)", text)}


def test_slack_md_documents_every_command_the_help_lists_and_no_other() -> None:
    doc = read("slack.md")
    listed = help_commands()

    assert {"status", "queue", "pause", "resume", "help"} <= listed
    assert sorted(word for word in listed if f"`/freigabe {word}" not in doc) == []
    assert set(re.findall(r"`/freigabe (\w+)", doc)) <= listed


# -- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_relative_links_lead_to_files_that_exist(page: str) -> None:
    targets = re.findall(r"\]\(([^)\s]+)\)", read(page))
    local = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]

    assert [t for t in local if not (DOCS / t).exists()] == []
