"""End to end over HTTP: a post submitted through the API, its review requests in Slack, signed
clicks and modal submissions from the dev workspace, and what the stream makes of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib.adapters.slack.blocks import APPROVE, HOLD, REJECT, REQUEST_CHANGES
from tests.integration.slack_helpers import (
    WRITER_ID,
    SlackRig,
    buttons,
    queued,
    refs,
    shown_text,
    stored,
)

HOSTILE = "50% Rabatt! <!channel> <@U0ADMIN> <https://evil.example|bank> & mehr"


NEXT_YEAR = datetime.now(UTC).year + 1


def next_summer() -> str:
    """8:00 UTC on 1 July next year: 10:00 in Berlin (summer time)."""
    return datetime(NEXT_YEAR, 7, 1, 8, 0, tzinfo=UTC).isoformat()


def test_review_requests_show_the_escaped_text_and_bind_post_step_and_hash(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text=HOSTILE, channels=["outbox", "x"], variants={"x": "Kurz: 50% <!here>"},
                      title="Advent & <b>", publish_at=next_summer())
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []

    legal = slack_rig.request_for("C0LEGAL", post["id"])
    brand = slack_rig.request_for("C0BRAND", post["id"])
    shown = shown_text(legal)
    assert "&lt;!channel&gt;" in shown and "&lt;@U0ADMIN&gt;" in shown
    assert "&lt;https://evil.example|bank&gt;" in shown and "&amp; mehr" in shown
    assert "Kurz: 50% &lt;!here&gt;" in shown and "Advent &amp; &lt;b&gt;" in shown
    for raw in ("<!channel>", "<!here>", "<@U0ADMIN>", "<https://evil.example|bank>"):
        assert raw not in json.dumps(legal["blocks"]) and raw not in legal["text"]
    assert "Text für outbox" in shown and "Text für x" in shown
    assert "Stichwort „rabatt“" in shown and "Stichwort „%“" in shown and "Kanal x" in shown
    assert f"1. Juli {NEXT_YEAR}, 10:00 Uhr (Europe/Berlin)" in shown
    assert "writer@freigabe.example" in shown
    assert "immer erforderlich" in shown_text(brand)

    ids = [b["action_id"] for b in buttons(legal)]
    assert ids == [APPROVE, REQUEST_CHANGES, REJECT, HOLD]
    assert json.loads(buttons(legal)[0]["value"]) == {"p": post["id"], "s": "legal",
                                                      "h": post["content_hash"]}
    ref = refs(post["id"])["slack:legal"]
    assert ref["ts"] == legal["ts"] and ref["channel"] == "C0LEGAL" and ref["state"] == "open"

    slack_rig.relay.pump()  # the stream delivering nothing new posts nothing twice
    assert len([m for m in slack_rig.messages("C0LEGAL") if post["id"] in json.dumps(m.get("blocks"))]) == 1


def test_approvals_update_the_request_tell_the_author_and_schedule(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Gewinnspiel im Advent", publish_at=next_summer())
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])

    answer = slack_rig.click("U0LEGAL1", legal, APPROVE)
    assert answer["status"] == 200
    after = slack_rig.post(post["id"])
    assert [(s["name"], s["status"], s["decided_by"]) for s in after["steps"]] == [
        ("legal", "approved", "U0LEGAL1"), ("brand", "pending", None)]
    assert [e["type"] for e in after["timeline"]].count("decision") == 1

    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    # Decided: only Hold is left, while the post has not gone out.
    assert [b["action_id"] for b in buttons(legal)] == [HOLD]
    assert "Freigegeben von <@U0LEGAL1> am" in shown_text(legal)
    assert "Gewinnspiel im Advent" in shown_text(legal)  # the record keeps what was approved
    assert any("<@U0LEGAL1> hat „Gewinnspiel im Advent“ für Legal freigegeben." in m["text"]
               for m in slack_rig.dms(WRITER_ID))

    slack_rig.click("U0BRAND1", slack_rig.request_for("C0BRAND", post["id"]), APPROVE)
    assert slack_rig.post(post["id"])["status"] == "scheduled"
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []
    assert any("ist freigegeben und geht am" in m["text"] and "Uhr (Europe/Berlin)" in m["text"]
               for m in slack_rig.dms(WRITER_ID))


def test_request_changes_needs_a_comment_and_closes_the_other_requests(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt garantiert", publish_at=next_summer())
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])

    slack_rig.click("U0BRAND1", brand, REQUEST_CHANGES)
    (modal,) = slack_rig.open_views("U0BRAND1")
    assert modal["title"]["text"] == "Änderungen anfordern"
    before = stored(post["id"])

    blank = slack_rig.submit("U0BRAND1", modal["id"], "   ")
    assert blank["errors"] == {"comment": "Bitte schreiben Sie einen Kommentar."}
    assert stored(post["id"]) == before

    done = slack_rig.submit("U0BRAND1", modal["id"], "Bitte ohne <!channel> & ohne Garantie")
    assert done["status"] == 200 and done["view_open"] is False
    after = slack_rig.post(post["id"])
    assert after["status"] == "changes_requested"
    brand_step = next(s for s in after["steps"] if s["name"] == "brand")
    assert brand_step["status"] == "changes_requested"
    assert brand_step["comment"] == "Bitte ohne <!channel> & ohne Garantie"

    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    assert buttons(brand) == [] and "Änderungen angefordert von <@U0BRAND1>" in shown_text(brand)
    assert "Bitte ohne &lt;!channel&gt; &amp; ohne Garantie" in shown_text(brand)
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    assert buttons(legal) == [] and "Eine andere Prüfung hat Änderungen angefordert" in shown_text(legal)
    dm = slack_rig.dms(WRITER_ID)[-1]["text"]
    assert "<@U0BRAND1> wünscht Änderungen" in dm and "> Bitte ohne &lt;!channel&gt;" in dm


def test_reject_through_the_modal(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Hallo")
    slack_rig.relay.pump()
    slack_rig.click("U0BRAND1", slack_rig.request_for("C0BRAND", post["id"]), REJECT)
    (modal,) = slack_rig.open_views("U0BRAND1")
    slack_rig.submit("U0BRAND1", modal["id"], "Passt nicht zur Marke")
    assert slack_rig.post(post["id"])["status"] == "rejected"
    slack_rig.relay.pump()
    assert "Abgelehnt von <@U0BRAND1>" in shown_text(slack_rig.request_for("C0BRAND", post["id"]))
    assert "hat „Hallo“ abgelehnt" in slack_rig.dms(WRITER_ID)[-1]["text"]


def test_a_resubmission_shows_what_changed_since_the_step_last_looked(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt: 10% auf alles im Advent")
    slack_rig.relay.pump()
    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), REQUEST_CHANGES)
    (modal,) = slack_rig.open_views("U0LEGAL1")
    slack_rig.submit("U0LEGAL1", modal["id"], "Nur 5% bitte")
    current = slack_rig.post(post["id"])
    slack_rig.api("PATCH", f"/api/posts/{post['id']}", {"version": current["version"],
                                                   "text": "Rabatt: 5% auf alles im Advent"})
    slack_rig.api("POST", f"/api/posts/{post['id']}/submit")
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []

    requests_ = [m for m in slack_rig.messages("C0LEGAL") if post["id"] in json.dumps(m.get("blocks"))]
    assert len(requests_) == 2
    newest = {**requests_[-1], "channel": "C0LEGAL"}
    shown = shown_text(newest)
    assert "Geändert seit Ihrer letzten Prüfung: Text" in shown
    assert "Rabatt: ~10%~ *5%* auf alles" in shown  # a word diff: struck out, then added
    assert json.loads(buttons(newest)[0]["value"])["h"] == slack_rig.post(post["id"])["content_hash"]


def test_an_edit_supersedes_the_open_request(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.relay.pump()
    first = slack_rig.request_for("C0LEGAL", post["id"])
    slack_rig.api("PATCH", f"/api/posts/{post['id']}", {"version": 1, "text": "Rabatt morgen"})
    slack_rig.relay.pump()
    old = next(m for m in slack_rig.messages("C0LEGAL") if m["ts"] == first["ts"])
    assert buttons(old) == [] and "Überholt: Der Text wurde geändert" in shown_text(old)
    new = slack_rig.request_for("C0LEGAL", post["id"])
    assert new["ts"] != first["ts"] and "Rabatt morgen" in shown_text(new)


def test_an_edit_voids_the_approval_shown_in_the_earlier_request(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.relay.pump()
    first = slack_rig.request_for("C0LEGAL", post["id"])
    slack_rig.click("U0LEGAL1", first, APPROVE)
    slack_rig.relay.pump()
    assert "✅ Freigegeben von" in shown_text(slack_rig.request_for("C0LEGAL", post["id"]))
    current = slack_rig.post(post["id"])
    edited = slack_rig.api("PATCH", f"/api/posts/{post['id']}", {"version": current["version"],
                                                                "text": "Rabatt morgen"})
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []
    old = next(m for m in slack_rig.messages("C0LEGAL") if m["ts"] == first["ts"])
    shown = shown_text(old)
    assert "✅" not in shown and "Freigegeben von" not in shown and buttons(old) == []
    assert f"Freigabe aufgehoben: Der Text wurde in Version {edited['version']} geändert." in shown
    new = slack_rig.request_for("C0LEGAL", post["id"])
    assert new["ts"] != first["ts"] and next(b["action_id"] for b in buttons(new)) == APPROVE


def test_an_edit_after_changes_were_requested_voids_the_approval_shown(slack_rig: SlackRig) -> None:
    """Legal approved, brand asked for changes; the writer edits (no new review yet): the
    channel must not keep showing legal's approval of a text that no longer exists."""
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    slack_rig.click("U0LEGAL1", legal, APPROVE)
    slack_rig.click("U0BRAND1", slack_rig.request_for("C0BRAND", post["id"]), REQUEST_CHANGES)
    (modal,) = slack_rig.open_views("U0BRAND1")
    slack_rig.submit("U0BRAND1", modal["id"], "Bitte freundlicher")
    slack_rig.relay.pump()
    assert "✅ Freigegeben von" in shown_text(slack_rig.request_for("C0LEGAL", post["id"]))
    current = slack_rig.post(post["id"])
    assert current["status"] == "changes_requested"

    edited = slack_rig.api("PATCH", f"/api/posts/{post['id']}", {"version": current["version"],
                                                                "text": "Rabatt, freundlich"})
    slack_rig.relay.pump()

    assert slack_rig.relay.failures == []
    shown = shown_text(next(m for m in slack_rig.messages("C0LEGAL") if m["ts"] == legal["ts"]))
    assert "✅" not in shown
    assert f"Freigabe aufgehoben: Der Text wurde in Version {edited['version']} geändert." in shown


