"""Review depth in Slack's Block Kit and the notifier: the word diff as mrkdwn, the modals for
Hold, reasons and checklists, holds and deadlines on requests and in App Home, and where an
overdue review is escalated. Everything a person typed stays literal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.notifier import SlackNotifier, SlackPorts
from chalicelib.config import load_config, parse_config
from chalicelib.domain import events as ev
from chalicelib.domain.diff import word_diff
from chalicelib.domain.post import Hold, Post
from chalicelib.domain.workflow import Workflow
from tests.fakes import FakeDirectory, FakeSlack, MemoryPostRepository
from tests.unit.helpers import NOW, WORKFLOW_FILE, new_post, workflow_file
from tests.unit.test_slack_blocks import HOSTILE, assert_no_raw_controls, texts_of

LABELS = ["Tonalität", "Unbelegte Aussage", "Rechtliches Risiko"]
CHECKLIST = [
    {"id": "ad_label", "label": {"de": "Werbung gekennzeichnet", "en": "Advertising labelled"},
     "required": True},
    {"id": "alt_texts", "label": {"de": "Alternativtexte sinnvoll", "en": "Alt texts meaningful"},
     "required": False},
]


def depth_workflow(**step_keys: Any) -> Workflow:
    """The test workflow with reason labels and a checklist on legal (and ``step_keys`` on brand)."""
    raw = workflow_file()
    steps = [dict(step) for step in raw["steps"]]
    steps[0]["checklist"] = CHECKLIST
    steps[1].update(step_keys)
    return parse_config({**raw, "steps": steps, "reason_labels": LABELS}).workflow


def submitted(text: str = "Rabatt im Advent", wf: Workflow | None = None) -> Post:
    post = new_post(text, publish_at=NOW + timedelta(days=2))
    post.submit(wf or depth_workflow(), post.author, NOW)
    return post


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_a_word_diff_marks_added_and_removed_words_and_escapes_them() -> None:
    said = blocks.diff_mrkdwn(word_diff("Rabatt 10% für <!channel>", "Rabatt 5% für <@U1> & dich"), 500)
    assert said == "Rabatt ~10%~ *5%* für ~&lt;!channel&gt;~ *&lt;@U1&gt; &amp; dich*"
    assert_no_raw_controls({"type": "mrkdwn", "text": said})


def test_a_long_diff_keeps_context_around_the_change_and_its_limit() -> None:
    before = "Anfang " + "gleich " * 200 + "alt " + "gleich " * 200 + "Ende"
    after = before.replace("alt", "neu")
    said = blocks.diff_mrkdwn(word_diff(before, after), 400)
    assert "~alt~ *neu*" in said and " … " in said and "Anfang" not in said
    assert len(said) <= 400
    cut = blocks.diff_mrkdwn(word_diff("a", "b " * 2000), 300)
    assert len(cut) <= 310 and cut.endswith(" …")


def test_request_changes_asks_for_reasons_comment_and_an_optional_quote() -> None:
    wf = depth_workflow()
    post = submitted(wf=wf)
    view = blocks.decision_modal(post, post.step("legal"), "request_changes", "en", "{}", wf)
    inputs = input_blocks(view)
    assert list(inputs) == [blocks.LABELS_BLOCK, blocks.COMMENT_BLOCK, blocks.QUOTE_BLOCK]
    labels = inputs[blocks.LABELS_BLOCK]
    assert labels["element"]["type"] == "multi_static_select" and not labels.get("optional")
    assert [o["value"] for o in labels["element"]["options"]] == LABELS
    assert inputs[blocks.QUOTE_BLOCK]["optional"] is True
    # Without reason labels in the workflow there is nothing to choose.
    plain = blocks.decision_modal(post, post.step("legal"), "reject", "en", "{}",
                                  load_config(WORKFLOW_FILE).workflow)
    assert blocks.LABELS_BLOCK not in input_blocks(plain)


def test_hold_asks_for_a_reason_only() -> None:
    wf = depth_workflow()
    post = submitted(wf=wf)
    view = blocks.decision_modal(post, post.step("legal"), "hold", "de", "{}", wf)
    assert view["title"]["text"] == "Anhalten"
    (reason,) = input_blocks(view).values()
    assert reason["block_id"] == blocks.COMMENT_BLOCK and not reason.get("optional")
    assert reason["label"]["text"] == "Warum wird der Beitrag angehalten?"


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", [("ad_label", "Advertising labelled", "required"),
            ("alt_texts", "Alt texts meaningful", "optional")]),
    ("de", [("ad_label", "Werbung gekennzeichnet", "Pflicht"),
            ("alt_texts", "Alternativtexte sinnvoll", "optional")]),
])
def test_the_checklist_is_shown_in_the_readers_language(lang: str, expected: list[tuple[str, ...]]) -> None:
    wf = depth_workflow()
    post = submitted(wf=wf)
    for view in (blocks.decision_modal(post, post.step("legal"), "approve", lang, "{}", wf),
                 blocks.review_modal(post, post.step("legal"), wf, lang, "{}", images=[])):
        checklist = input_blocks(view)[blocks.CHECKLIST_BLOCK]
        assert checklist["element"]["type"] == "checkboxes"
        assert not checklist.get("optional")  # an item is required: Slack asks for a tick too
        assert [(o["value"], o["text"]["text"], o["description"]["text"])
                for o in checklist["element"]["options"]] == expected
        assert view["submit"] is not None


def test_a_held_request_shows_the_hold_literally_and_offers_release() -> None:
    post = submitted()
    post.holds.append(Hold("legal", "U0LEGAL1", HOSTILE, "2026-11-26T09:00:00Z"))
    _, payload = blocks.review_request(post, post.step("legal"), depth_workflow(), "en")
    said = "\n".join(texts_of(payload))
    assert "⏸️ On hold: &lt;!channel&gt;" in said and "— <@U0LEGAL1>" in said
    assert_no_raw_controls(payload)
    ids = [e["action_id"] for b in payload if b["type"] == "actions" for e in b["elements"]]
    assert ids == [blocks.APPROVE, blocks.REQUEST_CHANGES, blocks.REJECT, blocks.HOLD, blocks.RELEASE]
    _, brand = blocks.review_request(post, post.step("brand"), depth_workflow(), "en")
    assert "On hold" not in "\n".join(texts_of(brand))  # the hold is legal's
    closed = blocks.RequestState(False, ("decided",), hold_only=True)
    _, payload = blocks.review_request(post, post.step("legal"), depth_workflow(), "en", closed)
    ids = [e["action_id"] for b in payload if b["type"] == "actions" for e in b["elements"]]
    assert ids == [blocks.HOLD, blocks.RELEASE]


def test_a_decision_shows_its_reasons_quote_and_ticked_items() -> None:
    lines = blocks.decision_line("approve", "U0LEGAL1", NOW, "", depth_workflow(), "en",
                                 checklist=("ad_label",), step="legal")
    assert lines[1] == "Ticked: ☑ Advertising labelled"
    lines = blocks.decision_line("request_changes", "U0LEGAL1", NOW, "Bitte <b>", depth_workflow(),
                                 "de", labels=("Tonalität",), quote="Der <!here> Satz", step="legal")
    assert lines[1:] == ("Gründe: Tonalität", "*Zitat:* „Der &lt;!here&gt; Satz“",
                         "*Kommentar:* Bitte &lt;b&gt;")


def test_app_home_and_due_list_deadlines_soonest_first_and_mark_overdue() -> None:
    wf = depth_workflow(due_hours=2)
    late, soon = submitted("Schon spät", wf), submitted("Bald dran", wf)
    late.step("brand").due_at = "2026-11-26T08:00:00Z"
    soon.step("brand").due_at = "2026-11-26T10:00:00Z"
    due = [(late, late.step("brand")), (soon, soon.step("brand"))]
    _, answer = blocks.due_answer(due, wf, "en", NOW)
    text = answer[0]["text"]["text"]
    assert text.index("Schon spät") < text.index("Bald dran")
    first, second = text.splitlines()[1:3]
    assert "⏰ overdue" in first and "overdue" not in second
    assert blocks.due_answer([], wf, "de", NOW)[0] == "Keine Prüfung mit Frist wartet auf Sie."

    late.holds.append(Hold("brand", "U0BRAND1", "Warten", "2026-11-26T09:00:00Z"))
    view = blocks.home_view([], wf, "en", due=due, held=[late], now=NOW)
    said = texts_of(view)
    assert said[0] == "Due soon" and "On hold" in said and "Your pending reviews" in said
    releases = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in releases] == [blocks.RELEASE]


@pytest.mark.parametrize(("escalate_to", "channel", "mentioned"), [
    ("U0ADMIN", "U0ADMIN", None),
    ("S0LEGAL", "C0BRAND", "<!subteam^S0LEGAL>"),
    ("C0GENERAL", "C0GENERAL", None),
    (None, "C0BRAND", None),
])
def test_an_overdue_review_goes_where_escalate_to_says(escalate_to: str | None, channel: str,
                                                       mentioned: str | None) -> None:
    wf = depth_workflow(due_hours=2)
    post = submitted("Hallo <!channel>", wf)
    post.step("brand").due_at = "2026-11-26T11:00:00Z"
    repo, slack = MemoryPostRepository(), FakeSlack()
    repo.save(post)
    routing = load_config(WORKFLOW_FILE).slack
    notifier = SlackNotifier(lambda: SlackPorts(slack, FakeDirectory(), repo, wf, routing),
                             clock=lambda: NOW)
    notifier.handle(repo.get(post.id), ev.ReviewOverdue(post.id, "brand", escalate_to))
    (told,) = slack.posted
    assert told["channel"] == channel
    assert told["text"].startswith("⏰ Überfällig: Die Prüfung Brand für „Hallo &lt;!channel&gt;“ war")
    assert "12:00 Uhr" in told["text"]  # 11:00 UTC in Berlin
    if mentioned:
        assert mentioned in told["text"]


def test_a_long_checklist_item_fits_slacks_option_limits_without_losing_words() -> None:
    sample = load_config(WORKFLOW_FILE.parents[2] / "chalicelib" / "freigabe.toml").workflow
    for lang in ("de", "en"):
        block = blocks.checklist_block(sample.step("legal").checklist, lang).to_dict()
        for option, item in zip(block["element"]["options"], sample.step("legal").checklist,
                                strict=True):
            text, description = option["text"]["text"], option["description"]["text"]
            assert len(text) <= 75 and len(description) <= 75
            shown = f"{text} {description.rsplit(' · ', 1)[0]}" if " · " in description else text
            assert shown == item.label_in(lang)
    first = blocks.checklist_block(sample.step("legal").checklist, "de").to_dict()["element"]["options"][0]
    assert first["description"]["text"] == "(§ 5a UWG, § 22 MStV, BGH 2021) · Pflicht"


def test_a_link_steps_request_offers_nothing_to_click_and_names_its_outside_reviewer() -> None:
    wf = depth_workflow(kind="link", reviewers=None)
    post = submitted("Hallo Welt", wf)
    step = post.step("brand")
    assert step.kind == "link"
    _, payload = blocks.review_request(post, step, wf, "en")
    assert [b for b in payload if b["type"] == "actions"] == []
    assert "through a signed link" in "\n".join(texts_of(payload))
    lines = blocks.decision_line("approve", "external:Clara <Kundin>", NOW, "", wf, "en")
    assert lines[0].startswith("✅ Approved by Clara &lt;Kundin&gt; on")


def test_an_expired_post_is_said_in_the_channel_of_a_step_without_a_request_and_to_the_author() -> None:
    wf = depth_workflow()
    post = submitted("Hallo Welt", wf)
    repo, slack = MemoryPostRepository(), FakeSlack()
    repo.save(post)
    routing = load_config(WORKFLOW_FILE).slack
    directory = FakeDirectory({post.author: "U0WRITER"})
    notifier = SlackNotifier(lambda: SlackPorts(slack, directory, repo, wf, routing),
                             clock=lambda: NOW)
    notifier.handle(repo.get(post.id), ev.PostExpired(post.id, ("brand",)))
    assert [(m["channel"], m["text"]) for m in slack.posted] == [
        ("C0BRAND", "⌛ „Hallo Welt“ ist abgelaufen: nicht rechtzeitig freigegeben (Brand)."),
        ("D0WRITER", "„Hallo Welt“ ist abgelaufen: Die Freigabe kam zu spät für den geplanten Zeitpunkt.")]
