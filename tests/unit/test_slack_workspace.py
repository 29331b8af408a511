"""The Slack dev workspace, driven over real HTTP by slack_sdk and a real Bolt app."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, Response, request
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from werkzeug.serving import BaseWSGIServer, make_server

from dev.slack_workspace import (
    DEV_BOT_TOKEN,
    DEV_SIGNING_SECRET,
    DEV_TEAM_ID,
    start_in_thread,
)
from dev.slack_workspace.delivery import signature
from dev.slack_workspace.server import ServerHandle

REPO_ROOT = Path(__file__).resolve().parents[2]
APPROVE = {"type": "button", "action_id": "approve", "value": "post-1:v1", "style": "primary"}
REVIEW_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Neuer Post* &lt;script&gt;"}},
    {
        "type": "actions",
        "block_id": "review",
        "elements": [APPROVE | {"text": {"type": "plain_text", "text": "Approve"}}],
    },
]
COMMENT_INPUT = {"type": "plain_text_input", "action_id": "text", "multiline": True}
COMMENT_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "comment_modal",
    "private_metadata": "post-1:v1",
    "title": {"type": "plain_text", "text": "Request changes"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "comment",
            "label": {"type": "plain_text", "text": "Comment"},
            "element": COMMENT_INPUT,
        }
    ],
}
REFRESH = {"type": "button", "action_id": "refresh", "text": {"type": "plain_text", "text": "Refresh"}}
HOME_VIEW = {
    "type": "home",
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*2* reviews waiting"}},
        {"type": "actions", "elements": [REFRESH]},
    ],
}


@dataclass
class Receiver:
    """A real Bolt app behind Flask, recording every request its listeners got."""

    server: BaseWSGIServer
    got: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/slack/events"


def build_bolt(api_url: str, receiver: Receiver) -> App:
    client = WebClient(token=DEV_BOT_TOKEN, base_url=api_url)
    # process_before_response: the listener finishes before Bolt answers, so tests see its effects.
    bolt = App(
        client=client,
        signing_secret=DEV_SIGNING_SECRET,
        token_verification_enabled=False,
        process_before_response=True,
    )

    def record(kind: str, body: dict[str, Any], req: BoltRequest, **extra: Any) -> None:
        retry = req.headers.get("x-slack-retry-num")
        receiver.got.append({"kind": kind, "body": body, "retry": retry, **extra})

    @bolt.action("approve")
    def approve(ack: Ack, body: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        ack()
        opened = client.views_open(trigger_id=body["trigger_id"], view=COMMENT_MODAL)
        record("action", body, request, view_id=opened["view"]["id"])

    @bolt.action("refresh")
    def refresh(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
        ack()
        record("home_action", body, request)

    @bolt.view("comment_modal")
    def comment(ack: Ack, body: dict[str, Any], view: dict[str, Any], request: BoltRequest) -> None:
        text = view["state"]["values"]["comment"]["text"]["value"]
        if text.strip() == "kurz":
            ack(response_action="errors", errors={"comment": "Bitte genauer begründen."})
        else:
            ack()
        record("view", body, request)

    @bolt.command("/freigabe")
    def command(ack: Ack, body: dict[str, Any], respond: Respond, request: BoltRequest) -> None:
        ack(f"Freigabe: {body['text']}")
        respond(text="Queue: 2 posts", response_type="ephemeral")
        record("command", body, request)

    @bolt.event("app_home_opened")
    def home(body: dict[str, Any], event: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        client.views_publish(user_id=event["user"], view=HOME_VIEW)
        record("event", body, request)

    return bolt


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[ServerHandle, Receiver]]:
    flask_app = Flask("bolt-receiver")
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    receiver = Receiver(server=server)
    handle = start_in_thread(receiver.url)
    handler = SlackRequestHandler(build_bolt(handle.api_url, receiver))

    @flask_app.post("/slack/events")
    def events() -> Response:
        return handler.handle(request)

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handle, receiver
    server.shutdown()
    handle.stop()


@pytest.fixture
def slack(stack: tuple[ServerHandle, Receiver]) -> ServerHandle:
    handle, receiver = stack
    requests.post(f"{handle.url}/_dev/reset", timeout=5).raise_for_status()
    receiver.got.clear()
    return handle


@pytest.fixture
def receiver(stack: tuple[ServerHandle, Receiver], slack: ServerHandle) -> Receiver:
    return stack[1]


@pytest.fixture
def client(slack: ServerHandle) -> WebClient:
    return WebClient(token=DEV_BOT_TOKEN, base_url=slack.api_url)


def state(slack: ServerHandle) -> dict[str, Any]:
    response = requests.get(f"{slack.url}/_dev/state", timeout=5)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def drive(slack: ServerHandle, path: str, **body: Any) -> dict[str, Any]:
    """Act as a person through the workspace's /_dev API; returns its JSON answer."""
    result: dict[str, Any] = requests.post(f"{slack.url}/_dev/{path}", json=body, timeout=15).json()
    return result


