"""Review depth through Slack, driven as people use it in the dev workspace (signed requests to
the app over HTTP, the table's stream relayed to the notifier): Hold with a reason and its
release, reason labels and a quoted sentence on Request changes, a checklist ticked with an
approval, deadlines (`/freigabe due`, App Home, the overdue escalation), the word diff of a
re-request, and a reviewer from another company in a Slack Connect channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.slack.blocks import (
    APPROVE,
    CHECKLIST_ACTION,
    CHECKLIST_BLOCK,
    COMMENT_ACTION,
    COMMENT_BLOCK,
    HOLD,
    LABELS_ACTION,
    LABELS_BLOCK,
    QUOTE_ACTION,
    QUOTE_BLOCK,
    RELEASE,
    REQUEST_CHANGES,
)
from tests.integration.slack_helpers import SlackRig, buttons, shown_text, stored

LABELS = ["Tonalität", "Unbelegte Aussage", "Fehlendes Bild", "Rechtliches Risiko"]
DEPTH = f'''
reason_labels = {json.dumps(LABELS, ensure_ascii=False)}
'''
LEGAL_EXTRA = '''
[[steps.checklist]]
id = "ad_label"
label = { de = "Werbung gekennzeichnet", en = "Advertising labelled" }
required = true

[[steps.checklist]]
id = "alt_texts"
label = { de = "Alternativtexte sinnvoll", en = "Alt texts meaningful" }
required = false
'''


@pytest.fixture
def depth_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test workflow with reason labels, a checklist on legal, and brand with a deadline,
    an escalation to the admin and a client's reviewer in a Slack Connect channel."""
    from chalicelib import bootstrap
    from tests.conftest import WORKFLOW

    text = WORKFLOW.read_text()
    text = text.replace("require_alt_text = true", "require_alt_text = true" + DEPTH, 1)
    text = text.replace('channels = ["x"]\n', 'channels = ["x"]\n' + LEGAL_EXTRA, 1)
    text = text.replace('reviewers = ["U0BRAND1"]',
                        'reviewers = ["U0BRAND1", "T0CLIENT:U0CLIENT1"]\n'
                        'due_hours = 2\nescalate_to = "U0ADMIN"', 1)
    path = tmp_path / "workflow.toml"
    path.write_text(text)
    monkeypatch.setenv("FREIGABE_CONFIG", str(path))
    bootstrap.reset()


def submit(rig: SlackRig, user: str, view_id: str, values: dict[str, dict[str, object]]) -> dict[str, object]:
    return rig.dev("/_dev/submit_view", {"user": user, "view_id": view_id, "values": values})


def saved(post_id: str) -> Any:
    """The post as stored (holds, and each step's labels, quote and ticked checklist)."""
    from chalicelib import bootstrap

    return bootstrap.container().repository.get(post_id)


def holds(post_id: str) -> list[tuple[str, str, str]]:
    return [(h.step, h.by, h.reason) for h in saved(post_id).holds]


def action_ids(message: dict[str, object]) -> list[str]:
    return [element["action_id"] for element in buttons(message)]


