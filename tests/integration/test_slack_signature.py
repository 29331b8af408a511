"""Every request to /slack/events is verified: anything unverified gets 401 (never 500) and
changes nothing, and no request body reaches the logs."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.adapters.slack.blocks import APPROVE
from chalicelib.adapters.slack.signature import refusal, sign
from tests.integration.slack_helpers import (
    SlackRig,
    signed_headers,
    stored,
)

# Slack's documented example ("Verifying requests from Slack").
EXAMPLE_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
EXAMPLE_TIMESTAMP = "1531420618"
EXAMPLE_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIG"
    b"lgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
DRAFT = "GEHEIMER-ENTWURF-4711"
UNVERIFIED = {"error": "invalid request"}


def example_headers() -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": EXAMPLE_TIMESTAMP, "X-Slack-Signature": EXAMPLE_SIGNATURE}


def test_slacks_documented_example_verifies() -> None:
    assert sign(EXAMPLE_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_BODY) == EXAMPLE_SIGNATURE
    inside = int(EXAMPLE_TIMESTAMP) + 30
    assert refusal(EXAMPLE_SECRET, example_headers(), EXAMPLE_BODY, now=lambda: inside) is None
    assert refusal(EXAMPLE_SECRET, example_headers(), EXAMPLE_BODY + b"x", now=lambda: inside) == \
        "bad_signature"
    assert refusal("another-secret", example_headers(), EXAMPLE_BODY, now=lambda: inside) == \
        "bad_signature"
    assert refusal(EXAMPLE_SECRET, example_headers(), EXAMPLE_BODY, now=lambda: inside + 300) == \
        "stale_timestamp"


def command_body(text: str = "help") -> bytes:
    return urlencode({"command": "/freigabe", "text": text, "user_id": "U0LEGAL1",
                      "channel_id": "C0GENERAL", "team_id": "T0FREIGABE", "api_app_id": "A0FREIGABE",
                      "trigger_id": "1.2.3", "response_url": "http://127.0.0.1:9/r"}).encode()


def post(client: Any, body: bytes, headers: dict[str, str]) -> Any:
    response = client.http.post("/slack/events", headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers}, body=body)
    response.json = json.loads(response.body) if response.body else None
    return response


def test_a_signed_command_is_answered(slack_rig: SlackRig, client: Any) -> None:
    body = command_body()
    response = post(client, body, signed_headers(body, slack_rig.secret))
    assert response.status_code == 200
    assert "/freigabe status" in response.json["text"]


@pytest.mark.parametrize("age", [0, 299, -299])
def test_timestamps_inside_the_window_pass(slack_rig: SlackRig, client: Any, age: int) -> None:
    body = command_body()
    response = post(client, body, signed_headers(body, slack_rig.secret, int(time.time()) - age))
    assert response.status_code == 200


def tampered(secret: str) -> list[tuple[str, bytes, dict[str, str]]]:
    body = command_body()
    now = int(time.time())
    good = signed_headers(body, secret)
    stamp = good["X-Slack-Request-Timestamp"]
    non_utf8 = body + b"&text=%FF\xff\xfe"
    return [
        ("one byte changed", body[:-1] + b"X", good),
        ("one byte added", body + b" ", good),
        ("301 s old", body, signed_headers(body, secret, now - 301)),
        ("301 s ahead", body, signed_headers(body, secret, now + 301)),
        ("an hour old", body, signed_headers(body, secret, now - 3600)),
        ("no headers", body, {}),
        ("no signature", body, {"X-Slack-Request-Timestamp": stamp}),
        ("no timestamp", body, {"X-Slack-Signature": good["X-Slack-Signature"]}),
        ("garbage signature", body, {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "garbage"}),
        ("empty signature", body, {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": ""}),
        ("non-ASCII signature", body, {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=ä"}),
        ("non-numeric timestamp", body, {"X-Slack-Request-Timestamp": "soon",
                                         "X-Slack-Signature": sign(secret, "soon", body)}),
        ("float timestamp", body, {"X-Slack-Request-Timestamp": f"{now}.5",
                                   "X-Slack-Signature": sign(secret, f"{now}.5", body)}),
        ("negative timestamp", body, {"X-Slack-Request-Timestamp": "-1",
                                      "X-Slack-Signature": sign(secret, "-1", body)}),
        ("huge timestamp", body, {"X-Slack-Request-Timestamp": "9" * 40,
                                  "X-Slack-Signature": sign(secret, "9" * 40, body)}),
        ("non-UTF-8 body, correctly signed", non_utf8, signed_headers(non_utf8, secret)),
        ("signed with another secret", body, signed_headers(body, "not-the-secret")),
        ("Slack's documented example (long expired)", EXAMPLE_BODY, example_headers()),
    ]


def test_unverified_requests_get_401_never_500(slack_rig: SlackRig, client: Any) -> None:
    for name, body, headers in tampered(slack_rig.secret):
        response = post(client, body, headers)
        assert (name, response.status_code, response.json) == (name, 401, UNVERIFIED)


def test_an_unverified_click_changes_nothing_and_logs_no_body(
        slack_rig: SlackRig, client: Any, app_logs: pytest.LogCaptureFixture) -> None:
    draft = slack_rig.create(text=f"Rabatt {DRAFT}")
    slack_rig.relay.pump()
    before = stored(draft["id"])
    payload = {"type": "block_actions", "user": {"id": "U0LEGAL1"}, "team": {"id": "T0FREIGABE"},
               "api_app_id": "A0FREIGABE", "trigger_id": "1.2.3", "text": DRAFT,
               "container": {"type": "message", "channel_id": "C0LEGAL", "message_ts": "1.0"},
               "actions": [{"action_id": APPROVE, "block_id": "b", "type": "button", "action_ts": "1",
                            "value": json.dumps({"p": draft["id"], "s": "legal",
                                                 "h": draft["content_hash"]})}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    good = signed_headers(body, slack_rig.secret)
    for headers in ({**good, "X-Slack-Signature": "v0=" + "0" * 64},
                    signed_headers(body, slack_rig.secret, int(time.time()) - 301),
                    {"X-Slack-Request-Timestamp": "x", "X-Slack-Signature": "y"}):
        assert post(client, body, headers).status_code == 401
    assert stored(draft["id"]) == before
    assert any(r.getMessage() == "slack request refused" for r in app_logs.records)

    assert post(client, body, good).status_code == 200  # the genuine one is recorded
    assert stored(draft["id"])["steps"][0]["status"] == "approved"
    # Ours and Slack's libraries at every level (botocore's own DEBUG wire log aside), and
    # everybody's at INFO and above, the level the functions run at.
    ours = ("freigabe", "slack_bolt", "slack_sdk", "chalice")
    for record in app_logs.records:
        if record.levelno < logging.INFO and not record.name.startswith(ours):
            continue
        logged = record.getMessage() + json.dumps(record.__dict__, default=str)
        assert DRAFT not in logged and slack_rig.secret not in logged and "xoxb-" not in logged


def test_bolts_own_refusal_logs_no_body(slack_rig: SlackRig, app_logs: pytest.LogCaptureFixture) -> None:
    """Behind our check Bolt verifies again; should it ever refuse, its INFO line (which
    quotes the raw body) stays below the level its loggers are set to."""
    from slack_bolt.request import BoltRequest

    import app as application
    from chalicelib import bootstrap

    bolt = bootstrap.container().slack_requests(application.app).app
    body = command_body(DRAFT).decode()
    response = bolt.dispatch(BoltRequest(body=body, headers={
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v0=" + "0" * 64}))
    assert response.status == 401
    assert not [r for r in app_logs.records if DRAFT in r.getMessage()]


def test_slacks_url_verification_is_answered_when_signed(slack_rig: SlackRig, client: Any) -> None:
    body = json.dumps({"token": "x", "challenge": "c-4711", "type": "url_verification"}).encode()
    response = post(client, body, signed_headers(body, slack_rig.secret, content_type="application/json"))
    assert response.status_code == 200 and response.json == {"challenge": "c-4711"}
    bad = post(client, body, {**signed_headers(body, "wrong"), "Content-Type": "application/json"})
    assert bad.status_code == 401


def test_without_a_signing_secret_everything_is_refused(slack_rig: SlackRig, client: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap

    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    bootstrap.reset()
    body = command_body()
    for secret in (slack_rig.secret, ""):
        response = post(client, body, signed_headers(body, secret or "x"))
        assert (response.status_code, response.json) == (401, UNVERIFIED)


# -- signed, but nothing to do, or not readable ---------------------------------------------


def signed_post(client: Any, secret: str, body: bytes,
                content_type: str = "application/x-www-form-urlencoded") -> Any:
    return post(client, body, signed_headers(body, secret, content_type=content_type))


def interactive(payload: dict[str, Any]) -> bytes:
    base = {"user": {"id": "U0LEGAL1"}, "team": {"id": "T0FREIGABE"}, "api_app_id": "A0FREIGABE",
            "trigger_id": "1.2.3", "token": "x"}
    return urlencode({"payload": json.dumps({**base, **payload})}).encode()


def unhandled(secret: str) -> list[tuple[str, str, bytes, str]]:
    """Signed requests Freigabe has no listener for: (name, kind logged, body, content type)."""
    form = "application/x-www-form-urlencoded"
    event = {"token": "x", "team_id": "T0FREIGABE", "api_app_id": "A0FREIGABE",
             "type": "event_callback", "event_id": "Ev1", "event_time": 1,
             "event": {"type": "reaction_added", "user": "U0LEGAL1", "reaction": "tada",
                       "item": {"type": "message", "channel": "C0LEGAL", "ts": "1.0"},
                       "text": DRAFT}}
    return [
        ("unknown action id", "freigabe_no_such_action", interactive({
            "type": "block_actions", "container": {"type": "message", "channel_id": "C0LEGAL",
                                                   "message_ts": "1.0"},
            "actions": [{"action_id": "freigabe_no_such_action", "block_id": "b", "type": "button",
                         "action_ts": "1", "value": DRAFT}]}), form),
        ("shortcut", "freigabe_shortcut", interactive({"type": "shortcut",
                                                       "callback_id": "freigabe_shortcut"}), form),
        ("view_closed", "view_closed", interactive({
            "type": "view_closed", "is_cleared": False,
            "view": {"id": "V1", "type": "modal", "callback_id": "freigabe_no_such_view",
                     "private_metadata": DRAFT}}), form),
        ("unsubscribed event", "reaction_added", json.dumps(event).encode(), "application/json"),
    ]


def test_a_signed_request_without_a_listener_is_acknowledged_and_logged_by_kind(
        slack_rig: SlackRig, client: Any, app_logs: pytest.LogCaptureFixture) -> None:
    app_logs.set_level(logging.INFO, logger="freigabe.slack")  # as the functions run
    for name, kind, body, content_type in unhandled(slack_rig.secret):
        app_logs.clear()
        response = signed_post(client, slack_rig.secret, body, content_type)
        assert (name, response.status_code, response.body) == (name, 200, b"")
        lines = [r for r in app_logs.records if r.name.startswith("freigabe")
                 and r.levelno == logging.INFO and "unhandled" in r.getMessage()]
        assert lines, name
        logged = " ".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in lines)
        assert kind in logged, name
        assert DRAFT not in logged, name


MALFORMED = {"error": "malformed request"}


def malformed() -> list[tuple[str, bytes, str]]:
    form = "application/x-www-form-urlencoded"
    return [
        ("payload is not JSON", b"payload=%7Bnot-json", form),
        ("payload is JSON but not an object", urlencode({"payload": "[1, 2]"}).encode(), form),
        ("payload is an empty object", urlencode({"payload": "{}"}).encode(), form),
        ("JSON body that is a list", b"[1, 2]", "application/json"),
        ("JSON body that is a string", b'"hello"', "application/json"),
        ("JSON garbage", b"{garbage", "application/json"),
        ("form garbage", b"\x00\x01garbage=%%%", form),
        ("empty body", b"", form),
    ]


def test_a_signed_but_malformed_body_gets_400_never_500(
        slack_rig: SlackRig, client: Any, app_logs: pytest.LogCaptureFixture) -> None:
    for name, body, content_type in malformed():
        response = signed_post(client, slack_rig.secret, body, content_type)
        assert (name, response.status_code, response.json) == (name, 400, MALFORMED)
    for record in app_logs.records:
        assert "not-json" not in record.getMessage() and "garbage" not in record.getMessage()
