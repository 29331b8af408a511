"""Answers, approved (issue 17, item 3): a reply on the Mastodon stand-in to a published post
comes into the post's Slack thread; Answer in the dev workspace opens a modal, the draft goes to
review in that same thread, a responder approves it, the queue's worker publishes it on the
stand-in as a reply to the incoming status, once; the parent's `conversation` shows both, the
item is answered, and the figures count it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.slack.blocks import APPROVE
from tests.integration.publish_support import PublishRig, publish_rig
from tests.integration.slack_helpers import SlackRig, buttons, shown_text
from tests.integration.test_replies_into_slack import listen

RESPONDER = "U0BRAND1"
DRAFTER = "U0LEGAL1"


@pytest.fixture
def rig(table: str, aws_endpoint: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishRig]:
    from chalicelib import bootstrap

    with publish_rig(table, aws_endpoint, tmp_path, monkeypatch) as publishing:
        config = tmp_path / "workflow.toml"
        text = config.read_text()
        assert "require_alt_text = true\n" in text
        config.write_text(text.replace("require_alt_text = true\n", "require_alt_text = true\n"
                                       f'responders = ["{RESPONDER}"]\n'
                                       'inbox_channel = "C0GENERAL"\n', 1))
        bootstrap.reset()
        yield publishing


def submit_answer(slack: SlackRig, user: str, view_id: str, text: str) -> dict[str, Any]:
    return slack.dev("/_dev/submit_view", {"user": user, "view_id": view_id,
                                           "values": {"answer": {"answer": text}}})


def with_button(messages: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [m for m in messages if action_id in [b.get("action_id") for b in buttons(m)]]


def published_on_mastodon(rig: PublishRig, slack: SlackRig) -> tuple[dict[str, Any], str]:
    post = slack.create(channels=["mastodon"], text="Frühling im Laden")
    slack.relay.pump()
    slack.click(RESPONDER, slack.request_for("C0BRAND", post["id"]), APPROVE)
    slack.relay.pump()
    assert rig.drain() == 1
    slack.relay.pump()
    shown = slack.post(post["id"])
    assert shown["status"] == "published"
    return post, str(shown["results"]["mastodon"]["external_id"])


def test_an_answer_drafted_in_the_thread_is_approved_and_published_as_a_reply_once(
        rig: PublishRig, slack_rig: SlackRig) -> None:
    from chalicelib import bootstrap

    slack = slack_rig
    mastodon = rig.standins["mastodon"]
    # GIVEN a published post and a reply to it on Mastodon, read by one listening run
    post, ours = published_on_mastodon(rig, slack)
    reply = mastodon.add_reply(ours, "Habt ihr <b>samstags</b> offen?",  # type: ignore[attr-defined]
                               author="kim@social.example")
    assert listen()["shown"] == 1
    request = slack.request_for("C0BRAND", post["id"])
    [item_message] = with_button(slack.thread(request), "freigabe_answer")

    # WHEN someone clicks Answer: a modal with the reply quoted (escaped) and Mastodon's limit
    slack.click(DRAFTER, {**item_message, "channel": "C0BRAND"}, "freigabe_answer")
    [modal] = slack.open_views(DRAFTER)
    shown = shown_text(modal)
    assert "&lt;b&gt;samstags&lt;/b&gt;" in shown and "<b>" not in shown
    assert "500" in shown and "kim@social.example" in shown

    # AND a draft over Mastodon's limit is refused under the field, nothing stored
    before = bootstrap.container().repository.refs(post["id"])
    refused = submit_answer(slack, DRAFTER, modal["id"], "Ja! " * 200)
    assert refused["view_open"] is True and "500" in refused["errors"]["answer"]
    assert bootstrap.container().repository.refs(post["id"]) == before

    # WHEN the draft fits: it goes to review in the reply's thread
    answer_text = "Ja, samstags von 10 bis 14 Uhr."
    accepted = submit_answer(slack, DRAFTER, modal["id"], answer_text)
    assert accepted["errors"] == {} and accepted["view_open"] is False
    slack.relay.pump()
    [review] = [m for m in slack.thread(request) if with_button([m], APPROVE)]
    assert answer_text in shown_text(review)
    answer_id = json.loads(buttons(review)[0]["value"])["p"]
    assert answer_id != post["id"]

    # AND the one who drafted it cannot approve it (not a responder, and its author)
    slack.click(DRAFTER, {**review, "channel": "C0BRAND"}, APPROVE)
    slack.relay.pump()
    assert slack.post(post["id"])["status"] == "published"
    assert rig.drain() == 0 and [p for p in mastodon.posts if p["in_reply_to_id"]] == []

    # WHEN a responder approves: the worker publishes it as a reply to the incoming status
    slack.click(RESPONDER, {**review, "channel": "C0BRAND"}, APPROVE)
    slack.relay.pump()
    assert rig.drain() == 1
    slack.relay.pump()
    assert slack.relay.failures == []
    replies = [p for p in mastodon.posts if p["in_reply_to_id"]]
    assert [(p["text"], p["in_reply_to_id"]) for p in replies] == [(answer_text, reply)]
    # ... exactly once, however often the stream and the queue deliver again
    from tests.integration.slack_helpers import StreamRelay

    StreamRelay(bootstrap.container().table).pump()
    assert rig.drain() == 0
    assert len([p for p in mastodon.posts if p["in_reply_to_id"]]) == 1

    # THEN the parent's conversation shows the reply (answered) and the published answer
    conversation = slack.post(post["id"])["conversation"]
    assert [(e["kind"], e["status"]) for e in conversation] == [("incoming", "answered"),
                                                                ("answer", "published")]
    incoming, answer = conversation
    assert (incoming["author"], incoming["channel"]) == ("@kim@social.example", "mastodon")
    assert incoming["text"].endswith("Habt ihr <b>samstags</b> offen?")
    assert (answer["id"], answer["text"]) == (answer_id, answer_text)
    assert answer["url"] and answer["url"].endswith("/" + replies[0]["id"])

    # AND the item's message has no buttons left and its thread says answered, with the link
    [closed] = [m for m in slack.thread(request) if m["ts"] == item_message["ts"]]
    assert buttons(closed) == [] and "Beantwortet" in shown_text(closed)
    assert any("Beantwortet" in shown_text(m) and answer["url"] in json.dumps(m)
               for m in slack.thread(request) if m["ts"] != item_message["ts"])

    # AND the figures count one reply, answered within the brand's target
    today = datetime.now(UTC).date().isoformat()
    [figures] = slack.api("GET", f"/api/stats?from={today}&to={today}")["answers"]
    assert (figures["incoming"], figures["answered"], figures["answered_within_rate"]) == (1, 1, 1.0)
    assert 0 <= figures["median_hours_to_answer"] < 0.1


def test_an_answer_to_an_item_that_is_done_is_refused_in_the_modal(
        rig: PublishRig, slack_rig: SlackRig) -> None:
    slack = slack_rig
    mastodon = rig.standins["mastodon"]
    post, ours = published_on_mastodon(rig, slack)
    mastodon.add_reply(ours, "Danke!")  # type: ignore[attr-defined]
    assert listen()["shown"] == 1
    request = slack.request_for("C0BRAND", post["id"])
    [item_message] = with_button(slack.thread(request), "freigabe_answer")
    slack.click(DRAFTER, {**item_message, "channel": "C0BRAND"}, "freigabe_answer")
    [modal] = slack.open_views(DRAFTER)
    slack.click(RESPONDER, {**item_message, "channel": "C0BRAND"}, "freigabe_done")
    refused = submit_answer(slack, DRAFTER, modal["id"], "Gern!")
    assert refused["view_open"] is True and "nicht mehr offen" in refused["errors"]["answer"]
    slack.relay.pump()
    assert slack.post(post["id"])["conversation"][0]["status"] == "done"
    assert len(slack.post(post["id"])["conversation"]) == 1
