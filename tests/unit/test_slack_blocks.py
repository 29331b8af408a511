"""Block Kit built from slack_sdk's models: user text escaped everywhere, Slack's limits
kept for any text a network allows, times in the workflow's zone and language."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.texts import TEXTS, when
from chalicelib.domain.content import Content
from chalicelib.domain.post import ChannelResult, Post
from chalicelib.domain.status import ResultStatus, Status
from tests.unit.helpers import NOW, workflow

HOSTILE = "<!channel> <!here|here> <@U123> <#C0LEGAL> <https://evil.example|bank> & <!subteam^S1>"
RAW_CONTROLS = ("<!channel>", "<!here", "<@U123>", "<#C0LEGAL>", "<https://evil.example|bank>",
                "<!subteam^S1>")


def texts_of(node: Any) -> list[str]:
    """Every text a person would read in a payload (text objects and the fallback text)."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            found.append(node["text"])
        for value in node.values():
            found += texts_of(value)
    elif isinstance(node, list):
        for value in node:
            found += texts_of(value)
    return found


def review_post(text: str = HOSTILE, title: str = HOSTILE, channels: tuple[str, ...] = ("outbox", "x"),
                variants: dict[str, str] | None = None, author_name: str = HOSTILE) -> Post:
    wf = workflow()
    content = Content(text=text, channels=channels, title=title, variants=variants or {"x": HOSTILE})
    post = Post.create("p1", "writer@freigabe.example", author_name, content,
                       datetime(2026, 12, 1, 8, 0, tzinfo=UTC), NOW)
    post.submit(wf, post.author, NOW)
    return post


def assert_no_raw_controls(payload: Any) -> None:
    for text in texts_of(payload):
        for raw in RAW_CONTROLS:
            assert raw not in text, (raw, text)


def test_escape_turns_slacks_control_characters_into_entities() -> None:
    assert blocks.escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert blocks.escape("&amp;") == "&amp;amp;"  # typed text shows as typed


def test_a_review_request_shows_user_text_literally() -> None:
    post = review_post()
    fallback, payload = blocks.review_request(post, post.step("legal"), workflow(), "en")
    assert_no_raw_controls(payload)
    assert "<!channel>" not in fallback and "&lt;!channel&gt;" in fallback
    shown = "\n".join(texts_of(payload))
    assert "&lt;https://evil.example|bank&gt;" in shown and "&amp; &lt;!subteam^S1&gt;" in shown
    for block in payload:
        for text in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(text, dict) and text.get("type") == "mrkdwn":
                assert text["verbatim"] is True  # Slack must not auto-link names or URLs


