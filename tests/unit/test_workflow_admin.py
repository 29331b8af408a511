"""The workflow edited at run time, without AWS: versions saved with who, when and what changed,
the same validation as the file (problems by key path), stale versions refused, TOML written
so that the standard library reads back the same data, and a post reviewed under the version
it was submitted under."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.config import WorkflowError, parse_config
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.workflow import Organization, StepRule, Workflow
from chalicelib.domain.workflow_versions import (
    PACKAGED_FILE,
    Change,
    InvalidWorkflow,
    Problem,
    WorkflowVersion,
    changes_between,
)
from chalicelib.services import toml_text, workflow_admin
from chalicelib.services.workflow_admin import WorkflowAdmin
from tests.conftest import WORKFLOW
from tests.fakes.workflow_versions import MemoryVersions

ADMIN = "admin@freigabe.example"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def check(data: dict[str, Any]) -> None:
    try:
        parse_config(data)
    except WorkflowError as err:
        raise InvalidWorkflow([Problem(*p) for p in err.problems]) from None


@pytest.fixture
def admin() -> WorkflowAdmin:
    return WorkflowAdmin(versions=MemoryVersions(), check=check,
                         packaged=lambda: WORKFLOW.read_text(encoding="utf-8"), clock=lambda: NOW)


def packaged_data() -> dict[str, Any]:
    return tomllib.loads(WORKFLOW.read_text(encoding="utf-8"))


def with_reviewers(data: dict[str, Any], step: str, reviewers: list[str]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    next(s for s in changed["steps"] if s["name"] == step)["reviewers"] = reviewers
    return changed


# -- versions -------------------------------------------------------------------------------

def test_an_empty_table_is_seeded_with_the_packaged_file_as_version_1(admin: WorkflowAdmin) -> None:
    first = workflow_admin.current(admin)
    assert (first.number, first.saved_by, first.changes) == (1, PACKAGED_FILE, ())
    assert first.toml == WORKFLOW.read_text(encoding="utf-8")  # comments and all
    assert workflow_admin.current(admin) == first  # read again: not seeded twice
    assert [v.number for v in workflow_admin.history(admin)] == [1]


def test_a_save_is_the_next_version_with_who_when_and_what_changed(admin: WorkflowAdmin) -> None:
    seen: list[WorkflowVersion] = []
    admin = WorkflowAdmin(admin.versions, admin.check, admin.packaged, admin.clock,
                          on_saved=seen.append)
    workflow_admin.current(admin)
    saved = workflow_admin.save(admin, ADMIN, 1,
                                data=with_reviewers(packaged_data(), "brand", ["U0BRAND2"]))
    assert (saved.number, saved.saved_by, saved.saved_at) == (2, ADMIN, NOW.isoformat())
    assert saved.changes == (Change("steps.brand.reviewers", "changed", "U0BRAND1", "U0BRAND2"),)
    assert seen == [saved]
    assert tomllib.loads(saved.toml)["steps"][1]["reviewers"] == ["U0BRAND2"]
    assert parse_config(tomllib.loads(saved.toml)).workflow.step("brand").reviewers == ("U0BRAND2",)
    assert [v.number for v in workflow_admin.history(admin)] == [2, 1]


def test_a_stale_version_is_refused_and_nothing_is_stored(admin: WorkflowAdmin) -> None:
    workflow_admin.current(admin)
    workflow_admin.save(admin, ADMIN, 1, data=with_reviewers(packaged_data(), "brand", ["U0B2"]))
    with pytest.raises(Conflict) as refused:
        workflow_admin.save(admin, ADMIN, 1, data=with_reviewers(packaged_data(), "brand", ["U0B3"]))
    assert refused.value.params["version"] == 2
    assert workflow_admin.current(admin).number == 2
    assert "U0B3" not in workflow_admin.current(admin).toml


def test_an_invalid_workflow_names_the_key_path_and_stores_nothing(admin: WorkflowAdmin) -> None:
    workflow_admin.current(admin)
    bad = with_reviewers(packaged_data(), "brand", ["not-a-slack-id"])
    bad["timezone"] = "Mars/Olympus"
    bad["steps"][0]["colour"] = "red"
    with pytest.raises(InvalidWorkflow) as refused:
        workflow_admin.save(admin, ADMIN, 1, data=bad)
    by_path = {p.path: p.kind for p in refused.value.problems}
    assert by_path["steps[1].reviewers[0]"] == "string_pattern_mismatch"
    assert by_path["steps[0].colour"] == "extra_forbidden"
    assert "timezone" in by_path
    assert workflow_admin.current(admin).number == 1


def test_toml_that_is_not_toml_is_a_problem_at_the_top(admin: WorkflowAdmin) -> None:
    workflow_admin.current(admin)
    with pytest.raises(InvalidWorkflow) as refused:
        workflow_admin.save(admin, ADMIN, 1, text="steps = [\n")
    assert [p.path for p in refused.value.problems] == ["(toml)"]
    deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(InvalidWorkflow):
        workflow_admin.save(admin, ADMIN, 1, text=deep)
    assert workflow_admin.current(admin).number == 1


def test_toml_text_is_kept_as_written_comments_included(admin: WorkflowAdmin) -> None:
    workflow_admin.current(admin)
    text = WORKFLOW.read_text(encoding="utf-8").replace(
        'reviewers = ["U0BRAND1"]', 'reviewers = ["U0BRAND9"]  # while Anna is away')
    saved = workflow_admin.save(admin, ADMIN, 1, text=text)
    assert saved.toml == text
    assert saved.changes == (Change("steps.brand.reviewers", "changed", "U0BRAND1", "U0BRAND9"),)


def test_saving_what_is_current_makes_no_new_version(admin: WorkflowAdmin) -> None:
    first = workflow_admin.current(admin)
    assert workflow_admin.save(admin, ADMIN, 1, text=first.toml) == first
    assert [v.number for v in workflow_admin.history(admin)] == [1]


def test_an_admin_cannot_save_a_workflow_that_drops_them(admin: WorkflowAdmin) -> None:
    workflow_admin.current(admin)
    data = packaged_data()
    data["admin_emails"] = ["someone.else@freigabe.example"]
    with pytest.raises(Forbidden):
        workflow_admin.save(admin, ADMIN, 1, data=data)
    assert workflow_admin.current(admin).number == 1


def test_importing_the_file_as_code_follows_whatever_is_current(admin: WorkflowAdmin) -> None:
    workflow_admin.current(admin)
    workflow_admin.save(admin, ADMIN, 1, data=with_reviewers(packaged_data(), "brand", ["U0B2"]))
    imported = workflow_admin.import_file(admin, "ops@freigabe.example",
                                          WORKFLOW.read_text(encoding="utf-8"))
    assert imported.number == 3 and imported.changes == (
        Change("steps.brand.reviewers", "changed", "U0B2", "U0BRAND1"),)
    with pytest.raises(InvalidWorkflow):
        workflow_admin.import_file(admin, "ops@freigabe.example", "steps = []\n")


# -- what changed ---------------------------------------------------------------------------

def test_changes_name_steps_and_channels_not_positions() -> None:
    old = packaged_data()
    new = copy.deepcopy(old)
    new["steps"].reverse()  # order alone is no change of keys
    assert changes_between(old, new) == ()
    new["steps"].append({"name": "social", "label": "Social", "slack_channel": "C0SOCIAL",
                         "reviewers": ["U0S"]})
    del new["channels"]["x"]
    new["channels"]["mastodon"]["base_url"] = "https://other.example"
    new["language"] = "en"
    assert set(changes_between(old, new)) == {
        Change("steps.social", "added"), Change("channels.x", "removed"),
        Change("channels.mastodon.base_url", "changed", "https://mastodon.example",
               "https://other.example"),
        Change("language", "changed", "de", "en")}
    assert changes_between(None, new) == ()


def test_a_long_list_of_changes_is_summed_up() -> None:
    old: dict[str, Any] = {"steps": [], "reason_labels": []}
    new = {f"key{i}": i for i in range(100)}
    found = changes_between(old, new)
    assert len(found) == 40 and found[-1].path.startswith("(+")


# -- TOML written back ----------------------------------------------------------------------

def test_the_packaged_file_written_as_toml_reads_back_the_same() -> None:
    data = packaged_data()
    assert tomllib.loads(toml_text.dumps(data)) == data
    checklist = with_reviewers(data, "brand", ["U0B"])
    checklist["steps"][1]["checklist"] = [{"id": "claims", "label": {"de": "Aussagen „belegt“",
                                                                      "en": "Claims\nchecked"}}]
    checklist["steps"][1]["when"] = {"keywords": ["a\"b", "c\\d"], "channels": []}
    checklist["channels"]["x"]["x_prices"] = {"post": 0.015}
    assert tomllib.loads(toml_text.dumps(checklist)) == checklist
    parse_config(tomllib.loads(toml_text.dumps(checklist)))


def test_unset_values_are_left_out() -> None:
    assert toml_text.without_unset({"a": None, "b": [1, None], "c": {"d": None}}) == {
        "b": [1], "c": {}}


keys = st.text(min_size=1, max_size=8)
scalars = (st.text(max_size=12) | st.integers(-10**6, 10**6) | st.booleans()
           | st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(scalars | st.lists(scalars, max_size=3),
                      lambda inner: st.dictionaries(keys, inner, max_size=3)
                      | st.lists(st.dictionaries(keys, inner, min_size=1, max_size=3),
                                 min_size=1, max_size=2), max_leaves=12)


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(keys, values, max_size=5))
def test_any_data_written_as_toml_reads_back_the_same(data: dict[str, Any]) -> None:
    assert tomllib.loads(toml_text.dumps(data)) == data


# -- a post keeps its version ---------------------------------------------------------------

def test_a_post_is_reviewed_under_the_version_it_was_submitted_under() -> None:
    from chalicelib.services.ports import Context
    from tests.unit.helpers import new_post

    def flow(reviewer: str) -> Workflow:
        return Workflow(steps=(StepRule("brand", "Brand", reviewers=(reviewer,)),),
                        channels={"outbox": "outbox"})

    versions = {2: Organization.single(flow("U0OLD"), version=2)}
    current = Organization.single(flow("U0NEW"), version=3)
    ctx = Context(repo=None, workflow=current.workflow, clock=lambda: NOW,  # type: ignore[arg-type]
                  new_id=lambda: "x", brands=current, versions=lambda n: versions[n or 0])
    post = new_post()
    post.workflow_version = 2
    assert ctx.workflow_for(post).step("brand").reviewers == ("U0OLD",)
    post.workflow_version = 3
    assert ctx.workflow_for(post).step("brand").reviewers == ("U0NEW",)
    post.workflow_version = None  # not submitted yet, or before any version was saved
    assert ctx.workflow_for(post).step("brand").reviewers == ("U0NEW",)


# -- the workflow as code ---------------------------------------------------------------------

def test_the_cli_exports_imports_and_lists_versions(admin: WorkflowAdmin, tmp_path: Any,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from dev import workflow_cli

    assert workflow_cli.main(["export"], admin) == 0  # an empty table: the packaged file
    assert capsys.readouterr().out == WORKFLOW.read_text(encoding="utf-8")
    assert admin.versions.current() is None  # exporting wrote nothing

    edited = tmp_path / "workflow.toml"
    edited.write_text(WORKFLOW.read_text(encoding="utf-8").replace('"U0BRAND1"', '"U0BRAND7"'),
                      encoding="utf-8")
    assert workflow_cli.main(["import", str(edited), "--by", "ops@freigabe.example"], admin) == 0
    assert "version 2 saved by ops@freigabe.example" in capsys.readouterr().out
    assert workflow_cli.main(["export"], admin) == 0
    assert '"U0BRAND7"' in capsys.readouterr().out
    assert workflow_cli.main(["export", "--version", "1"], admin) == 0
    assert '"U0BRAND1"' in capsys.readouterr().out
    assert workflow_cli.main(["export", "--version", "9"], admin) == 1

    broken = tmp_path / "broken.toml"
    broken.write_text("timezone = 3\n", encoding="utf-8")
    assert workflow_cli.main(["import", str(broken), "--by", "ops@freigabe.example"], admin) == 1
    assert "timezone" in capsys.readouterr().err
    assert workflow_cli.main(["versions"], admin) == 0
    listed = capsys.readouterr().out
    assert "ops@freigabe.example" in listed and "changed steps.brand.reviewers" in listed


def test_every_text_of_the_routes_reads_in_german_and_english() -> None:
    from chalicelib.http.workflow_admin_routes import PROBLEMS, TEXTS, problem_text, text

    for key in TEXTS:
        for lang in ("de", "en"):
            said = text(key, lang, version=3, count=2, email="a@freigabe.example")
            assert "{" not in said.replace("{…}", "").replace('{"', "") and said
    for kind in [*PROBLEMS, "int_parsing", "anything_else"]:
        assert problem_text(Problem("steps[0].name", kind, "detail"), "de") != problem_text(
            Problem("steps[0].name", kind, "detail"), "en")
