"""Who and what the dev workspace starts with, and the shape of a Slack user."""

from __future__ import annotations

from typing import Any

from dev.slack_workspace import DEV_BOT_ID, DEV_TEAM_DOMAIN, DEV_TEAM_ID

JSON = dict[str, Any]

SEED_USERS: list[tuple[str, str, str, bool]] = [
    ("U0WRITER", "Wanda Writer", "writer@freigabe.example", False),
    ("U0LEGAL1", "Lena Legal", "legal1@freigabe.example", False),
    ("U0LEGAL2", "Lars Legal", "legal2@freigabe.example", False),
    ("U0BRAND1", "Bruno Brand", "brand@freigabe.example", False),
    ("U0KAFFEE1", "Karla Kaffee", "kaffee@freigabe.example", False),
    ("U0ADMIN", "Ada Admin", "admin@freigabe.example", True),
]
# A member of another company in a Slack Connect channel: their own team id, and an e-mail
# their organisation hides from other workspaces (users.info has no profile.email for them).
CLIENT_TEAM_ID = "T0CLIENT"
SEED_EXTERNAL_USERS: list[tuple[str, str, str]] = [
    ("U0CLIENT1", "Clara Client", CLIENT_TEAM_ID),
]
SEED_USERGROUPS: dict[str, tuple[str, list[str]]] = {
    "S0LEGAL": ("legal", ["U0LEGAL1", "U0LEGAL2"]),
}
SEED_CHANNELS: list[tuple[str, str]] = [
    ("C0LEGAL", "legal"),
    ("C0BRAND", "brand"),
    ("C0KAFFEE", "kaffeebar-freigabe"),
    ("C0GENERAL", "general"),
]
SEED_SHARED_CHANNELS: list[tuple[str, str]] = [("C0CLIENT", "kunde-freigabe")]
BERLIN_OFFSET_SECONDS = 3600


def team_json() -> JSON:
    return {"id": DEV_TEAM_ID, "domain": DEV_TEAM_DOMAIN}


def user_json(
    user_id: str,
    real_name: str,
    email: str | None,
    *,
    is_admin: bool = False,
    display_name: str | None = None,
    name: str | None = None,
    is_bot: bool = False,
    team_id: str = DEV_TEAM_ID,
) -> JSON:
    """A user object in the shape users.info answers (``team_id`` another team's for a
    Slack Connect member)."""
    first, _, last = real_name.partition(" ")
    handle = name or real_name.lower().replace(" ", ".")
    profile: JSON = {
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": display_name if display_name is not None else first,
        "display_name_normalized": display_name if display_name is not None else first,
        "first_name": first,
        "last_name": last,
        "title": "",
        "phone": "",
        "skype": "",
        "status_text": "",
        "status_emoji": "",
        "avatar_hash": user_id.lower(),
        "image_24": "",
        "image_48": "",
        "image_72": "",
        "team": team_id,
    }
    if email is not None:
        profile["email"] = email
    if is_bot:
        profile["bot_id"] = DEV_BOT_ID
    return {
        "id": user_id,
        "team_id": team_id,
        "name": handle,
        "deleted": False,
        "color": "9f69e7",
        "real_name": real_name,
        "tz": "Europe/Berlin",
        "tz_label": "Central European Time",
        "tz_offset": BERLIN_OFFSET_SECONDS,
        "profile": profile,
        "is_admin": is_admin,
        "is_owner": is_admin,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_stranger": team_id != DEV_TEAM_ID,
        "is_ultra_restricted": False,
        "is_bot": is_bot,
        "is_app_user": False,
        "updated": 1700000000,
        "has_2fa": False,
    }
