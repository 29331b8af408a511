"""What Slack sends to the app's request URL: payloads built and signed as Slack does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from dev.slack_workspace import (
    DEV_APP_ID,
    DEV_BOT_USER_ID,
    DEV_SIGNING_SECRET,
    DEV_TEAM_DOMAIN,
    DEV_TEAM_ID,
    DEV_VERIFICATION_TOKEN,
)
from dev.slack_workspace.seed import JSON, team_json
from dev.slack_workspace.store import Workspace


@dataclass
class Delivery:
    """The app's answer to one delivery; `status` is None when the app could not be reached."""

    status: int | None
    body: Any
    error: str | None = None

    def as_json(self) -> JSON:
        answer: JSON = {"status": self.status, "body": self.body}
        if self.error:
            answer["error"] = self.error
        return answer


def signature(timestamp: str, body: bytes, secret: str = DEV_SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def deliver(
    ws: Workspace, kind: str, body: bytes, content_type: str, retry_num: int | None = None
) -> Delivery:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(timestamp, body),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    try:
        response = requests.post(ws.events_url, data=body, headers=headers, timeout=ws.delivery_timeout)
    except requests.RequestException as err:
        result = Delivery(None, None, f"{type(err).__name__}: request URL not reachable")
    else:
        result = Delivery(response.status_code, _parsed(response))
    with ws.lock:
        ws.deliveries.append(
            {"kind": kind, "status": result.status, "error": result.error, "retry_num": retry_num}
        )
        ws.changed()
    return result


def _parsed(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def deliver_interaction(ws: Workspace, payload: JSON, retry_num: int | None = None) -> Delivery:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return deliver(ws, str(payload["type"]), body, "application/x-www-form-urlencoded", retry_num)


def deliver_command(ws: Workspace, form: dict[str, str], retry_num: int | None = None) -> Delivery:
    body = urlencode(form).encode()
    return deliver(ws, "slash_command", body, "application/x-www-form-urlencoded", retry_num)


def deliver_event(ws: Workspace, envelope: JSON, retry_num: int | None = None) -> Delivery:
    body = json.dumps(envelope).encode()
    return deliver(ws, str(envelope["event"]["type"]), body, "application/json", retry_num)


# payloads --------------------------------------------------------------------------------


def _common(ws: Workspace, user_id: str, kind: str) -> JSON:
    return {
        "type": kind,
        "user": ws.actor(user_id),
        "api_app_id": DEV_APP_ID,
        "token": DEV_VERIFICATION_TOKEN,
        "team": team_json(),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def block_actions_from_message(
    ws: Workspace, user_id: str, message: JSON, action: JSON, trigger_id: str, response_url: str
) -> JSON:
    channel_id = str(message["channel"])
    channel = ws.channels.get(channel_id, {"name": channel_id})
    container: JSON = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel_id,
        "is_ephemeral": bool(message.get("is_ephemeral")),
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    payload = _common(ws, user_id, "block_actions")
    payload.update(
        {
            "container": container,
            "trigger_id": trigger_id,
            "channel": {
                "id": channel_id,
                "name": "directmessage" if channel.get("is_im") else channel["name"],
            },
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [action],
        }
    )
    if not message.get("is_ephemeral"):
        payload["message"] = {k: v for k, v in message.items() if k != "channel"}
    return payload


def block_actions_from_view(ws: Workspace, user_id: str, view: JSON, action: JSON, trigger_id: str) -> JSON:
    payload = _common(ws, user_id, "block_actions")
    payload.update(
        {
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": trigger_id,
            "view": view,
            "actions": [action],
        }
    )
    return payload


def action_json(element: JSON, block_id: str) -> JSON:
    action: JSON = {
        "action_id": element.get("action_id", ""),
        "block_id": block_id,
        "text": element.get("text"),
        "type": element.get("type", "button"),
        "action_ts": f"{time.time():.6f}",
    }
    if "value" in element:
        action["value"] = element["value"]
    if element.get("style"):
        action["style"] = element["style"]
    return action


def find_action(blocks: list[JSON], action_id: str) -> tuple[JSON, str] | None:
    """The interactive element with that action_id and its block_id, wherever Slack allows it."""
    for block in blocks or []:
        block_id = str(block.get("block_id", ""))
        candidates = list(block.get("elements", [])) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element, block_id
    return None


def state_values(view: JSON, values: JSON) -> JSON:
    """view.state.values for what a person typed: every input block, empty ones as null."""
    state: JSON = {}
    for block in view.get("blocks", []):
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict):
            continue
        block_id, action_id = str(block.get("block_id", "")), str(element.get("action_id", ""))
        typed = values.get(block_id, {}).get(action_id)
        state.setdefault(block_id, {})[action_id] = _element_value(element, typed)
    for block_id, actions in values.items():
        for action_id, typed in (actions or {}).items():
            state.setdefault(block_id, {}).setdefault(action_id, {"type": "plain_text_input", "value": typed})
    return state


def _element_value(element: JSON, typed: Any) -> JSON:
    """One input's entry in view.state.values, in the shape Slack sends for its type:
    ``value`` for text, ``selected_option`` for single choices, ``selected_options`` (option
    objects as the view listed them, in the view's order) for checkboxes and multi selects.
    ``typed`` is what the person chose: option values (a list for the multiple kinds)."""
    kind = str(element.get("type", "plain_text_input"))
    options = list(element.get("options") or [])
    if kind in ("static_select", "radio_buttons"):
        chosen = next((option for option in options if option.get("value") == typed), None)
        return {"type": kind, "selected_option": chosen}
    if kind in ("checkboxes", "multi_static_select"):
        wanted = typed if isinstance(typed, list) else ([] if typed in (None, "") else [typed])
        picked = {str(value) for value in wanted}
        return {"type": kind, "selected_options": [o for o in options if o.get("value") in picked]}
    text = None if typed is None or typed == "" else str(typed)
    return {"type": kind, "value": text}


def missing_required(view: JSON, state: JSON) -> JSON:
    """What the Slack client itself refuses to submit: required inputs left empty (a text
    without a value, a multi select or checkboxes with nothing chosen)."""
    errors: JSON = {}
    for block in view.get("blocks", []):
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict) or block.get("optional"):
            continue
        entry = state.get(str(block.get("block_id", "")), {}).get(str(element.get("action_id", "")), {})
        empty = ("value" in entry and not entry["value"]) or (
            "selected_options" in entry and not entry["selected_options"])
        if empty:
            errors[str(block.get("block_id", ""))] = "Please complete this required field."
    return errors


def view_submission(ws: Workspace, user_id: str, view: JSON, state: JSON, trigger_id: str) -> JSON:
    payload = _common(ws, user_id, "view_submission")
    payload.update(
        {
            "trigger_id": trigger_id,
            "view": {**view, "state": {"values": state}},
            "response_urls": [],
        }
    )
    return payload


def view_closed(ws: Workspace, user_id: str, view: JSON) -> JSON:
    payload = _common(ws, user_id, "view_closed")
    payload.update({"view": view, "is_cleared": False})
    return payload


def slash_command(
    ws: Workspace, user_id: str, command: str, text: str, channel_id: str, response_url: str, trigger_id: str
) -> dict[str, str]:
    channel = ws.channels.get(channel_id, {"name": channel_id})
    return {
        "token": DEV_VERIFICATION_TOKEN,
        "team_id": DEV_TEAM_ID,
        "team_domain": DEV_TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": "directmessage" if channel.get("is_im") else str(channel["name"]),
        "user_id": user_id,
        "user_name": str(ws.users[user_id]["name"]),
        "command": command,
        "text": text,
        "api_app_id": DEV_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def app_home_opened(ws: Workspace, user_id: str) -> JSON:
    now = time.time()
    event: JSON = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": ws.dm_channel(user_id),
        "tab": "home",
        "event_ts": f"{now:.6f}",
    }
    if user_id in ws.homes:
        event["view"] = ws.homes[user_id]
    return {
        "token": DEV_VERIFICATION_TOKEN,
        "team_id": DEV_TEAM_ID,
        "context_team_id": DEV_TEAM_ID,
        "api_app_id": DEV_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": ws.new_id("Ev"),
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": DEV_TEAM_ID,
                "user_id": DEV_BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