def test_hold_with_a_reason_is_shown_told_and_released(slack_rig: SlackRig,
                                                        depth_workflow: None) -> None:
    post = slack_rig.create(text="Rabatt: 20% auf alles")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    assert HOLD in action_ids(legal) and RELEASE not in action_ids(legal)

    slack_rig.click("U0LEGAL1", legal, HOLD)
    (modal,) = slack_rig.open_views("U0LEGAL1")
    assert modal["title"]["text"] == "Anhalten"
    before = stored(post["id"])
    empty = submit(slack_rig, "U0LEGAL1", modal["id"], {COMMENT_BLOCK: {COMMENT_ACTION: ""}})
    assert empty["view_open"] is True and stored(post["id"]) == before

    answer = submit(slack_rig, "U0LEGAL1", modal["id"],
                    {COMMENT_BLOCK: {COMMENT_ACTION: "Gutachten <!channel> abwarten"}})
    assert answer["status"] == 200 and answer["view_open"] is False
    assert holds(post["id"]) == [("legal", "U0LEGAL1", "Gutachten <!channel> abwarten")]
    slack_rig.relay.pump()

    legal = slack_rig.request_for("C0LEGAL", post["id"])
    said = shown_text(legal)
    assert "⏸️ Angehalten: Gutachten &lt;!channel&gt; abwarten — <@U0LEGAL1>" in said
    assert "<!channel>" not in said
    assert RELEASE in action_ids(legal)
    (reply,) = slack_rig.thread(legal)
    assert reply["text"] == "⏸️ <@U0LEGAL1> hat den Beitrag angehalten: Gutachten &lt;!channel&gt; abwarten"
    dm = slack_rig.dms("U0WRITER")[-1]["text"]
    assert "<@U0LEGAL1> hat „Rabatt: 20% auf alles“ angehalten (Legal)" in dm
    assert "Gutachten &lt;!channel&gt; abwarten" in dm

    # Someone who neither holds it, reviews legal nor is an admin cannot release it.
    held = stored(post["id"])
    slack_rig.click("U0BRAND1", legal, RELEASE)
    assert stored(post["id"]) == held
    assert "Nur wer angehalten hat" in slack_rig.ephemerals("U0BRAND1")[-1]["text"]

    # Another reviewer of the step can, from App Home, which lists the held post for them.
    slack_rig.open_home("U0LEGAL2")
    home = slack_rig.state()["homes"]["U0LEGAL2"]
    assert "Angehalten" in shown_text(home) and "Gutachten &lt;!channel&gt; abwarten" in shown_text(home)
    assert slack_rig.click_in_view("U0LEGAL2", home["id"], RELEASE)["status"] == 200
    assert holds(post["id"]) == []
    assert "Angehalten" not in shown_text(slack_rig.state()["homes"]["U0LEGAL2"])  # refreshed
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    assert "Angehalten" not in shown_text(legal) and RELEASE not in action_ids(legal)
    assert slack_rig.thread(legal)[-1]["text"] == "▶️ <@U0LEGAL2> hat den Halt aufgehoben."
    assert "hat den Halt für „Rabatt: 20% auf alles“ aufgehoben" in slack_rig.dms("U0WRITER")[-1]["text"]


def test_a_hold_on_an_approved_post_keeps_it_from_publishing_until_released(
        slack_rig: SlackRig, depth_workflow: None) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    post = slack_rig.create(text="Hallo Welt", publish_at=tomorrow)  # brand only
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    slack_rig.click("U0BRAND1", brand, APPROVE)
    assert slack_rig.post(post["id"])["status"] == "scheduled"
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    assert action_ids(brand) == [HOLD]  # decided, but it can still be held

    slack_rig.click("U0BRAND1", brand, HOLD)
    (modal,) = slack_rig.open_views("U0BRAND1")
    submit(slack_rig, "U0BRAND1", modal["id"], {COMMENT_BLOCK: {COMMENT_ACTION: "Kampagne verschoben"}})
    assert slack_rig.post(post["id"])["status"] == "scheduled"
    assert holds(post["id"]) == [("brand", "U0BRAND1", "Kampagne verschoben")]
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    assert action_ids(brand) == [HOLD, RELEASE]
    assert "Kampagne verschoben" in shown_text(brand)