def test_a_review_request_names_time_channels_author_reasons_and_buttons() -> None:
    post = review_post(text="50% Rabatt", title="Advent", author_name="Wanda Writer",
                       variants={"x": "Kurz"})
    _, payload = blocks.review_request(post, post.step("legal"), workflow(), "de")
    shown = "\n".join(texts_of(payload))
    assert "Dienstag, 1. Dezember 2026, 09:00 Uhr (Europe/Berlin)" in shown
    assert "outbox, x" in shown and "Wanda Writer (writer@freigabe.example)" in shown
    assert "Stichwort „rabatt“, Stichwort „%“, Kanal x" in shown
    assert "*Text für outbox*\n50% Rabatt" in shown and "*Text für x*\nKurz" in shown
    actions = [b for b in payload if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [
        blocks.APPROVE, blocks.REQUEST_CHANGES, blocks.REJECT, blocks.HOLD]
    assert {json.loads(e["value"])["h"] for e in actions[0]["elements"]} == {post.content_hash}
    _, english = blocks.review_request(post, post.step("legal"), workflow(), "en")
    shown = "\n".join(texts_of(english))
    assert "Tuesday, 1 December 2026, 09:00 (Europe/Berlin)" in shown
    assert "keyword “rabatt”" in shown and "Approve" in shown


def test_closed_states_have_no_buttons() -> None:
    post = review_post()
    state = blocks.RequestState(False, blocks.decision_line("reject", "U0BRAND1", NOW, "Nein <!here>",
                                                            workflow(), "en"))
    _, payload = blocks.review_request(post, post.step("brand"), workflow(), "en", state)
    assert not [b for b in payload if b["type"] == "actions"]
    shown = "\n".join(texts_of(payload))
    assert "⛔ Rejected by <@U0BRAND1> on Thursday, 26 November 2026, 10:00 (Europe/Berlin)" in shown
    assert "Nein &lt;!here&gt;" in shown


def test_the_longest_text_a_network_allows_fits_slacks_limits() -> None:
    long = ("Rabatt & <b> " * 6000)[:63206]
    post = review_post(text=long, title="T" * 1000, channels=("outbox", "x", "hooks"),
                       variants={"x": "a" * 280})
    _, payload = blocks.review_request(post, post.step("legal"), workflow(), "de")
    assert len(payload) <= 50
    for block in payload:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
    assert any("… (gekürzt, " in t for t in texts_of(payload))
    assert [b["type"] for b in payload][-1] == "actions"  # the buttons are never cut off


def test_many_channels_with_their_own_variants_still_fit() -> None:
    channels = tuple(["outbox", "x", "hooks", "mastodon", "bluesky", "linkedin"])
    post = review_post(text="x" * 3000, channels=channels,
                       variants={c: f"{c} " + "y" * 2900 for c in channels})
    _, payload = blocks.review_request(post, post.step("legal"), workflow(), "en")
    assert len(payload) <= 50


def test_changes_since_the_last_review_show_fields_and_a_word_diff() -> None:
    seen = Content("Rabatt: 10% auf alles", ("outbox",), "Advent").to_dict()
    now = Content("Rabatt: 5% auf alles <!channel>", ("outbox", "x"), "Advent")
    (section,) = [b.to_dict() for b in blocks.changes_blocks(seen, now, "en")]
    text = section["text"]["text"]
    assert "Changed since your last review: text, channels" in text
    assert "Rabatt: ~10%~ *5%* auf alles *&lt;!channel&gt;*" in text
    assert "Advent" not in text  # the title did not change
    assert blocks.changes_blocks(None, now, "en") == []
    assert blocks.changes_blocks(now.to_dict(), now, "en") == []


def test_the_modal_requires_a_comment_and_keeps_slacks_title_limit() -> None:
    post = review_post()
    for lang in TEXTS["modal_title_request_changes"]:
        view = blocks.decision_modal(post, post.step("brand"), "request_changes", lang, "{}")
        assert len(view["title"]["text"]) <= 24
        (comment,) = [b for b in view["blocks"] if b.get("block_id") == blocks.COMMENT_BLOCK]
        assert comment["type"] == "input" and not comment.get("optional")
        assert_no_raw_controls(view)


def test_home_lists_items_with_buttons_and_stays_under_100_blocks() -> None:
    posts = [review_post() for _ in range(30)]
    view = blocks.home_view([(p, p.step("legal")) for p in posts], workflow(), "en")
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert_no_raw_controls(view)
    assert "… and 10 more." in texts_of(view)
    empty = blocks.home_view([], workflow(), "de")
    assert "Nichts wartet auf Sie. 🎉" in texts_of(empty)


def test_results_link_only_safe_urls_and_offer_retry_when_asked() -> None:
    post = review_post()
    post.status = Status.PARTIALLY_PUBLISHED
    post.results = {
        "outbox": ChannelResult(ResultStatus.PUBLISHED, url="https://ok.example/1"),
        "x": ChannelResult(ResultStatus.PUBLISHED, url="javascript:alert(1)"),
        "hooks": ChannelResult(ResultStatus.FAILED, error="<!channel> broke"),
    }
    _, payload = blocks.results_message(post, "en", ["hooks"])
    shown = "\n".join(texts_of(payload))
    assert "<https://ok.example/1|https://ok.example/1>" in shown
    assert "<javascript" not in shown and "&lt;!channel&gt; broke" in shown
    retry = [e for b in payload if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in retry] == [blocks.RETRY]
    _, without = blocks.results_message(post, "en", [])
    assert not [b for b in without if b["type"] == "actions"]


def test_times_are_written_for_the_language_in_the_workflows_zone() -> None:
    winter = datetime(2026, 12, 24, 17, 30, tzinfo=UTC)
    summer = datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert when(winter, "Europe/Berlin", "de") == "Donnerstag, 24. Dezember 2026, 18:30 Uhr (Europe/Berlin)"
    assert when(winter, "Europe/Berlin", "en") == "Thursday, 24 December 2026, 18:30 (Europe/Berlin)"
    assert when(summer, "Europe/Berlin", "de").endswith("1. Juli 2027, 10:00 Uhr (Europe/Berlin)")
    assert when(summer, "America/New_York", "en") == "Thursday, 1 July 2027, 04:00 (America/New_York)"


def test_every_text_exists_in_both_languages() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == {"de", "en"}, key


def test_mentions_only_for_real_ids() -> None:
    assert blocks.mention("U0LEGAL1") == "<@U0LEGAL1>"
    assert blocks.mention("U1>|<!channel") == "U1&gt;|&lt;!channel"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=5, max_value=50), st.integers(1, 5))
