"""Slack's Web API methods the app uses, answered the way slack.com answers them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from dev.slack_workspace import (
    DEV_APP_ID,
    DEV_BOT_ID,
    DEV_BOT_TOKEN,
    DEV_BOT_USER_ID,
    DEV_TEAM_DOMAIN,
    DEV_TEAM_ID,
)
from dev.slack_workspace.seed import JSON
from dev.slack_workspace.store import Workspace

blueprint = Blueprint("slack_web_api", __name__)

JSON_ENCODED_ARGS = ("blocks", "attachments", "view", "metadata", "files")
UPLOAD_ALT_CHARS = 1000  # files.getUploadURLExternal: alt_txt_too_large beyond this
IMAGE_ALT_CHARS = 2000  # an image block's alt_text
SECRET_ARGS = ("token", "client_secret")


class ApiError(Exception):
    def __init__(self, error: str, errors: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.errors = errors or []

    def body(self) -> JSON:
        """Slack's error shape; invalid_blocks names each problem with its JSON pointer."""
        body: JSON = {"ok": False, "error": self.error}
        if self.errors:
            body["errors"] = list(self.errors)
            body["response_metadata"] = {"messages": [f"[ERROR] {e}" for e in self.errors]}
        return body


def workspace() -> Workspace:
    ws: Workspace = current_app.config["WORKSPACE"]
    return ws


def _request_args() -> JSON:
    args: JSON = dict(request.args.items())
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        args.update(body)
    else:
        args.update(request.form.to_dict())
    for key in JSON_ENCODED_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.strip():
            try:
                args[key] = json.loads(value)
            except ValueError:
                args[key] = value
    return args


def _token(args: JSON) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    token = args.get("token")
    return str(token) if token else None


def _required(args: JSON, key: str) -> str:
    value = args.get(key)
    if value is None or value == "":
        raise ApiError("invalid_arguments")
    return str(value)


def _flag(args: JSON, key: str) -> bool:
    return str(args.get(key, "")).lower() in ("1", "true")


def _blocks(value: Any) -> list[JSON] | None:
    if value is None or value == "":
        return None
    if not isinstance(value, list) or not all(
        isinstance(block, dict) and isinstance(block.get("type"), str) for block in value
    ):
        raise ApiError("invalid_blocks")
    problems = [problem for index, block in enumerate(value) for problem in _image_problems(index, block)]
    if problems:
        raise ApiError("invalid_blocks", problems)
    return value


def _image_problems(index: int, block: JSON) -> list[str]:
    """An image block needs alt text and exactly one source; a Slack file must be a completed
    image upload the app can see."""
    if block.get("type") != "image":
        return []
    where = f"[json-pointer:/blocks/{index}"
    problems = []
    alt = block.get("alt_text")
    if not isinstance(alt, str) or not alt.strip() or len(alt) > IMAGE_ALT_CHARS:
        problems.append(f"must be a non-empty string of at most {IMAGE_ALT_CHARS} characters "
                        f"{where}/alt_text]")
    source = block.get("slack_file")
    if (source is None) == (block.get("image_url") is None):
        problems.append(f"must provide exactly one of image_url or slack_file {where}]")
    elif isinstance(source, dict):
        file_id = str(source.get("id") or "")
        if not file_id or workspace().file_for_block(file_id) is None:
            problems.append(f"invalid slack file {where}/slack_file]")
    elif source is not None:
        problems.append(f"invalid slack file {where}/slack_file]")
    return problems


def _channel(ws: Workspace, args: JSON) -> str:
    channel_id = ws.resolve_channel(_required(args, "channel"))
    if channel_id is None:
        raise ApiError("channel_not_found")
    return channel_id


def _user(ws: Workspace, user_id: str) -> JSON:
    user = ws.users.get(user_id)
    if user is None:
        raise ApiError("user_not_found")
    return user


def _view_arg(args: JSON) -> JSON:
    view = args.get("view")
    if not isinstance(view, dict) or not isinstance(view.get("type"), str):
        raise ApiError("invalid_arguments")
    _blocks(view.get("blocks", []))
    return view


