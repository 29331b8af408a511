"""The workspace's web page: Block Kit and mrkdwn rendered as escaped HTML."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from dev.slack_workspace.seed import JSON
from dev.slack_workspace.store import Workspace
from dev.slack_workspace.web_api import workspace

blueprint = Blueprint("slack_ui", __name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ANGLE = re.compile(r"<([^<>\n]+)>")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
INLINE_RULES = [
    (re.compile(r"```(.+?)```", re.S), r"<pre>\1</pre>"),
    (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])"), r"<em>\1</em>"),
    (re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])"), r"<del>\1</del>"),
]


def _berlin() -> tzinfo:
    try:
        return ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:
        return UTC


def _plain(segment: str) -> str:
    """Slack's own escaping undone, then escaped for HTML and given basic formatting."""
    unescaped = segment.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = str(escape(unescaped))
    for pattern, replacement in INLINE_RULES:
        text = pattern.sub(replacement, text)
    lines = [
        f'<span class="quote">{line[5:]}</span>' if line.startswith("&gt; ") else line
        for line in text.split("\n")
    ]
    return "<br>".join(lines)


def _special(inner: str, ws: Workspace) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user = ws.users.get(target[1:])
        name = user["real_name"] if user else label or target[1:]
        return f'<span class="mention">@{escape(name)}</span>'
    if target.startswith("#"):
        channel = ws.channels.get(target[1:])
        name = channel["name"] if channel else label or target[1:]
        return f'<span class="mention">#{escape(name)}</span>'
    if target.startswith("!subteam^"):
        group = ws.usergroups.get(target.removeprefix("!subteam^"))
        return f'<span class="mention">@{escape(group["handle"] if group else label)}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{escape(label or target[1:].split("^")[0])}</span>'
    shown = _plain(label) if label else str(escape(target))
    if target.lower().startswith(SAFE_SCHEMES):
        return f'<a href="{escape(target)}" target="_blank" rel="noopener noreferrer">{shown}</a>'
    return shown


def mrkdwn(text: str, ws: Workspace) -> Markup:
    parts: list[str] = []
    position = 0
    for match in ANGLE.finditer(text):
        parts.append(_plain(text[position : match.start()]))
        parts.append(_special(match.group(1), ws))
        position = match.end()
    parts.append(_plain(text[position:]))
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped


def slack_text(value: Any) -> Markup:
    """A Block Kit text object (or a bare string) as HTML."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            return mrkdwn(str(value.get("text", "")), workspace())
        return escape(str(value.get("text", "")))
    if value is None:
        return Markup("")
    return escape(str(value))


def plain_text(value: Any) -> str:
    """A plain_text field as Slack shows it: its three entities undone (Jinja escapes it again)."""
    return str(value or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def message_text(value: Any) -> Markup:
    """A message's top-level `text`, which Slack formats as mrkdwn."""
    return mrkdwn(str(value or ""), workspace())


def ts_time(ts: Any) -> str:
    try:
        moment = datetime.fromtimestamp(float(ts), _berlin())
    except (TypeError, ValueError):
        return ""
    return moment.strftime("%H:%M:%S")


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _people(ws: Workspace) -> list[JSON]:
    return [user for user in ws.users.values() if not user["is_bot"]]


@blueprint.get("/")
def index() -> Response:
    ws = workspace()
    page = render_template(
        "index.html", users=_people(ws), events_url=ws.events_url, initial_conv=request.args.get("conv", "")
    )
    return _secure(Response(page, mimetype="text/html"))


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    return Response(status=204)


@blueprint.get("/archives/<channel_id>/<message_id>")
def archives(channel_id: str, message_id: str) -> Response:
    return redirect(url_for("slack_ui.index", conv=channel_id))  # type: ignore[return-value]


@blueprint.get("/_dev/ui/panel")
def panel() -> Response:
    ws = workspace()
    with ws.lock:
        snapshot = ws.snapshot()
    people = snapshot["users"]
    user_id = request.args.get("user", "")
    if user_id not in ws.users:
        user_id = people[0]["id"]
    conv = request.args.get("conv", "") or "C0LEGAL"
    dm_id = "D" + user_id[1:]
    channels = [c for c in snapshot["channels"].values() if not c["is_im"]]
    if conv != "home" and conv not in snapshot["channels"] and conv != dm_id:
        conv = "C0LEGAL"
    messages = snapshot["messages"].get(conv, [])
    top_level = [m for m in messages if m.get("thread_ts") in (None, m["ts"])]
    replies: dict[str, list[JSON]] = {}
    for message in messages:
        if message.get("thread_ts") not in (None, message["ts"]):
            replies.setdefault(message["thread_ts"], []).append(message)
    modal = next((v for v in reversed(snapshot["views"].get(user_id, [])) if v["open"]), None)
    input_ids = {b.get("block_id") for b in (modal or {}).get("blocks", []) if b.get("type") == "input"}
    general_errors = [
        text for block_id, text in (modal or {}).get("errors", {}).items() if block_id not in input_ids
    ]
    ephemerals = [e for e in reversed(snapshot["ephemerals"]) if e["user"] == user_id]
    page = render_template(
        "panel.html",
        user=ws.users[user_id],
        conv=conv,
        dm_id=dm_id,
        channels=channels,
        all_channels=snapshot["channels"],
        top_level=top_level,
        replies=replies,
        home=snapshot["homes"].get(user_id),
        modal=modal,
        general_errors=general_errors,
        ephemerals=ephemerals,
        counts={cid: len(m) for cid, m in snapshot["messages"].items()},
    )
    return _secure(Response(page, mimetype="text/html"))
