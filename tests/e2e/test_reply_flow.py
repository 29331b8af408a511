"""Replies and answers on the stack `make run` starts (issue 17): a post approved in the dev
workspace is published on a Mastodon account connected at the stand-in networks; a reply made
there comes into the post's Slack review thread within one listening run (escaped), is answered
from the dev workspace (Answer, the modal's draft, a responder's approval in the thread), and
the stand-in receives exactly one status in reply to it; a mention without a post lands in the
brand's inbox channel; the post's page shows the conversation."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from dev.testing import StackHandle, start_stack
from tests.e2e.test_connect_flow import (
    approve_in_slack,
    connect,
    eventually,
    network_state,
    post_of,
    session,
    submit,
)

pytestmark = pytest.mark.e2e

RESPONDER = "U0BRAND1"
DRAFTER = "U0LEGAL1"
INBOX = "C0GENERAL"

WORKFLOW = """
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
late_publish_minutes = 120
admins = ["U0ADMIN"]
admin_emails = ["admin@freigabe.example"]
inbox_channel = "C0GENERAL"
responders = ["U0BRAND1"]
answer_within_hours = 4

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]

[channels.outbox]
type = "outbox"
path = "{outbox}"
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    state = tmp_path_factory.mktemp("reply-stack")
    workflow = state / "workflow.toml"
    workflow.write_text(WORKFLOW.format(outbox=state / "outbox.jsonl"))
    handle = start_stack(state, {"FREIGABE_CONFIG": str(workflow), "FREIGABE_TABLE": "freigabe-replies",
                                 "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


def slack_messages(stack: StackHandle, channel: str) -> list[dict[str, Any]]:
    state = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()
    return [{**m, "channel": channel} for m in state["messages"].get(channel, [])]


def open_views(stack: StackHandle, user: str) -> list[dict[str, Any]]:
    state = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()
    return [v for v in state["views"].get(user, []) if v["open"]]


def slack_dev(stack: StackHandle, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(stack.slack_url + path, json=body, timeout=30)
    assert answer.ok, answer.text
    return answer.json()  # type: ignore[no-any-return]


def request_message(stack: StackHandle, post_id: str) -> dict[str, Any]:
    found = [m for m in slack_messages(stack, "C0BRAND")
             if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))]
    assert found, f"no review request for {post_id}"
    return found[-1]


def thread(stack: StackHandle, top: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in slack_messages(stack, top["channel"])
            if m.get("thread_ts") == top["ts"] and m["ts"] != top["ts"]]


def action_ids(message: dict[str, Any]) -> list[str]:
    return [str(e.get("action_id")) for b in message.get("blocks") or [] if b.get("type") == "actions"
            for e in b.get("elements", [])]


def with_button(messages: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [m for m in messages if action_id in action_ids(m)]


def shown(message: dict[str, Any]) -> str:
    return str(message.get("text") or "") + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def click(stack: StackHandle, user: str, message: dict[str, Any], action_id: str) -> None:
    answer = slack_dev(stack, "/_dev/click", {"user": user, "channel": message["channel"],
                                              "ts": message["ts"], "action_id": action_id})
    assert answer["status"] == 200, answer


def dev_reply(stack: StackHandle, body: dict[str, Any]) -> str:
    made = requests.post(stack.networks_url + "/_dev/reply", json=body, timeout=5)
    assert made.ok, made.text
    return str(made.json()["id"])


def replies_on_mastodon(stack: StackHandle) -> list[dict[str, Any]]:
    return [p for p in network_state(stack)["posts"]
            if p["network"] == "mastodon" and p.get("in_reply_to_id")]


def test_a_reply_is_shown_in_the_thread_answered_approved_and_sent_back_once(
        stack: StackHandle) -> None:
    # GIVEN a Mastodon account connected at the stand-in and a post published there
    admin = session("admin@freigabe.example")
    assert connect(stack, admin, "social", "mastodon", {})["status"] == "connected"
    post = submit(stack, ["social"], "Frühling im Laden", 6)
    approve_in_slack(stack, post["id"])
    published = eventually(lambda: (p := post_of(stack, post["id"]))["status"] == "published" and p,
                           60, "the post published on Mastodon")
    ours = str(published["results"]["social"]["external_id"])
    assert [p["text"] for p in network_state(stack)["posts"]] == ["Frühling im Laden"]
    top = request_message(stack, post["id"])
    # the publication is remembered when the stream relays the post's settling, as is the
    # "published" line in its thread; a reply read before that would not know its post
    eventually(lambda: any("veröffentlicht" in shown(m) for m in thread(stack, top)), 20,
               "the publication relayed")
    time.sleep(2)

    # WHEN someone replies to it there with markup and a channel-wide mention
    reply = dev_reply(stack, {"network": "mastodon", "in_reply_to": ours,
                              "text": "<b>Wann?</b> <!channel>", "author": "kundin@social.example"})

    # THEN within one listening run (the tick is a second) it is in the post's thread, escaped
    items = eventually(lambda: with_button(thread(stack, top), "freigabe_answer"), 20,
                       "the reply in the post's thread")
    [item] = items
    text = shown(item)
    assert "&lt;b&gt;Wann?&lt;/b&gt;" in text and "&lt;!channel&gt;" in text
    assert "<!channel>" not in text and "<b>" not in text
    assert "kundin@social.example" in text
    assert action_ids(item) == ["freigabe_answer", "freigabe_done"]
    time.sleep(3)  # further runs show it once
    assert len(with_button(thread(stack, top), "freigabe_answer")) == 1

    # WHEN someone answers: the modal quotes the reply, the draft goes to review in the thread
    click(stack, DRAFTER, item, "freigabe_answer")
    [modal] = eventually(lambda: open_views(stack, DRAFTER), 10, "the answer modal")
    assert "&lt;b&gt;Wann?&lt;/b&gt;" in json.dumps(modal, ensure_ascii=False)
    answer_text = "Ab Samstag, 10 Uhr!"
    accepted = slack_dev(stack, "/_dev/submit_view", {
        "user": DRAFTER, "view_id": modal["id"], "values": {"answer": {"answer": answer_text}}})
    assert accepted["errors"] == {} and accepted["view_open"] is False, accepted
    review = eventually(lambda: with_button([m for m in thread(stack, top)
                                             if answer_text in shown(m)], "freigabe_approve"),
                        20, "the answer's review in the thread")[0]
    answer_id = json.loads(next(e for b in review["blocks"] if b.get("type") == "actions"
                                for e in b["elements"])["value"])["p"]
    assert answer_id != post["id"]
    assert replies_on_mastodon(stack) == []  # nothing goes out before the approval

    # WHEN a responder approves it in the thread
    click(stack, RESPONDER, review, "freigabe_approve")

    # THEN the stand-in has exactly one new status, in reply to the reply
    sent = eventually(lambda: replies_on_mastodon(stack), 30, "the answer sent to Mastodon")
    assert [(p["text"], p["in_reply_to_id"]) for p in sent] == [(answer_text, reply)]
    time.sleep(4)  # later ticks, the queue and the stream send nothing again
    assert len(replies_on_mastodon(stack)) == 1
    assert len(network_state(stack)["posts"]) == 2

    # AND the post's page shows the conversation: the reply answered, the answer published
    def conversation() -> Any:
        found = post_of(stack, post["id"]).get("conversation") or []
        return found if [e["status"] for e in found] == ["answered", "published"] else None

    incoming, answer = eventually(conversation, 20, "the conversation on the post")
    assert (incoming["kind"], incoming["channel"]) == ("incoming", "social")
    assert "kundin@social.example" in incoming["author"]
    assert incoming["text"].endswith("<b>Wann?</b> <!channel>")  # stored as written
    assert (answer["kind"], answer["id"], answer["text"]) == ("answer", answer_id, answer_text)
    assert answer["url"].endswith("/" + sent[0]["id"])


def test_a_mention_without_a_post_lands_in_the_inbox_channel(stack: StackHandle) -> None:
    admin = session("admin@freigabe.example")
    channels = admin.get(stack.base_url + "/api/admin/channels", timeout=15).json()["channels"]
    if not any(c["name"] == "social" for c in channels):
        connect(stack, admin, "social", "mastodon", {})
    before = len(slack_messages(stack, INBOX))
    dev_reply(stack, {"network": "mastodon", "text": "Hallo @editor, habt ihr <i>heute</i> offen?",
                      "author": "gast@social.example"})

    def in_inbox() -> Any:
        found = [m for m in slack_messages(stack, INBOX)[before:] if "habt ihr" in shown(m)]
        return found or None

    [message] = eventually(in_inbox, 20, "the mention in the inbox channel")
    assert message.get("thread_ts") in (None, message["ts"])  # its own message, not in a thread
    text = shown(message)
    assert "&lt;i&gt;heute&lt;/i&gt;" in text and "<i>" not in text
    assert "gast@social.example" in text
    assert action_ids(message) == ["freigabe_answer", "freigabe_done"]
