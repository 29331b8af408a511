"""The /_dev API: inspect what the app sent, and act as a person in the workspace."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from dev.slack_workspace import DEV_TEAM_ID, delivery
from dev.slack_workspace.seed import JSON
from dev.slack_workspace.store import Workspace
from dev.slack_workspace.web_api import workspace

blueprint = Blueprint("slack_dev_api", __name__)


def _fail(status: int, error: str) -> tuple[Response, int]:
    return jsonify({"ok": False, "error": error}), status


def _body() -> JSON:
    body = request.get_json(silent=True, force=True)
    return body if isinstance(body, dict) else {}


def _retry_num(body: JSON) -> int | None:
    value = body.get("retry_num")
    return int(value) if value is not None else None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


@blueprint.get("/_dev/state")
def state() -> Response:
    ws = workspace()
    if request.args.get("only") == "version":
        return jsonify({"version": ws.version})
    return jsonify(ws.snapshot())


@blueprint.post("/_dev/reset")
def reset() -> Response:
    workspace().reset()
    return jsonify({"ok": True})


@blueprint.post("/_dev/users")
def add_user() -> Response | tuple[Response, int]:
    body = _body()
    if not body.get("id") or not body.get("real_name"):
        return _fail(400, "id and real_name are required")
    user = workspace().add_user(
        str(body["id"]),
        str(body["real_name"]),
        body.get("email"),
        is_admin=bool(body.get("is_admin", False)),
        display_name=body.get("display_name"),
        name=body.get("name"),
        team_id=str(body.get("team_id") or DEV_TEAM_ID),  # another team: a Slack Connect member
    )
    return jsonify({"ok": True, "user": user})


@blueprint.post("/_dev/channels")
def add_channel() -> Response | tuple[Response, int]:
    """{"id": "C...", "name": "..."}: a channel the bot is in, e.g. one a workflow file names."""
    body = _body()
    if not body.get("id") or not body.get("name"):
        return _fail(400, "id and name are required")
    channel = workspace().add_channel(str(body["id"]), str(body["name"]))
    return jsonify({"ok": True, "channel": channel})


@blueprint.post("/_dev/usergroups")
def add_usergroup() -> Response | tuple[Response, int]:
    body = _body()
    if not body.get("id") or not isinstance(body.get("users"), list):
        return _fail(400, "id and users (a list) are required")
    group = workspace().add_usergroup(
        str(body["id"]), [str(u) for u in body["users"]], handle=body.get("handle"), name=body.get("name")
    )
    return jsonify({"ok": True, "usergroup": group})


@blueprint.post("/_dev/flags")
def set_flags() -> Response:
    ws = workspace()
    with ws.lock:
        for key, value in _body().items():
            ws.flags[str(key)] = value
        ws.changed()
        return jsonify({"ok": True, "flags": dict(ws.flags)})


@blueprint.post("/_dev/click")
def click() -> Response | tuple[Response, int]:
    ws, body = workspace(), _body()
    user_id = str(body.get("user", ""))
    action_id = str(body.get("action_id", ""))
    if user_id not in ws.users:
        return _fail(404, "user_not_found")
    trigger_id = ws.issue_trigger(user_id)
    response_url = None
    if body.get("view_id"):
        record = ws.find_view(str(body["view_id"]))
        if record is None:
            return _fail(404, "view_not_found")
        found = delivery.find_action(record["view"]["blocks"], action_id)
        if found is None:
            return _fail(404, "action_not_found")
        payload = delivery.block_actions_from_view(
            ws, user_id, record["view"], delivery.action_json(*found), trigger_id
        )
    else:
        channel_id = ws.resolve_channel(str(body.get("channel", "")))
        if channel_id is None:
            return _fail(404, "channel_not_found")
        ts = str(body.get("ts", ""))
        message = ws.find_message(channel_id, ts) or ws.find_ephemeral(channel_id, ts)
        if message is None:
            return _fail(404, "message_not_found")
        found = delivery.find_action(message.get("blocks", []), action_id)
        if found is None:
            return _fail(404, "action_not_found")
        response_url = ws.new_response_url(
            request.host_url,
            {
                "kind": "block_actions",
                "user": user_id,
                "channel": channel_id,
                "ts": ts,
                "thread_ts": message.get("thread_ts"),
            },
        )
        payload = delivery.block_actions_from_message(
            ws, user_id, message, delivery.action_json(*found), trigger_id, response_url
        )
    result = delivery.deliver_interaction(ws, payload, _retry_num(body))
    return jsonify({**result.as_json(), "trigger_id": trigger_id, "response_url": response_url})


@blueprint.post("/_dev/submit_view")
def submit_view() -> Response | tuple[Response, int]:
    ws, body = workspace(), _body()
    record = ws.find_view(str(body.get("view_id", "")))
    if record is None or record["view"]["type"] == "home":
        return _fail(404, "view_not_found")
    if not record["open"]:
        return _fail(409, "view_closed")
    user_id = str(body.get("user") or record["user"])
    if user_id != record["user"]:
        return _fail(403, "view_belongs_to_another_user")
    view = record["view"]
    state = delivery.state_values(view, body.get("values") or {})
    missing = delivery.missing_required(view, state)
    if missing:
        with ws.lock:
            record["errors"] = missing
            ws.changed()
        return jsonify(
            {"status": None, "body": None, "delivered": False, "errors": missing, "view_open": True}
        )
    payload = delivery.view_submission(ws, user_id, view, state, ws.issue_trigger(user_id))
    result = delivery.deliver_interaction(ws, payload, _retry_num(body))
    errors = _apply_view_answer(ws, record, result)
    return jsonify({**result.as_json(), "delivered": True, "errors": errors, "view_open": record["open"]})


def _apply_view_answer(ws: Workspace, record: JSON, result: delivery.Delivery) -> JSON:
    """What Slack does with the app's answer to a view_submission; returns shown errors."""
    answer = result.body if isinstance(result.body, dict) else {}
    action = answer.get("response_action")
    with ws.lock:
        if result.status != 200:
            record["errors"] = {"": "We had some trouble connecting. Try again?"}
        elif action == "errors":
            record["errors"] = dict(answer.get("errors") or {})
        elif action == "update" and isinstance(answer.get("view"), dict):
            ws.replace_view(record, answer["view"])
        elif action == "push" and isinstance(answer.get("view"), dict):
            ws.new_view(record["user"], answer["view"], previous_view_id=record["view"]["id"])
        elif action == "clear":
            for other in ws.views.values():
                if other["user"] == record["user"]:
                    other["open"] = False
        else:
            record["open"] = False
            record["errors"] = {}
        ws.changed()
        return dict(record["errors"])