def test_chunks_never_split_an_entity_and_lose_nothing_they_keep(text: str, limit: int,
                                                                 most: int) -> None:
    pieces, rest = blocks.chunks(text, limit, most)
    assert all(len(p) <= limit for p in pieces) and len(pieces) <= most
    joined = "".join(pieces)
    assert "<" not in joined and ">" not in joined
    unescaped = joined.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped + text[len(text) - rest:] == text if rest else unescaped == text


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=2000).filter(str.strip), st.text(max_size=300))
def test_any_text_makes_a_valid_request(text: str, title: str) -> None:
    post = review_post(text=text, title=title, variants={})
    fallback, payload = blocks.review_request(post, post.step("brand"), workflow(), "de")
    assert len(payload) <= 50
    for piece in [fallback, *texts_of(payload)]:
        own = piece.replace("<@", "")  # our own mentions are the only angle brackets allowed
        assert "<" not in own and ">" not in own


def action_ids(payload: Any) -> list[str]:
    return [e["action_id"] for b in payload if b["type"] == "actions" for e in b["elements"]]


def test_no_approve_button_stands_under_truncated_text() -> None:
    post = review_post(text="Rabatt " * 9000, channels=("outbox", "x"), variants={"x": "kurz"})
    _, payload = blocks.review_request(post, post.step("legal"), workflow(), "en")
    assert any("(shortened" in t or "gekürzt" in t or "more characters" in t for t in texts_of(payload))
    assert blocks.APPROVE not in action_ids(payload) and blocks.REVIEW in action_ids(payload)
    short = review_post(text="Rabatt heute", variants={"x": "kurz"})
    _, payload = blocks.review_request(short, short.step("legal"), workflow(), "en")
    assert action_ids(payload)[0] == blocks.APPROVE


def test_app_home_has_no_approve_button_and_the_review_modal_shows_everything_it_approves() -> None:
    hidden = "Geheime Variante " + "v" * 5000 + " <!channel> ENDE"
    post = review_post(text="Rabatt " * 600, channels=("outbox", "x", "hooks"),
                       variants={"x": hidden, "hooks": "Webhook-Text"}, title="Advent")
    view = blocks.home_view([(post, post.step("legal"))], workflow(), "en")
    assert blocks.APPROVE not in action_ids(view["blocks"]) and blocks.REVIEW in action_ids(view["blocks"])

    modal = blocks.review_modal(post, post.step("legal"), workflow(), "de", "{}")
    shown = "".join(texts_of(modal["blocks"]))
    for text in (post.content.text, hidden, "Webhook-Text", "Advent"):
        assert blocks.escape(text).replace("\n", "") in shown.replace("\n", "")
    assert modal["submit"]["text"] == "Freigeben" and modal["callback_id"] == blocks.REVIEW_MODAL
    assert len(modal["blocks"]) <= 100 and len(modal["title"]["text"]) <= 24
    assert_no_raw_controls(modal)