# methods ----------------------------------------------------------------------------------


def auth_test(ws: Workspace, args: JSON) -> JSON:
    return {
        "url": f"https://{DEV_TEAM_DOMAIN}.slack.com/",
        "team": "Freigabe Dev",
        "user": "freigabe",
        "team_id": DEV_TEAM_ID,
        "user_id": DEV_BOT_USER_ID,
        "bot_id": DEV_BOT_ID,
        "app_id": DEV_APP_ID,
        "is_enterprise_install": False,
    }


def chat_post_message(ws: Workspace, args: JSON) -> JSON:
    channel_id = _channel(ws, args)
    blocks = _blocks(args.get("blocks"))
    text = str(args.get("text") or "")
    if not text and not blocks and not args.get("attachments"):
        raise ApiError("no_text")
    extra = {key: args[key] for key in ("attachments", "metadata") if args.get(key)}
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    message = ws.post_message(channel_id, text=text, blocks=blocks, thread_ts=thread_ts, extra=extra)
    return {"channel": channel_id, "ts": message["ts"], "message": message}


def chat_update(ws: Workspace, args: JSON) -> JSON:
    channel_id = _channel(ws, args)
    message = ws.find_message(channel_id, _required(args, "ts"))
    if message is None:
        raise ApiError("message_not_found")
    blocks = _blocks(args.get("blocks"))
    with ws.lock:
        if "text" in args:
            message["text"] = str(args["text"] or "")
        if blocks is not None:
            message["blocks"] = blocks
        if args.get("attachments"):
            message["attachments"] = args["attachments"]
        if isinstance(args.get("metadata"), dict):  # left intact when not given, as Slack does
            message["metadata"] = args["metadata"]
        message["edited"] = {"user": DEV_BOT_USER_ID, "ts": ws.new_ts()}
        ws.changed()
    return {"channel": channel_id, "ts": message["ts"], "text": message["text"], "message": message}


def conversations_history(ws: Workspace, args: JSON) -> JSON:
    """Top-level messages (and thread parents), newest first, between ``oldest`` and
    ``latest``, paged by ``cursor``; message metadata only with include_all_metadata."""
    channel_id = _channel(ws, args)
    try:
        limit = max(1, min(999, int(args.get("limit") or 100)))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else None
        offset = int(str(args.get("cursor") or "0").removeprefix("next_ts:") or 0)
    except ValueError as err:
        raise ApiError("invalid_arguments") from err
    inclusive = _flag(args, "inclusive")
    with_metadata = _flag(args, "include_all_metadata")
    with ws.lock:
        found = []
        for message in reversed(ws.messages.get(channel_id, [])):
            if message.get("thread_ts") not in (None, message["ts"]):
                continue
            ts = float(message["ts"])
            if ts < oldest or (ts == oldest and not inclusive):
                continue
            if latest is not None and (ts > latest or (ts == latest and not inclusive)):
                continue
            shown = {k: v for k, v in message.items() if k != "channel"}
            if not with_metadata:
                shown.pop("metadata", None)
            found.append(json.loads(json.dumps(shown)))
    page = found[offset:offset + limit]
    more = offset + limit < len(found)
    return {"messages": page, "has_more": more, "pin_count": 0,
            "response_metadata": {"next_cursor": f"next_ts:{offset + limit}" if more else ""}}


def chat_delete(ws: Workspace, args: JSON) -> JSON:
    channel_id = _channel(ws, args)
    ts = _required(args, "ts")
    with ws.lock:
        message = ws.find_message(channel_id, ts)
        if message is None:
            raise ApiError("message_not_found")
        ws.messages[channel_id].remove(message)
        ws.changed()
    return {"channel": channel_id, "ts": ts}


