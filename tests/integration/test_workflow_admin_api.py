"""The workflow edited at run time over HTTP on moto, with the Slack dev workspace (CONTRACT
§10): an admin changes a reviewer and the next review request goes to the new one without a
restart; a stale version is a 409, an invalid one a 422 naming the key, a writer a 403, and
every version is listed with who saved it and what changed."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from chalicelib.adapters.slack.blocks import APPROVE
from tests.conftest import WORKFLOW
from tests.integration.slack_helpers import WRITER, SlackRig, shown_text

ADMIN = "admin@freigabe.example"


def call(rig: SlackRig, method: str, payload: Any = None, user: str = ADMIN,
         path: str = "/api/admin/workflow") -> tuple[int, dict[str, Any]]:
    response = rig.http.request(method, rig.servers.app_url + path, json=payload,
                                headers={"X-Freigabe-User": user}, timeout=30)
    assert response.status_code < 500, response.text
    return response.status_code, response.json()


def with_brand_step(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    next(s for s in changed["steps"] if s["name"] == "brand").update(changes)
    return changed


def brand_step(post: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in post["steps"] if s["name"] == "brand")  # type: ignore[no-any-return]


def test_the_next_review_request_goes_to_the_new_reviewer_without_a_restart(
        slack_rig: SlackRig) -> None:
    before = slack_rig.create(text="Vorher")
    slack_rig.relay.pump()
    assert slack_rig.request_for("C0BRAND", before["id"])

    status, current = call(slack_rig, "GET")
    assert status == 200 and current["version"] == 1
    assert current["toml"] == WORKFLOW.read_text(encoding="utf-8")
    assert current["workflow"] == tomllib.loads(current["toml"])

    changed = with_brand_step(current["workflow"], reviewers=["U0LEGAL2"],
                              slack_channel="C0GENERAL")
    status, saved = call(slack_rig, "PUT", {"version": 1, "workflow": changed})
    assert status == 200, saved
    assert saved["version"] == 2 and saved["saved_by"] == ADMIN
    assert {"path": "steps.brand.reviewers", "kind": "changed", "old": "U0BRAND1",
            "new": "U0LEGAL2"} in saved["changes"]

    after = slack_rig.create(text="Nachher")
    assert slack_rig.post(after["id"])["workflow_version"] == 2
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []
    request = slack_rig.request_for("C0GENERAL", after["id"])
    assert "Nachher" in shown_text(request)

    slack_rig.click("U0BRAND1", request, APPROVE)  # no longer a reviewer of the step
    assert brand_step(slack_rig.post(after["id"]))["status"] == "pending"
    assert any("nicht" in shown_text(e) for e in slack_rig.ephemerals("U0BRAND1"))
    slack_rig.click("U0LEGAL2", request, APPROVE)
    decided = slack_rig.post(after["id"])
    assert (brand_step(decided)["status"], brand_step(decided)["decided_by"]) == (
        "approved", "U0LEGAL2")
    assert decided["status"] == "publishing"  # approved without a time: queued at once

    # The post submitted before the change still says which version reviews it.
    assert slack_rig.post(before["id"])["workflow_version"] is None


def test_a_stale_version_is_a_409_and_changes_nothing(slack_rig: SlackRig) -> None:
    _, current = call(slack_rig, "GET")
    first = with_brand_step(current["workflow"], reviewers=["U0BRAND2"])
    assert call(slack_rig, "PUT", {"version": 1, "workflow": first})[0] == 200
    second = with_brand_step(current["workflow"], reviewers=["U0BRAND3"])
    status, refused = call(slack_rig, "PUT", {"version": 1, "workflow": second})
    assert status == 409 and refused["error"] == "workflow_stale" and refused["version"] == 2
    assert "Version 2" in refused["message"]
    _, now = call(slack_rig, "GET")
    assert now["version"] == 2 and "U0BRAND3" not in now["toml"]


def nested(depth: int) -> list[Any]:
    value: list[Any] = [1]
    for _ in range(depth):
        value = [value]
    return value


def test_an_invalid_workflow_is_a_422_naming_the_key_and_changes_nothing(
        slack_rig: SlackRig) -> None:
    _, current = call(slack_rig, "GET")
    bad = with_brand_step(current["workflow"], reviewers=["anna"])
    status, refused = call(slack_rig, "PUT", {"version": 1, "workflow": bad})
    assert status == 422 and refused["error"] == "workflow_not_valid"
    assert [p["path"] for p in refused["problems"]] == ["steps[1].reviewers[0]"]
    assert refused["problems"][0]["message"].startswith("hat nicht die erwartete Form")

    unknown = copy.deepcopy(current["workflow"])
    unknown["steps"][0]["when"]["channels"] = ["nowhere"]
    status, refused = call(slack_rig, "PUT", {"version": 1, "workflow": unknown})
    assert status == 422 and "nowhere" in refused["problems"][0]["detail"]

    english = slack_rig.http.put(slack_rig.servers.app_url + "/api/admin/workflow",
                                 json={"version": 1, "toml": "steps = [\n"},
                                 headers={"X-Freigabe-User": ADMIN, "Accept-Language": "en"})
    assert english.status_code == 422
    assert english.json()["problems"][0]["path"] == "(toml)"
    assert english.json()["message"].startswith("The workflow is not valid")

    bodies: list[Any] = [{"version": "1", "workflow": {}}, {"version": 1}, [],
                         {"version": 1, "toml": 3}, {"version": 1, "workflow": {"a": nested(20)}}]
    for body in bodies:
        assert call(slack_rig, "PUT", body)[0] == 422
    _, now = call(slack_rig, "GET")
    assert now["version"] == 1
    assert [v["version"] for v in call(slack_rig, "GET",
                                       path="/api/admin/workflow/versions")[1]["versions"]] == [1]


def test_writers_get_403_on_every_workflow_call(slack_rig: SlackRig) -> None:
    _, current = call(slack_rig, "GET")
    for method, path, payload in (
            ("GET", "/api/admin/workflow", None),
            ("PUT", "/api/admin/workflow", {"version": 1, "workflow": current["workflow"]}),
            ("GET", "/api/admin/workflow/versions", None),
            ("GET", "/api/admin/workflow/versions/1", None)):
        status, refused = call(slack_rig, method, payload, user=WRITER, path=path)
        assert status == 403 and refused["error"] == "not_workflow_admin"
    assert call(slack_rig, "GET")[1]["version"] == 1


def test_versions_are_listed_newest_first_with_who_when_and_what_changed(
        slack_rig: SlackRig) -> None:
    _, current = call(slack_rig, "GET")
    text = current["toml"].replace('reviewers = ["U0BRAND1"]',
                                   'reviewers = ["U0BRAND2"]  # during the holidays')
    status, saved = call(slack_rig, "PUT", {"version": 1, "toml": text})
    assert status == 200 and saved["toml"] == text  # kept as written, comment included
    dropped = copy.deepcopy(saved["workflow"])
    del dropped["channels"]["linkedin"]
    assert call(slack_rig, "PUT", {"version": 2, "workflow": dropped})[0] == 200

    status, listed = call(slack_rig, "GET", path="/api/admin/workflow/versions")
    assert status == 200
    versions = listed["versions"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert [v["saved_by"] for v in versions] == [ADMIN, ADMIN, "workflow file"]
    assert all(v["saved_at"] for v in versions)
    assert versions[0]["changes"] == [{"path": "channels.linkedin", "kind": "removed",
                                       "old": "", "new": ""}]
    assert versions[1]["changes"][0]["path"] == "steps.brand.reviewers"

    status, second = call(slack_rig, "GET", path="/api/admin/workflow/versions/2")
    assert status == 200 and second["toml"] == text
    assert call(slack_rig, "GET", path="/api/admin/workflow/versions/99")[0] == 404