@blueprint.post("/_dev/close_view")
def close_view() -> Response | tuple[Response, int]:
    ws, body = workspace(), _body()
    record = ws.find_view(str(body.get("view_id", "")))
    if record is None or not record["open"]:
        return _fail(404, "view_not_found")
    with ws.lock:
        record["open"] = False
        ws.changed()
    if not record["view"].get("notify_on_close"):
        return jsonify({"status": None, "body": None, "delivered": False})
    payload = delivery.view_closed(ws, record["user"], record["view"])
    result = delivery.deliver_interaction(ws, payload, _retry_num(body))
    return jsonify({**result.as_json(), "delivered": True})


@blueprint.post("/_dev/command")
def command() -> Response | tuple[Response, int]:
    ws, body = workspace(), _body()
    user_id = str(body.get("user", ""))
    if user_id not in ws.users:
        return _fail(404, "user_not_found")
    channel_id = ws.resolve_channel(str(body.get("channel") or "C0GENERAL"))
    if channel_id is None:
        return _fail(404, "channel_not_found")
    response_url = ws.new_response_url(
        request.host_url,
        {
            "kind": "command",
            "user": user_id,
            "channel": channel_id,
        },
    )
    trigger_id = ws.issue_trigger(user_id)
    form = delivery.slash_command(
        ws,
        user_id,
        str(body.get("command") or "/freigabe"),
        str(body.get("text") or ""),
        channel_id,
        response_url,
        trigger_id,
    )
    result = delivery.deliver_command(ws, form, _retry_num(body))
    if result.status == 200 and result.body:
        answer = result.body if isinstance(result.body, dict) else {"text": str(result.body)}
        _show_response(ws, {"user": user_id, "channel": channel_id}, answer, "command_response")
    return jsonify({**result.as_json(), "trigger_id": trigger_id, "response_url": response_url})


@blueprint.post("/_dev/home")
def home() -> Response | tuple[Response, int]:
    ws, body = workspace(), _body()
    user_id = str(body.get("user", ""))
    if user_id not in ws.users:
        return _fail(404, "user_not_found")
    envelope = delivery.app_home_opened(ws, user_id)
    result = delivery.deliver_event(ws, envelope, _retry_num(body))
    return jsonify({**result.as_json(), "event_id": envelope["event_id"]})


@blueprint.post("/_dev/response_url/<response_id>")
def response_url(response_id: str) -> Response | tuple[Response, int]:
    ws = workspace()
    context = ws.response_urls.get(response_id)
    if context is None:
        return _fail(404, "expired_url")
    answer = request.get_json(silent=True, force=True)
    if not isinstance(answer, dict):
        try:
            answer = json.loads(request.form.get("payload", ""))
        except ValueError:
            return _fail(400, "invalid_payload")
    with ws.lock:
        ws.responses.append({"id": response_id, "context": dict(context), "body": answer})
        ws.changed()
    _show_response(ws, context, answer, "response_url")
    return jsonify({"ok": True})


def _show_response(ws: Workspace, context: JSON, answer: JSON, source: str) -> None:
    """Replace, delete or post what the app answered, as Slack does for response_url."""
    channel_id, ts = str(context["channel"]), context.get("ts")
    text, blocks = str(answer.get("text") or ""), answer.get("blocks")
    blocks = blocks if isinstance(blocks, list) else None
    with ws.lock:
        original = ws.find_message(channel_id, str(ts)) if ts else None
        if original is not None and _truthy(answer.get("delete_original")):
            ws.messages[channel_id].remove(original)
        elif original is not None and _truthy(answer.get("replace_original")):
            original["text"] = text
            if blocks is not None:
                original["blocks"] = blocks
            else:
                original.pop("blocks", None)
        elif answer.get("response_type") == "in_channel":
            thread_ts = answer.get("thread_ts") or context.get("thread_ts")
            ws.post_message(channel_id, text=text, blocks=blocks, thread_ts=thread_ts)
        elif text or blocks:
            ws.post_ephemeral(
                channel_id,
                str(context["user"]),
                text=text,
                blocks=blocks,
                source=source,
                thread_ts=context.get("thread_ts"),
            )
        ws.changed()