def chat_post_ephemeral(ws: Workspace, args: JSON) -> JSON:
    channel_id = _channel(ws, args)
    user_id = _required(args, "user")
    _user(ws, user_id)
    blocks = _blocks(args.get("blocks"))
    text = str(args.get("text") or "")
    if not text and not blocks:
        raise ApiError("no_text")
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    ephemeral = ws.post_ephemeral(
        channel_id, user_id, text=text, blocks=blocks, source="chat.postEphemeral", thread_ts=thread_ts
    )
    return {"message_ts": ephemeral["ts"]}


def chat_get_permalink(ws: Workspace, args: JSON) -> JSON:
    channel_id = _channel(ws, args)
    message = ws.find_message(channel_id, _required(args, "message_ts"))
    if message is None:
        raise ApiError("message_not_found")
    link = f"{request.host_url}archives/{channel_id}/p{message['ts'].replace('.', '')}"
    if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
        link += f"?thread_ts={message['thread_ts']}&cid={channel_id}"
    return {"channel": channel_id, "permalink": link}


def views_open(ws: Workspace, args: JSON) -> JSON:
    trigger_id = _required(args, "trigger_id")
    view = _view_arg(args)
    user_id, error = ws.use_trigger(trigger_id)
    if user_id is None:
        raise ApiError(error or "invalid_trigger_id")
    return {"view": ws.new_view(user_id, view)}


def views_update(ws: Workspace, args: JSON) -> JSON:
    view = _view_arg(args)
    record = ws.find_view(str(args.get("view_id") or ""), str(args.get("external_id") or ""))
    if record is None:
        raise ApiError("not_found")
    if args.get("hash") and args["hash"] != record["view"]["hash"]:
        raise ApiError("hash_conflict")
    return {"view": ws.replace_view(record, view)}


def views_publish(ws: Workspace, args: JSON) -> JSON:
    user_id = _required(args, "user_id")
    _user(ws, user_id)
    view = _view_arg(args)
    if view["type"] != "home":
        raise ApiError("invalid_arguments")
    with ws.lock:
        current = ws.homes.get(user_id)
        record = ws.find_view(current["id"]) if current else None
        if record is not None and args.get("hash") and args["hash"] != record["view"]["hash"]:
            raise ApiError("hash_conflict")
        stored = ws.replace_view(record, view) if record else ws.new_view(user_id, view)
        ws.homes[user_id] = stored
        ws.changed()
    return {"view": stored}


def users_info(ws: Workspace, args: JSON) -> JSON:
    return {"user": _user(ws, _required(args, "user"))}


def users_lookup_by_email(ws: Workspace, args: JSON) -> JSON:
    user = ws.user_by_email(_required(args, "email"))
    if user is None:
        raise ApiError("users_not_found")
    return {"user": user}


def usergroups_users_list(ws: Workspace, args: JSON) -> JSON:
    if ws.flags.get("free_plan"):
        raise ApiError("paid_teams_only")
    group = ws.usergroups.get(_required(args, "usergroup"))
    if group is None:
        raise ApiError("no_such_subteam")
    return {"users": list(group["users"])}


def conversations_open(ws: Workspace, args: JSON) -> JSON:
    users = args.get("users")
    if isinstance(users, str):
        users = [u.strip() for u in users.split(",") if u.strip()]
    if not users:
        channel = ws.channels.get(_required(args, "channel"))
        if channel is None or not channel["is_im"]:
            raise ApiError("channel_not_found")
        users = [channel["user"]]
    if len(users) != 1:
        raise ApiError("not_implemented")
    user_id = str(users[0])
    if user_id not in ws.users or ws.users[user_id]["is_bot"]:
        raise ApiError("user_not_found")
    already_open = ("D" + user_id[1:]) in ws.channels
    channel_id = ws.dm_channel(user_id)
    info: JSON = {"id": channel_id}
    if _flag(args, "return_im"):
        info.update(
            {
                "created": ws.channels[channel_id]["created"],
                "is_im": True,
                "is_org_shared": False,
                "user": user_id,
                "is_user_deleted": False,
                "priority": 0,
            }
        )
    result: JSON = {"channel": info}
    if already_open:
        result.update({"no_op": True, "already_open": True})
    return result