def test_request_changes_asks_for_labels_and_checks_the_quote(slack_rig: SlackRig,
                                                              depth_workflow: None) -> None:
    post = slack_rig.create(text="Garantiert der beste Rabatt. Jetzt kaufen!")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    slack_rig.click("U0LEGAL1", legal, REQUEST_CHANGES)
    (modal,) = slack_rig.open_views("U0LEGAL1")
    (labels,) = [b for b in modal["blocks"] if b.get("block_id") == LABELS_BLOCK]
    assert labels["element"]["type"] == "multi_static_select" and not labels.get("optional")
    assert [o["value"] for o in labels["element"]["options"]] == LABELS
    (quote,) = [b for b in modal["blocks"] if b.get("block_id") == QUOTE_BLOCK]
    assert quote["optional"] is True
    before = stored(post["id"])

    # Slack's client refuses to submit without a label.
    none = submit(slack_rig, "U0LEGAL1", modal["id"], {COMMENT_BLOCK: {COMMENT_ACTION: "Belege?"},
                                                       LABELS_BLOCK: {LABELS_ACTION: []}})
    assert LABELS_BLOCK in none["errors"] and stored(post["id"]) == before
    # A quote that is not in the text is shown under the quote field; nothing changes.
    wrong = submit(slack_rig, "U0LEGAL1", modal["id"], {
        COMMENT_BLOCK: {COMMENT_ACTION: "Belege?"},
        LABELS_BLOCK: {LABELS_ACTION: ["Unbelegte Aussage"]},
        QUOTE_BLOCK: {QUOTE_ACTION: "Der beste Preis."}})
    assert wrong["view_open"] is True and wrong["errors"] == {
        QUOTE_BLOCK: "Dieser Satz steht so nicht im Text. Bitte wörtlich kopieren."}
    assert stored(post["id"]) == before

    done = submit(slack_rig, "U0LEGAL1", modal["id"], {
        COMMENT_BLOCK: {COMMENT_ACTION: "Bitte belegen."},
        LABELS_BLOCK: {LABELS_ACTION: ["Unbelegte Aussage", "Rechtliches Risiko"]},
        QUOTE_BLOCK: {QUOTE_ACTION: "Garantiert der beste Rabatt."}})
    assert done["view_open"] is False
    body = slack_rig.post(post["id"])
    step = saved(post["id"]).step("legal")
    assert body["status"] == "changes_requested"
    assert step.labels == ["Unbelegte Aussage", "Rechtliches Risiko"]
    assert step.quote == "Garantiert der beste Rabatt."
    (event,) = [e for e in body["timeline"] if e["type"] == "decision"]
    assert event["data"]["labels"] == ["Unbelegte Aussage", "Rechtliches Risiko"]
    slack_rig.relay.pump()
    said = shown_text(slack_rig.request_for("C0LEGAL", post["id"]))
    assert "Gründe: Unbelegte Aussage, Rechtliches Risiko" in said
    assert "*Zitat:* „Garantiert der beste Rabatt.“" in said
    dm = slack_rig.dms("U0WRITER")[-1]["text"]
    assert "Gründe: Unbelegte Aussage, Rechtliches Risiko" in dm and "> Bitte belegen." in dm


def test_approve_opens_the_checklist_and_records_the_ticks(slack_rig: SlackRig,
                                                           depth_workflow: None) -> None:
    post = slack_rig.create(text="Rabatt zum Advent")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    before = stored(post["id"])
    slack_rig.click("U0LEGAL1", legal, APPROVE)
    assert stored(post["id"]) == before  # nothing yet: the checklist comes first
    (modal,) = slack_rig.open_views("U0LEGAL1")
    (checklist,) = [b for b in modal["blocks"] if b.get("block_id") == CHECKLIST_BLOCK]
    options = checklist["element"]["options"]
    assert checklist["element"]["type"] == "checkboxes"
    assert [(o["value"], o["text"]["text"], o["description"]["text"]) for o in options] == [
        ("ad_label", "Werbung gekennzeichnet", "Pflicht"),
        ("alt_texts", "Alternativtexte sinnvoll", "optional")]

    only_optional = submit(slack_rig, "U0LEGAL1", modal["id"],
                           {CHECKLIST_BLOCK: {CHECKLIST_ACTION: ["alt_texts"]}})
    assert only_optional["view_open"] is True
    assert "Werbung gekennzeichnet" in only_optional["errors"][CHECKLIST_BLOCK]
    assert stored(post["id"]) == before

    ticked = submit(slack_rig, "U0LEGAL1", modal["id"],
                    {CHECKLIST_BLOCK: {CHECKLIST_ACTION: ["ad_label", "alt_texts"]}})
    assert ticked["view_open"] is False
    step = saved(post["id"]).step("legal")
    assert step.status.value == "approved" and step.checklist == ["ad_label", "alt_texts"]
    slack_rig.relay.pump()
    said = shown_text(slack_rig.request_for("C0LEGAL", post["id"]))
    assert "Abgehakt: ☑ Werbung gekennzeichnet, ☑ Alternativtexte sinnvoll" in said


