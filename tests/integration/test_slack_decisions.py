"""Who may decide, and that everyone else changes nothing; Slack's resends and double clicks
record one decision."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from chalicelib.adapters.slack.blocks import APPROVE, REQUEST_CHANGES
from tests.integration.slack_helpers import (
    SlackRig,
    queued,
    signed_headers,
    stored,
)


def decisions(post_id: str) -> int:
    return [e["type"] for e in stored(post_id)["timeline"]].count("decision")


def test_someone_who_is_not_a_reviewer_of_the_step_changes_nothing(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    before = stored(post["id"])
    for user in ("U0BRAND1", "U0ADMIN"):
        assert slack_rig.click(user, legal, APPROVE)["status"] == 200
    assert stored(post["id"]) == before
    (said,) = [e for e in slack_rig.ephemerals("U0BRAND1") if e["channel"] == "C0LEGAL"]
    assert said["text"] == "Sie gehören nicht zu den Prüfenden für Legal. Es wurde nichts geändert."
    assert slack_rig.ephemerals("U0ADMIN")
    slack_rig.click("U0BRAND1", legal, REQUEST_CHANGES)
    assert slack_rig.open_views("U0BRAND1") == []  # no modal for someone who may not decide
    assert stored(post["id"]) == before


def test_the_author_cannot_review_their_own_post(slack_rig: SlackRig) -> None:
    post = slack_rig.create(user="legal1@freigabe.example", text="Rabatt")
    slack_rig.relay.pump()
    before = stored(post["id"])
    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"]) == before
    assert "Das ist Ihr eigener Beitrag" in slack_rig.ephemerals("U0LEGAL1")[-1]["text"]
    slack_rig.click("U0LEGAL2", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"])["steps"][0]["status"] == "approved"


def test_a_click_on_an_old_version_changes_nothing(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.relay.pump()
    old_request = slack_rig.request_for("C0LEGAL", post["id"])
    slack_rig.api("PATCH", f"/api/posts/{post['id']}", {"version": 1, "text": "Rabatt morgen"})
    before = stored(post["id"])
    # The click races the stream: the old message still carries its buttons.
    slack_rig.click("U0LEGAL1", old_request, APPROVE)
    assert stored(post["id"]) == before
    assert "zeigt eine alte Fassung" in slack_rig.ephemerals("U0LEGAL1")[-1]["text"]
    slack_rig.click("U0LEGAL1", old_request, REQUEST_CHANGES)
    assert slack_rig.open_views("U0LEGAL1") == [] and stored(post["id"]) == before


def test_a_refused_modal_submission_changes_nothing(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.relay.pump()
    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), REQUEST_CHANGES)
    (modal,) = slack_rig.open_views("U0LEGAL1")
    slack_rig.api("PATCH", f"/api/posts/{post['id']}", {"version": 1, "text": "Rabatt morgen"})
    before = stored(post["id"])
    answer = slack_rig.submit("U0LEGAL1", modal["id"], "Zu viel Rabatt")
    assert answer["status"] == 200 and answer["view_open"] is False
    assert stored(post["id"]) == before
    assert "zeigt eine alte Fassung" in slack_rig.ephemerals("U0LEGAL1")[-1]["text"]


def test_one_person_reviews_one_step_and_closed_steps_stay_closed(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.relay.pump()
    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    before = stored(post["id"])
    slack_rig.click("U0LEGAL2", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"]) == before
    assert "gerade nicht offen" in slack_rig.ephemerals("U0LEGAL2")[-1]["text"]


def test_slack_resends_record_one_decision(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Hallo")
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    for retry in (None, 1, 2):
        assert slack_rig.click("U0BRAND1", brand, APPROVE, retry_num=retry)["status"] == 200
    assert decisions(post["id"]) == 1
    # The one approval, with no publish time, took the post to the queue at once, once.
    assert stored(post["id"])["status"] == "publishing" and queued(post["id"]) == ["outbox"]
    assert slack_rig.ephemerals("U0BRAND1") == []  # a repeat is not an error


def test_twenty_concurrent_clicks_record_one_decision(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt im Advent")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: slack_rig.click("U0LEGAL1", legal, APPROVE), range(20)))
    assert [a["status"] for a in answers] == [200] * 20
    after = stored(post["id"])
    assert decisions(post["id"]) == 1
    assert [e["type"] for e in after["timeline"]].count("decision") == 1
    assert after["steps"][0]["status"] == "approved" and after["steps"][0]["decided_by"] == "U0LEGAL1"
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []
    approved = "hat „Rabatt im Advent“ für Legal freigegeben"
    assert sum(approved in m["text"] for m in slack_rig.dms("U0WRITER")) == 1


def test_twenty_concurrent_signed_requests_with_the_same_body(slack_rig: SlackRig) -> None:
    """The very same signed body sent 20 times at once (what Slack's resends look like)."""
    post = slack_rig.create(text="Hallo")
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    payload = {
        "type": "block_actions", "user": {"id": "U0BRAND1"}, "api_app_id": "A0FREIGABE",
        "team": {"id": "T0FREIGABE"}, "trigger_id": "1.2.3",
        "container": {"type": "message", "channel_id": "C0BRAND", "message_ts": brand["ts"]},
        "channel": {"id": "C0BRAND"},
        "actions": [{"action_id": APPROVE, "block_id": "b", "type": "button",
                     "value": json.dumps({"p": post["id"], "s": "brand", "h": post["content_hash"]}),
                     "action_ts": str(time.time())}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed_headers(body, slack_rig.secret)
    url = slack_rig.servers.app_url + "/slack/events"
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda n: requests.post(
            url, data=body, headers={**headers, "X-Slack-Retry-Num": str(n)}, timeout=60).status_code,
            range(20)))
    assert statuses == [200] * 20
    assert decisions(post["id"]) == 1 and stored(post["id"])["status"] == "publishing"
    assert queued(post["id"]) == ["outbox"]


@pytest.fixture
def group_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap
    from tests.conftest import WORKFLOW

    text = WORKFLOW.read_text().replace('reviewers = ["U0LEGAL1", "U0LEGAL2"]',
                                        'reviewer_group = "S0LEGAL"')
    path = tmp_path / "workflow.toml"
    path.write_text(text)
    monkeypatch.setenv("FREIGABE_CONFIG", str(path))
    bootstrap.reset()


def test_reviewers_from_a_user_group(slack_rig: SlackRig, group_workflow: None) -> None:
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    slack_rig.click("U0BRAND1", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"])["steps"][0]["status"] == "pending"
    slack_rig.click("U0LEGAL2", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"])["steps"][0]["status"] == "approved"


def test_a_plan_without_user_groups_is_explained(slack_rig: SlackRig, group_workflow: None,
                                                 app_logs: pytest.LogCaptureFixture) -> None:
    slack_rig.dev("/_dev/flags", {"free_plan": True})
    post = slack_rig.create(text="Rabatt")
    slack_rig.relay.pump()
    before = stored(post["id"])
    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    assert stored(post["id"]) == before
    assert "keine Benutzergruppen" in slack_rig.ephemerals("U0LEGAL1")[-1]["text"]
    assert any("paid_teams_only" in r.getMessage() and "S0LEGAL" in r.getMessage()
               for r in app_logs.records)


def test_a_button_we_did_not_write_changes_nothing(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Hallo")
    slack_rig.relay.pump()
    before = stored(post["id"])
    for value in ("not json", json.dumps({"p": post["id"]}), json.dumps([1, 2])):
        payload = {"type": "block_actions", "user": {"id": "U0BRAND1"}, "team": {"id": "T0FREIGABE"},
                   "api_app_id": "A0FREIGABE", "trigger_id": "1.2.3",
                   "container": {"type": "message", "channel_id": "C0BRAND", "message_ts": "1.0"},
                   "actions": [{"action_id": APPROVE, "block_id": "b", "type": "button",
                                "value": value, "action_ts": "1"}]}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        answer = requests.post(slack_rig.servers.app_url + "/slack/events", data=body,
                               headers=signed_headers(body, slack_rig.secret), timeout=30)
        assert answer.status_code == 200
    assert stored(post["id"]) == before
    assert [e["text"] for e in slack_rig.ephemerals("U0BRAND1")] == [
        "Dieser Knopf ist beschädigt. Es wurde nichts geändert."] * 3
