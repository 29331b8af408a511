"""In-memory state of the dev workspace: people, channels, messages, views, triggers."""

from __future__ import annotations

import copy
import hashlib
import itertools
import secrets
import threading
import time

from dev.slack_workspace import (
    DEV_APP_ID,
    DEV_BOT_ID,
    DEV_BOT_USER_ID,
    DEV_TEAM_DOMAIN,
    DEV_TEAM_ID,
)
from dev.slack_workspace.seed import (
    JSON,
    SEED_CHANNELS,
    SEED_EXTERNAL_USERS,
    SEED_SHARED_CHANNELS,
    SEED_USERGROUPS,
    SEED_USERS,
    user_json,
)


class Workspace:
    """Everything the dev workspace knows. Every public method takes the lock itself."""

    def __init__(self, events_url: str, delivery_timeout: float = 10.0) -> None:
        self.events_url = events_url
        self.delivery_timeout = delivery_timeout
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.users: dict[str, JSON] = {}
            self.usergroups: dict[str, JSON] = {}
            self.channels: dict[str, JSON] = {}
            self.messages: dict[str, list[JSON]] = {}
            self.ephemerals: list[JSON] = []
            self.views: dict[str, JSON] = {}
            self.homes: dict[str, JSON] = {}
            self.triggers: dict[str, JSON] = {}
            self.response_urls: dict[str, JSON] = {}
            self.responses: list[JSON] = []
            self.calls: list[JSON] = []
            self.deliveries: list[JSON] = []
            self.files: dict[str, JSON] = {}  # file id -> the file object, its bytes under "data"
            self.flags: JSON = {"free_plan": False}
            self.version = 0
            self._last_ts = 0.0
            self._ids = itertools.count(1)
            self.users[DEV_BOT_USER_ID] = user_json(
                DEV_BOT_USER_ID, "Freigabe", None, name="freigabe", is_bot=True
            )
            for user_id, real_name, email, is_admin in SEED_USERS:
                self.add_user(user_id, real_name, email, is_admin=is_admin)
            for group_id, (handle, members) in SEED_USERGROUPS.items():
                self.add_usergroup(group_id, members, handle=handle)
            for user_id, real_name, team_id in SEED_EXTERNAL_USERS:
                self.add_user(user_id, real_name, None, team_id=team_id)
            for channel_id, name in SEED_CHANNELS:
                self.add_channel(channel_id, name)
            for channel_id, name in SEED_SHARED_CHANNELS:
                self.add_channel(channel_id, name, shared=True)

    def changed(self) -> None:
        with self.lock:
            self.version += 1

    def new_ts(self) -> str:
        """A message timestamp: unique and increasing, in Slack's "seconds.micros" form."""
        with self.lock:
            now = max(time.time(), self._last_ts + 0.000001)
            self._last_ts = round(now, 6)
            return f"{self._last_ts:.6f}"

    def new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}0{next(self._ids):08X}"

    # people ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        real_name: str,
        email: str | None,
        *,
        is_admin: bool = False,
        display_name: str | None = None,
        name: str | None = None,
        team_id: str = DEV_TEAM_ID,
    ) -> JSON:
        with self.lock:
            user = user_json(
                user_id, real_name, email, is_admin=is_admin, display_name=display_name, name=name,
                team_id=team_id,
            )
            self.users[user_id] = user
            self.changed()
            return user

    def add_usergroup(
        self, group_id: str, members: list[str], *, handle: str | None = None, name: str | None = None
    ) -> JSON:
        with self.lock:
            group = {
                "id": group_id,
                "team_id": DEV_TEAM_ID,
                "handle": handle or group_id.lower(),
                "name": name or (handle or group_id).capitalize(),
                "users": list(members),
            }
            self.usergroups[group_id] = group
            self.changed()
            return group

    def user_by_email(self, email: str) -> JSON | None:
        with self.lock:
            wanted = email.strip().lower()
            for user in self.users.values():
                if str(user["profile"].get("email", "")).lower() == wanted:
                    return user
            return None

    def actor(self, user_id: str) -> JSON:
        """The `user` object of an interaction payload: a Slack Connect member's carries their
        own team's id, not this workspace's."""
        user = self.users[user_id]
        return {"id": user_id, "username": user["name"], "name": user["name"],
                "team_id": user.get("team_id", DEV_TEAM_ID)}

    # channels and messages ------------------------------------------------------------

    def add_channel(self, channel_id: str, name: str, *, shared: bool = False) -> JSON:
        """A public channel the bot is a member of (a workflow file's slack_channel);
        ``shared``: a Slack Connect channel with members of other companies."""
        with self.lock:
            channel: JSON = {"id": channel_id, "name": name, "is_im": False,
                             "is_ext_shared": shared}
            self.channels[channel_id] = channel
            self.messages.setdefault(channel_id, [])
            self.changed()
            return channel

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's direct message channel with a person, opened on first use."""
        with self.lock:
            channel_id = "D" + user_id[1:]
            if channel_id not in self.channels:
                self.channels[channel_id] = {
                    "id": channel_id,
                    "name": user_id,
                    "is_im": True,
                    "user": user_id,
                    "created": int(time.time()),
                }
                self.messages[channel_id] = []
                self.changed()
            return channel_id

    def resolve_channel(self, channel: str) -> str | None:
        """A channel id, a person's id (their DM) or a #name, as chat.postMessage takes."""
        with self.lock:
            if channel in self.channels:
                return channel
            if channel in self.users and not self.users[channel]["is_bot"]:
                return self.dm_channel(channel)
            name = channel.removeprefix("#")
            for channel_id, info in self.channels.items():
                if not info["is_im"] and info["name"] == name:
                    return channel_id
            return None

    def find_message(self, channel_id: str, ts: str) -> JSON | None:
        with self.lock:
            for message in self.messages.get(channel_id, []):
                if message["ts"] == ts:
                    return message
            return None

    def find_ephemeral(self, channel_id: str, ts: str) -> JSON | None:
        with self.lock:
            for message in self.ephemerals:
                if message["channel"] == channel_id and message["ts"] == ts:
                    return message
            return None

    def post_message(
        self,
        channel_id: str,
        *,
        text: str,
        blocks: list[JSON] | None,
        thread_ts: str | None = None,
        extra: JSON | None = None,
    ) -> JSON:
        with self.lock:
            message: JSON = {
                "type": "message",
                "subtype": "bot_message",
                "channel": channel_id,
                "ts": self.new_ts(),
                "text": text,
                "user": DEV_BOT_USER_ID,
                "bot_id": DEV_BOT_ID,
                "app_id": DEV_APP_ID,
                "team": DEV_TEAM_ID,
            }
            if blocks is not None:
                message["blocks"] = blocks
            message.update(extra or {})
            parent = self.find_message(channel_id, thread_ts) if thread_ts else None
            if parent is not None:
                root_ts = str(parent.get("thread_ts") or parent["ts"])
                root = self.find_message(channel_id, root_ts) or parent
                message["thread_ts"] = root_ts
                message["parent_user_id"] = root["user"]
                root["thread_ts"] = root_ts
                root["reply_count"] = int(root.get("reply_count", 0)) + 1
                root["latest_reply"] = message["ts"]
            self.messages.setdefault(channel_id, []).append(message)
            self.changed()
            return message

    def post_ephemeral(
        self,
        channel_id: str,
        user_id: str,
        *,
        text: str,
        blocks: list[JSON] | None,
        source: str,
        thread_ts: str | None = None,
    ) -> JSON:
        with self.lock:
            ephemeral: JSON = {
                "type": "message",
                "channel": channel_id,
                "user": user_id,
                "ts": self.new_ts(),
                "text": text,
                "source": source,
                "is_ephemeral": True,
            }
            if blocks is not None:
                ephemeral["blocks"] = blocks
            if thread_ts:
                ephemeral["thread_ts"] = thread_ts
            self.ephemerals.append(ephemeral)
            self.changed()
            return ephemeral

    # files (Slack's external upload flow) ----------------------------------------------

    def new_file(self, filename: str, length: int, alt_txt: str) -> JSON:
        """A file announced by files.getUploadURLExternal: no bytes yet, not complete."""
        with self.lock:
            file_id = self.new_id("F")
            self.files[file_id] = {
                "id": file_id, "name": filename, "title": filename, "size": length,
                "alt_txt": alt_txt, "created": int(time.time()), "user": DEV_BOT_USER_ID,
                "mimetype": "", "filetype": "", "is_public": False, "channels": [],
                "uploaded": False, "complete": False, "data": b"",
            }
            self.changed()
            return self.files[file_id]

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        """The bytes POSTed to a file's upload URL; False for an unknown or completed file."""
        with self.lock:
            file = self.files.get(file_id)
            if file is None or file["complete"]:
                return False
            mimetype, filetype = sniff_image(data)
            file.update(data=data, uploaded=True, mimetype=mimetype, filetype=filetype)
            self.changed()
            return True

    def complete_file(self, file_id: str, title: str | None, channel_id: str | None) -> JSON | None:
        """files.completeUploadExternal for one file: None when it is unknown or has no bytes."""
        with self.lock:
            file = self.files.get(file_id)
            if file is None or not file["uploaded"]:
                return None
            file["complete"] = True
            if title:
                file["title"] = title
            if channel_id and channel_id not in file["channels"]:
                file["channels"].append(channel_id)
            self.changed()
            return public_file(file)

    def file_for_block(self, file_id: str) -> JSON | None:
        """A completed image file a block may show (Slack's image blocks take PNG, JPEG, GIF)."""
        with self.lock:
            file = self.files.get(file_id)
            if file is None or not file["complete"] or file["filetype"] not in ("png", "jpg", "gif"):
                return None
            return file

    # triggers, views and response URLs ---------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        with self.lock:
            trigger_id = f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = {"user": user_id, "issued_at": time.time(), "used": False}
            return trigger_id

    def use_trigger(self, trigger_id: str) -> tuple[str | None, str | None]:
        """(user, None) for a trigger this workspace issued and nobody used; else (None, error)."""
        with self.lock:
            trigger = self.triggers.get(trigger_id)
            if trigger is None:
                return None, "invalid_trigger_id"
            if trigger["used"]:
                return None, "exchanged_trigger_id"
            trigger["used"] = True
            return str(trigger["user"]), None

    def new_view(self, user_id: str, view: JSON, *, previous_view_id: str | None = None) -> JSON:
        with self.lock:
            view_id = self.new_id("V")
            stored: JSON = {
                "id": view_id,
                "team_id": DEV_TEAM_ID,
                "type": view.get("type", "modal"),
                "title": view.get("title"),
                "submit": view.get("submit"),
                "close": view.get("close"),
                "blocks": view.get("blocks", []),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "state": {"values": {}},
                "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
                "previous_view_id": previous_view_id,
                "root_view_id": view_id,
                "app_id": DEV_APP_ID,
                "external_id": view.get("external_id", ""),
                "app_installed_team_id": DEV_TEAM_ID,
                "bot_id": DEV_BOT_ID,
            }
            self.views[view_id] = {
                "user": user_id,
                "open": view.get("type") != "home",
                "errors": {},
                "view": stored,
            }
            self.changed()
            return stored

    def replace_view(self, record: JSON, view: JSON) -> JSON:
        """Swap a view's content in place, as views.update and response_action update do."""
        with self.lock:
            stored: JSON = record["view"]
            for key in (
                "title",
                "submit",
                "close",
                "blocks",
                "private_metadata",
                "callback_id",
                "clear_on_close",
                "notify_on_close",
                "external_id",
            ):
                if key in view:
                    stored[key] = view[key]
            stored["hash"] = f"{int(time.time())}.{secrets.token_hex(4)}"
            stored["state"] = {"values": {}}
            record["errors"] = {}
            self.changed()
            return stored

    def find_view(self, view_id: str = "", external_id: str = "") -> JSON | None:
        with self.lock:
            for record in self.views.values():
                view = record["view"]
                if (view_id and view["id"] == view_id) or (
                    external_id and view.get("external_id") == external_id
                ):
                    return record
            return None

    def new_response_url(self, base_url: str, context: JSON) -> str:
        with self.lock:
            response_id = secrets.token_hex(12)
            self.response_urls[response_id] = context
            return f"{base_url.rstrip('/')}/_dev/response_url/{response_id}"

    # inspection -------------------------------------------------------------------------

    def snapshot(self) -> JSON:
        with self.lock:
            views: dict[str, list[JSON]] = {}
            for record in self.views.values():
                if record["view"]["type"] == "home":
                    continue
                entry = {**record["view"], "open": record["open"], "errors": record["errors"]}
                views.setdefault(record["user"], []).append(entry)
            return copy.deepcopy(
                {
                    "version": self.version,
                    "team": {"id": DEV_TEAM_ID, "domain": DEV_TEAM_DOMAIN},
                    "bot_user_id": DEV_BOT_USER_ID,
                    "events_url": self.events_url,
                    "flags": self.flags,
                    "users": [u for u in self.users.values() if not u["is_bot"]],
                    "usergroups": {gid: g["users"] for gid, g in self.usergroups.items()},
                    "channels": self.channels,
                    "dms": {c["user"]: cid for cid, c in self.channels.items() if c["is_im"]},
                    "messages": self.messages,
                    "ephemerals": self.ephemerals,
                    "views": views,
                    "homes": self.homes,
                    "responses": self.responses,
                    "calls": self.calls,
                    "deliveries": self.deliveries,
                    "files": {fid: public_file(f) for fid, f in self.files.items()},
                }
            )


def sniff_image(data: bytes) -> tuple[str, str]:
    """(mimetype, filetype) by the magic bytes, as Slack detects a file's type."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return "application/octet-stream", "binary"


def public_file(file: JSON) -> JSON:
    """A file object as the Web API shows it: no bytes; their sha256 for the tests."""
    shown = {k: v for k, v in file.items() if k not in ("data", "uploaded", "complete")}
    shown["sha256"] = hashlib.sha256(file["data"]).hexdigest() if file["uploaded"] else None
    shown["complete"] = file["complete"]
    return shown