def test_a_client_in_a_slack_connect_channel_is_bound_by_team_and_user_id(
        slack_rig: SlackRig, depth_workflow: None) -> None:
    slack_rig.dev("/_dev/users", {"id": "U0STRANGER", "real_name": "Sam Stranger",
                                  "team_id": "T0OTHER"})
    post = slack_rig.create(text="Hallo Welt")
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    before = stored(post["id"])
    slack_rig.click("U0STRANGER", brand, APPROVE)  # another company, not listed
    assert stored(post["id"]) == before
    assert "Sie gehören nicht zu den Prüfenden für Brand" in slack_rig.ephemerals("U0STRANGER")[-1]["text"]

    slack_rig.click("U0CLIENT1", brand, APPROVE)  # listed as T0CLIENT:U0CLIENT1, e-mail hidden
    body = slack_rig.post(post["id"])
    assert body["status"] == "publishing"  # approved without a time: queued at once
    assert [e["actor"] for e in body["timeline"] if e["type"] == "decision"] == ["U0CLIENT1"]


def test_deadlines_in_the_due_command_app_home_and_one_escalation(slack_rig: SlackRig,
                                                                  depth_workflow: None) -> None:
    from chalicelib import bootstrap
    from chalicelib.services import review_desk

    post = slack_rig.create(text="Hallo Welt")
    slack_rig.relay.pump()
    slack_rig.command("U0BRAND1", "due")
    answer = shown_text(slack_rig.ephemerals("U0BRAND1")[-1])
    assert "Bald fällig" in answer and "Hallo Welt" in answer and "fällig" in answer
    assert "überfällig" not in answer
    slack_rig.command("U0LEGAL1", "due")
    assert "Keine Prüfung mit Frist" in shown_text(slack_rig.ephemerals("U0LEGAL1")[-1])
    slack_rig.command("U0BRAND1", "help")
    assert "/freigabe due" in shown_text(slack_rig.ephemerals("U0BRAND1")[-1])

    slack_rig.open_home("U0BRAND1")
    home = slack_rig.state()["homes"]["U0BRAND1"]
    assert "Bald fällig" in shown_text(home)

    # Three hours later the two-hour deadline has passed: the admin hears once.
    from chalicelib.services.ports import Context

    container = bootstrap.container()
    now = container.context()
    later = Context(repo=now.repo, workflow=now.workflow, new_id=now.new_id, media=now.media,
                    clock=lambda: container.clock() + timedelta(hours=3))
    assert review_desk.escalate_overdue(later) == 1
    assert saved(post["id"]).step("brand").escalated_at is not None
    assert review_desk.escalate_overdue(later) == 0
    slack_rig.relay.pump()
    (told,) = [m for m in slack_rig.dms("U0ADMIN") if "Überfällig" in m["text"]]
    assert "Die Prüfung Brand für „Hallo Welt“ war" in told["text"]


def test_a_re_request_shows_a_word_diff_of_what_changed(slack_rig: SlackRig,
                                                        depth_workflow: None) -> None:
    post = slack_rig.create(text="Wir feiern heute <b>Jubiläum</b> mit allen")
    slack_rig.relay.pump()
    slack_rig.click("U0BRAND1", slack_rig.request_for("C0BRAND", post["id"]), REQUEST_CHANGES)
    (modal,) = slack_rig.open_views("U0BRAND1")
    submit(slack_rig, "U0BRAND1", modal["id"], {COMMENT_BLOCK: {COMMENT_ACTION: "Morgen, nicht heute"},
                                               LABELS_BLOCK: {LABELS_ACTION: ["Tonalität"]}})
    assert slack_rig.post(post["id"])["status"] == "changes_requested"
    slack_rig.api("PATCH", f"/api/posts/{post['id']}",
                  {"version": slack_rig.post(post["id"])["version"],
                   "text": "Wir feiern morgen <b>Jubiläum</b> mit allen"})
    slack_rig.api("POST", f"/api/posts/{post['id']}/submit", {})
    slack_rig.relay.pump()
    said = shown_text(slack_rig.request_for("C0BRAND", post["id"]))
    assert "Wir feiern ~heute~ *morgen* &lt;b&gt;Jubiläum&lt;/b&gt; mit allen" in said