def files_get_upload_url_external(ws: Workspace, args: JSON) -> JSON:
    """Announce a file: its id and where to POST its bytes (on this workspace)."""
    filename = _required(args, "filename")
    try:
        length = int(_required(args, "length"))
    except ValueError as err:
        raise ApiError("invalid_arguments") from err
    if length <= 0:
        raise ApiError("missing_argument")
    alt_txt = str(args.get("alt_txt") or "")
    if len(alt_txt) > UPLOAD_ALT_CHARS:
        raise ApiError("alt_txt_too_large")
    if ws.flags.get("refuse_uploads"):
        raise ApiError("file_uploads_disabled")
    file = ws.new_file(filename, length, alt_txt)
    return {"upload_url": f"{request.host_url}upload/v1/{file['id']}", "file_id": file["id"]}


def files_complete_upload_external(ws: Workspace, args: JSON) -> JSON:
    """Finish uploads; without channel_id (or channels) the files stay private to the app."""
    files = args.get("files")
    if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
        raise ApiError("invalid_arguments")
    channel_id = None
    if args.get("channel_id"):
        channel_id = _channel(ws, {"channel": args["channel_id"]})
    done = []
    for item in files:
        title = item.get("title")
        file = ws.complete_file(str(item.get("id") or ""), str(title) if title else None, channel_id)
        if file is None:
            raise ApiError("file_not_found")
        done.append(file)
    return {"files": done}


METHODS: dict[str, Callable[[Workspace, JSON], JSON]] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "views.open": views_open,
    "views.update": views_update,
    "views.publish": views_publish,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "usergroups.users.list": usergroups_users_list,
    "conversations.open": conversations_open,
    "conversations.history": conversations_history,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}


@blueprint.post("/upload/v1/<file_id>")
def upload(file_id: str) -> Response:
    """A file's upload URL: the bytes raw or as multipart form data, as Slack takes them."""
    ws = workspace()
    sent = next(iter(request.files.values()), None)
    data = sent.read() if sent is not None else request.get_data()
    if not ws.receive_upload(file_id, data):
        return Response("Not Found", status=404, mimetype="text/plain")
    return Response(f"OK - {len(data)}", mimetype="text/plain")


@blueprint.get("/_dev/files/<file_id>")
def file_bytes(file_id: str) -> Response:
    """A completed image, for the workspace's page (never the app's: it knows only file ids)."""
    ws = workspace()
    with ws.lock:
        file = ws.files.get(file_id)
        if file is None or not file["complete"]:
            return Response("Not Found", status=404, mimetype="text/plain")
        data, mimetype = bytes(file["data"]), str(file["mimetype"])
    response = Response(data, mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.route("/api/<method>", methods=["GET", "POST"])
def call(method: str) -> Response:
    ws = workspace()
    args = _request_args()
    token = _token(args)
    logged_args = {key: value for key, value in args.items() if key not in SECRET_ARGS}
    handler = METHODS.get(method)
    try:
        if handler is None:
            raise ApiError("unknown_method")
        if not token:
            raise ApiError("not_authed")
        if token != DEV_BOT_TOKEN:
            raise ApiError("invalid_auth")
        result: JSON = {"ok": True, **handler(ws, args)}
    except ApiError as err:
        result = err.body()
    with ws.lock:
        entry: JSON = {"method": method, "args": logged_args, "ok": result["ok"]}
        if not result["ok"]:
            entry["error"] = result["error"]
        # The "lose_answers" flag: the call takes effect, its answer is lost on the way (the
        # gateway answers 503), once per listed method name.
        lost = list(ws.flags.get("lose_answers") or [])
        if result["ok"] and method in lost:
            lost.remove(method)
            ws.flags["lose_answers"] = lost
            entry["answer_lost"] = True
            result = {"ok": False, "error": "service_unavailable"}
        ws.calls.append(entry)
        ws.changed()
    response = jsonify(result)
    if entry.get("answer_lost"):
        response.status_code = 503
    response.headers["X-Slack-Req-Id"] = ws.new_id("req")
    return response