def api_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


def test_constants_import_without_starting_or_loading_flask() -> None:
    code = (
        "import sys, dev.slack_workspace as w; "
        "print(w.DEV_BOT_TOKEN, w.DEV_SIGNING_SECRET, w.DEV_TEAM_ID, 'flask' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["xoxb-freigabe-dev-token", "freigabe-dev-signing-secret", "T0FREIGABE", "False"]


def test_posted_message_is_kept_with_its_blocks(slack: ServerHandle, client: WebClient) -> None:
    sent = client.chat_postMessage(channel="C0LEGAL", text="Review", blocks=REVIEW_BLOCKS)
    assert sent["channel"] == "C0LEGAL" and sent["message"]["blocks"] == REVIEW_BLOCKS
    snapshot = state(slack)
    [kept] = snapshot["messages"]["C0LEGAL"]
    assert (kept["ts"], kept["text"], kept["blocks"]) == (sent["ts"], "Review", REVIEW_BLOCKS)
    assert snapshot["calls"][-1]["method"] == "chat.postMessage"
    assert DEV_BOT_TOKEN not in json.dumps(snapshot)


def test_message_to_a_person_lands_in_their_dm_and_replies_in_the_thread(
    slack: ServerHandle, client: WebClient
) -> None:
    dm = client.chat_postMessage(channel="U0WRITER", text="Approved by Lena")
    assert dm["channel"] == state(slack)["dms"]["U0WRITER"] == "D0WRITER"
    parent = client.chat_postMessage(channel="C0BRAND", text="Review")
    reply = client.chat_postMessage(channel="C0BRAND", text="Published", thread_ts=parent["ts"])
    messages = state(slack)["messages"]["C0BRAND"]
    assert [m.get("thread_ts") for m in messages] == [parent["ts"], parent["ts"]]
    assert messages[0]["reply_count"] == 1 and messages[1]["ts"] == reply["ts"]
    assert api_error(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"


def test_update_replaces_the_message(slack: ServerHandle, client: WebClient) -> None:
    sent = client.chat_postMessage(channel="C0LEGAL", text="Review", blocks=REVIEW_BLOCKS)
    decided = [{"type": "section", "text": {"type": "mrkdwn", "text": "Approved by Lena"}}]
    client.chat_update(channel="C0LEGAL", ts=sent["ts"], text="Approved", blocks=decided)
    [kept] = state(slack)["messages"]["C0LEGAL"]
    assert (kept["text"], kept["blocks"]) == ("Approved", decided)
    assert api_error(lambda: client.chat_update(channel="C0LEGAL", ts="1.000001", text="x")) == (
        "message_not_found"
    )


def test_tokens_blocks_and_methods_are_checked_like_slack(slack: ServerHandle, client: WebClient) -> None:
    wrong = WebClient(token="xoxb-wrong", base_url=slack.api_url)
    assert api_error(wrong.auth_test) == "invalid_auth"
    assert api_error(WebClient(base_url=slack.api_url).auth_test) == "not_authed"
    assert client.auth_test()["team_id"] == DEV_TEAM_ID
    assert api_error(lambda: client.api_call("reactions.add")) == "unknown_method"
    bad = [{"text": "no type"}]
    assert api_error(lambda: client.chat_postMessage(channel="C0LEGAL", text="x", blocks=bad)) == (
        "invalid_blocks"
    )


def test_people_are_found_by_id_and_email(slack: ServerHandle, client: WebClient) -> None:
    lena = client.users_info(user="U0LEGAL1")["user"]
    assert lena["real_name"] == "Lena Legal" and lena["tz"] == "Europe/Berlin"
    assert lena["profile"]["email"] == "legal1@freigabe.example"
    assert client.users_lookupByEmail(email="Writer@freigabe.example")["user"]["id"] == "U0WRITER"
    assert api_error(lambda: client.users_lookupByEmail(email="x@y.example")) == "users_not_found"
    assert api_error(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"
    drive(slack, "users", id="U0NEW", real_name="Nina Neu", email="nina@f.example")
    assert client.users_lookupByEmail(email="nina@f.example")["user"]["id"] == "U0NEW"


def test_usergroups_answer_members_until_the_plan_is_free(slack: ServerHandle, client: WebClient) -> None:
    members = client.usergroups_users_list(usergroup="S0LEGAL")["users"]
    assert members == ["U0LEGAL1", "U0LEGAL2"]
    drive(slack, "usergroups", id="S0BRAND", users=["U0BRAND1"])
    assert client.usergroups_users_list(usergroup="S0BRAND")["users"] == ["U0BRAND1"]
    drive(slack, "flags", free_plan=True)
    assert api_error(lambda: client.usergroups_users_list(usergroup="S0LEGAL")) == "paid_teams_only"


def test_dm_ephemeral_and_permalink(slack: ServerHandle, client: WebClient) -> None:
    opened = client.conversations_open(users="U0BRAND1")
    assert opened["channel"]["id"] == "D0BRAND1"
    sent = client.chat_postMessage(channel="C0LEGAL", text="Review")
    client.chat_postEphemeral(channel="C0LEGAL", user="U0WRITER", text="Not your step")
    [ephemeral] = state(slack)["ephemerals"]
    assert (ephemeral["user"], ephemeral["text"]) == ("U0WRITER", "Not your step")
    link = client.chat_getPermalink(channel="C0LEGAL", message_ts=sent["ts"])["permalink"]
    assert link.endswith(f"/archives/C0LEGAL/p{sent['ts'].replace('.', '')}")


def test_click_delivers_a_verified_block_action_whose_trigger_opens_a_modal(
    slack: ServerHandle, client: WebClient, receiver: Receiver
) -> None:
    sent = client.chat_postMessage(channel="C0LEGAL", text="Review", blocks=REVIEW_BLOCKS)
    review = {"channel": "C0LEGAL", "ts": sent["ts"], "action_id": "approve"}
    answer = drive(slack, "click", user="U0LEGAL1", retry_num=1, **review)
    assert answer["status"] == 200
    [got] = receiver.got
    body = got["body"]
    assert body["type"] == "block_actions" and got["retry"] == ["1"]
    assert body["user"]["id"] == "U0LEGAL1" and body["channel"]["id"] == "C0LEGAL"
    assert body["message"]["ts"] == sent["ts"] and body["message"]["blocks"] == REVIEW_BLOCKS
    container = {"type": "message", "message_ts": sent["ts"], "channel_id": "C0LEGAL", "is_ephemeral": False}
    assert body["container"] == container
    action = body["actions"][0]
    assert [action[key] for key in ("action_id", "block_id", "value", "type")] == [
        "approve",
        "review",
        "post-1:v1",
        "button",
    ]
    [modal] = state(slack)["views"]["U0LEGAL1"]
    assert modal["id"] == got["view_id"] and modal["open"] and modal["callback_id"] == "comment_modal"
    reused = lambda: client.views_open(trigger_id=body["trigger_id"], view=COMMENT_MODAL)  # noqa: E731
    assert api_error(reused) == "exchanged_trigger_id"


def test_submitted_modal_carries_state_values_and_shows_the_apps_errors(
    slack: ServerHandle, client: WebClient, receiver: Receiver
) -> None:
    sent = client.chat_postMessage(channel="C0LEGAL", text="Review", blocks=REVIEW_BLOCKS)
    drive(slack, "click", user="U0LEGAL2", channel="C0LEGAL", ts=sent["ts"], action_id="approve")
    view_id = receiver.got[0]["view_id"]
    empty = drive(slack, "submit_view", user="U0LEGAL2", view_id=view_id, values={})
    assert empty["delivered"] is False and "comment" in empty["errors"]
    refused = drive(
        slack, "submit_view", user="U0LEGAL2", view_id=view_id, values={"comment": {"text": "kurz"}}
    )
    assert refused["errors"] == {"comment": "Bitte genauer begründen."} and refused["view_open"]
    accepted = drive(
        slack, "submit_view", user="U0LEGAL2", view_id=view_id, values={"comment": {"text": "Rabatt belegen"}}
    )
    assert accepted["status"] == 200 and accepted["view_open"] is False
    view = receiver.got[-1]["body"]["view"]
    assert view["state"]["values"] == {
        "comment": {"text": {"type": "plain_text_input", "value": "Rabatt belegen"}}
    }
    assert (view["private_metadata"], view["callback_id"]) == ("post-1:v1", "comment_modal")
    assert [entry["kind"] for entry in receiver.got] == ["action", "view", "view"]


def test_command_answers_and_response_url_are_shown_to_the_caller(
    slack: ServerHandle, receiver: Receiver
) -> None:
    answer = drive(
        slack, "command", user="U0ADMIN", command="/freigabe", text="pause Messe", channel="C0GENERAL"
    )
    assert answer["status"] == 200
    body = receiver.got[0]["body"]
    assert [body[key] for key in ("command", "text", "user_id", "channel_id")] == [
        "/freigabe",
        "pause Messe",
        "U0ADMIN",
        "C0GENERAL",
    ]
    assert body["trigger_id"] and body["response_url"].startswith(slack.url)
    texts = {(e["user"], e["text"], e["source"]) for e in state(slack)["ephemerals"]}
    assert texts == {
        ("U0ADMIN", "Freigabe: pause Messe", "command_response"),
        ("U0ADMIN", "Queue: 2 posts", "response_url"),
    }


def test_opening_the_app_home_lets_the_app_publish_and_its_buttons_click(
    slack: ServerHandle, receiver: Receiver
) -> None:
    answer = drive(slack, "home", user="U0LEGAL1")
    assert answer["status"] == 200
    event = receiver.got[0]["body"]
    assert event["type"] == "event_callback" and event["event"]["type"] == "app_home_opened"
    home = state(slack)["homes"]["U0LEGAL1"]
    assert home["type"] == "home" and home["blocks"][0]["text"]["text"] == "*2* reviews waiting"
    drive(slack, "click", user="U0LEGAL1", view_id=home["id"], action_id="refresh")
    clicked = receiver.got[-1]["body"]
    assert clicked["container"] == {"type": "view", "view_id": home["id"]}
    assert clicked["view"]["id"] == home["id"] and clicked["trigger_id"]


def test_signature_is_slacks_v0_scheme() -> None:
    now = str(int(time.time()))
    body = b"payload=%7B%7D"
    headers = {"x-slack-request-timestamp": now, "x-slack-signature": signature(now, body)}
    assert SignatureVerifier(DEV_SIGNING_SECRET).is_valid_request(body, headers)


def test_unreachable_app_is_reported(slack: ServerHandle, client: WebClient) -> None:
    sent = client.chat_postMessage(channel="C0LEGAL", text="Review", blocks=REVIEW_BLOCKS)
    app_url = state(slack)["events_url"]
    slack.set_events_url("http://127.0.0.1:9/slack/events")
    try:
        answer = drive(slack, "click", user="U0LEGAL1", channel="C0LEGAL", ts=sent["ts"], action_id="approve")
    finally:
        slack.set_events_url(app_url)
    assert answer["status"] is None and answer["error"]
    missing = drive(slack, "click", user="U0LEGAL1", channel="C0LEGAL", ts=sent["ts"], action_id="nope")
    assert missing["error"] == "action_not_found"


def test_page_renders_block_kit_escaped(slack: ServerHandle, client: WebClient) -> None:
    client.chat_postMessage(channel="C0LEGAL", text="Review", blocks=REVIEW_BLOCKS)
    page = requests.get(f"{slack.url}/", timeout=5)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    scripts = page.text.split("<script")[1:]
    assert [tag.split(">")[0] for tag in scripts] == [' src="/static/workspace.js" defer']
    panel = requests.get(
        f"{slack.url}/_dev/ui/panel", params={"user": "U0LEGAL1", "conv": "C0LEGAL"}, timeout=5
    ).text
    assert "<strong>Neuer Post</strong> &lt;script&gt;" in panel
    assert 'data-action-id="approve"' in panel and "<script" not in panel


# files: Slack's external upload flow, image blocks that refer to uploaded files ------------------


def upload(slack: ServerHandle, client: WebClient, data: bytes, name: str = "kranz.png",
           alt: str = "Ein Kranz", complete: bool = True, multipart: bool = False) -> str:
    """The three steps slack_sdk's callers take; returns the file id."""
    answer = client.files_getUploadURLExternal(filename=name, length=len(data), alt_txt=alt)
    url = str(answer["upload_url"])
    assert url.startswith(slack.url)
    sent = (requests.post(url, files={"file": (name, data)}, timeout=5) if multipart
            else requests.post(url, data=data, timeout=5))
    assert sent.status_code == 200 and sent.text == f"OK - {len(data)}"
    if complete:
        done = client.files_completeUploadExternal(files=[{"id": answer["file_id"], "title": name}])
        assert [f["id"] for f in done["files"]] == [answer["file_id"]]
    return str(answer["file_id"])


def image_block(file_id: str, alt: str = "Ein Kranz") -> dict[str, Any]:
    return {"type": "image", "slack_file": {"id": file_id}, "alt_text": alt,
            "title": {"type": "plain_text", "text": "Bild 1"}}


def test_an_uploaded_image_stays_private_and_shows_in_an_image_block(
        slack: ServerHandle, client: WebClient) -> None:
    import hashlib

    from tests.fakes.media import png

    data = png(30, 20)
    file_id = upload(slack, client, data, multipart=True)
    file = state(slack)["files"][file_id]
    assert file["sha256"] == hashlib.sha256(data).hexdigest() and file["size"] == len(data)
    assert (file["channels"], file["is_public"], file["complete"]) == ([], False, True)
    assert (file["mimetype"], file["alt_txt"]) == ("image/png", "Ein Kranz")

    client.chat_postMessage(channel="C0LEGAL", text="Bild", blocks=[
        image_block(file_id, "&lt;Kranz&gt; &amp; Kerzen")])
    served = requests.get(f"{slack.url}/_dev/files/{file_id}", timeout=5)
    assert served.content == data and served.headers["Content-Type"] == "image/png"
    page = requests.get(f"{slack.url}/_dev/ui/panel", params={"conv": "C0LEGAL"}, timeout=5).text
    assert f'<img src="/_dev/files/{file_id}" alt="&lt;Kranz&gt; &amp; Kerzen"' in page
    assert "Bild 1" in page


def test_image_blocks_refer_only_to_completed_image_files(slack: ServerHandle,
                                                          client: WebClient) -> None:
    from tests.fakes.media import png, webp

    pending = upload(slack, client, png(), complete=False)
    webp_file = upload(slack, client, webp())
    fine = upload(slack, client, png())
    for blocks, problem in (
        ([image_block("F0UNKNOWN")], "invalid slack file [json-pointer:/blocks/0/slack_file]"),
        ([image_block(fine), image_block(pending)],
         "invalid slack file [json-pointer:/blocks/1/slack_file]"),
        ([image_block(webp_file)], "invalid slack file [json-pointer:/blocks/0/slack_file]"),
        ([image_block(fine, alt="")], "[json-pointer:/blocks/0/alt_text]"),
    ):
        with pytest.raises(SlackApiError) as refused:
            client.chat_postMessage(channel="C0LEGAL", text="Bild", blocks=blocks)
        assert refused.value.response["error"] == "invalid_blocks"
        assert any(problem in e for e in refused.value.response["errors"]), refused.value.response
    with pytest.raises(SlackApiError) as home_refused:
        client.views_publish(user_id="U0LEGAL1", view={"type": "home",
                                                       "blocks": [image_block("F0UNKNOWN")]})
    assert home_refused.value.response["error"] == "invalid_blocks"
    assert state(slack)["messages"]["C0LEGAL"] == []


def test_the_upload_flow_refuses_as_slack_does(slack: ServerHandle, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as too_long:
        client.files_getUploadURLExternal(filename="a.png", length=10, alt_txt="x" * 1001)
    assert too_long.value.response["error"] == "alt_txt_too_large"
    with pytest.raises(SlackApiError) as unknown:
        client.files_completeUploadExternal(files=[{"id": "F0NOPE", "title": "a"}])
    assert unknown.value.response["error"] == "file_not_found"
    requests.post(f"{slack.url}/_dev/flags", json={"refuse_uploads": True}, timeout=5)
    with pytest.raises(SlackApiError) as disabled:
        client.files_getUploadURLExternal(filename="a.png", length=10)
    assert disabled.value.response["error"] == "file_uploads_disabled"
    assert requests.post(f"{slack.url}/upload/v1/F0NOPE", data=b"x", timeout=5).status_code == 404