def test_withdrawing_closes_the_open_requests(slack_rig: SlackRig) -> None:
    post = slack_rig.create(text="Hallo")
    slack_rig.relay.pump()
    slack_rig.api("POST", f"/api/posts/{post['id']}/withdraw")
    slack_rig.relay.pump()
    brand = slack_rig.request_for("C0BRAND", post["id"])
    assert buttons(brand) == [] and "Zurückgezogen" in shown_text(brand)


@pytest.fixture
def strict_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sequential review, and legal needs both of its reviewers."""
    from chalicelib import bootstrap
    from tests.conftest import WORKFLOW

    text = WORKFLOW.read_text().replace('review_order = "parallel"', 'review_order = "sequential"')
    text = text.replace("approvals_required = 1", "approvals_required = 2")
    path = tmp_path / "workflow.toml"
    path.write_text(text)
    monkeypatch.setenv("FREIGABE_CONFIG", str(path))
    bootstrap.reset()


def test_sequential_steps_and_several_approvals(slack_rig: SlackRig, strict_workflow: None) -> None:
    post = slack_rig.create(text="Rabatt im Advent")
    slack_rig.relay.pump()
    assert slack_rig.messages("C0BRAND") == []  # brand's turn comes after legal's
    legal = slack_rig.request_for("C0LEGAL", post["id"])

    slack_rig.click("U0LEGAL1", legal, APPROVE)
    slack_rig.relay.pump()
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    assert len(buttons(legal)) == 4  # still open: one of two approvals
    assert "1 von 2 Freigaben: <@U0LEGAL1>" in shown_text(legal)
    assert slack_rig.messages("C0BRAND") == []

    slack_rig.click("U0LEGAL2", legal, APPROVE)
    slack_rig.relay.pump()
    assert slack_rig.relay.failures == []
    assert [b["action_id"] for b in buttons(slack_rig.request_for("C0LEGAL", post["id"]))] == [HOLD]
    brand = slack_rig.request_for("C0BRAND", post["id"])
    assert len(buttons(brand)) == 4
    slack_rig.click("U0BRAND1", brand, APPROVE)
    # The last approval of a post without a time queues it at once.
    assert slack_rig.post(post["id"])["status"] == "publishing"
    assert queued(post["id"]) == ["outbox"]


def test_a_lost_answer_to_chat_post_message_leaves_one_live_request(slack_rig: SlackRig,
                                                                    table: str) -> None:
    from tests.integration.slack_helpers import StreamRelay

    slack_rig.dev("/_dev/flags", {"lose_answers": ["chat.postMessage"]})
    post = slack_rig.create(text="Rabatt heute")
    slack_rig.relay.pump()
    assert slack_rig.relay.failures  # the stream retries the record
    StreamRelay(table).pump()  # its retry, the batch from the start
    for channel, step in (("C0LEGAL", "legal"), ("C0BRAND", "brand")):
        sent = [m for m in slack_rig.messages(channel) if post["id"] in json.dumps(m.get("blocks"))]
        assert len(sent) == 1, channel
        assert sent[0]["metadata"]["event_payload"]["content_hash"] == post["content_hash"]
        ref = refs(post["id"])[f"slack:{step}"]
        assert (ref["state"], ref["ts"]) == ("open", sent[0]["ts"])
    legal = slack_rig.request_for("C0LEGAL", post["id"])
    assert slack_rig.click("U0LEGAL1", legal, APPROVE)["status"] == 200
    assert stored(post["id"])["steps"][0]["status"] == "approved"
