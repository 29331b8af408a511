"""Who people are in Slack: reviewer groups, profile emails, direct message channels.

Answers are cached for a short while per container: a burst of clicks on one request asks
Slack once, and a change of group membership or email is seen within a minute.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from chalicelib.i18n import LANGUAGES

log = logging.getLogger("freigabe.slack.directory")

TTL_SECONDS = 60.0
T = TypeVar("T")


NO_GROUPS_ERRORS = frozenset({"paid_teams_only", "plan_upgrade_required"})

class GroupsUnavailable(Exception):
    """The workspace's plan has no user groups (`paid_teams_only`)."""

    def __init__(self, group_id: str) -> None:
        super().__init__(group_id)
        self.group_id = group_id


@dataclass(frozen=True)
class Profile:
    user_id: str
    email: str | None
    lang: str | None  # "de"/"en" from the Slack locale, None when Slack gives none we speak

    def language(self, default: str) -> str:
        """What to speak to this person: their Slack locale, else the workflow's language."""
        return self.lang or default


class SlackDirectory:
    def __init__(self, client: Any, ttl: float = TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _cached(self, kind: str, key: str, load: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            hit = self._cache.get((kind, key))
        if hit and now - hit[0] < self._ttl:
            return hit[1]  # type: ignore[no-any-return]
        value = load()
        with self._lock:
            self._cache[(kind, key)] = (now, value)
        return value

    def group_members(self, group_id: str) -> frozenset[str]:
        from slack_sdk.errors import SlackApiError

        def load() -> frozenset[str]:
            try:
                answer = self._client.usergroups_users_list(usergroup=group_id)
            except SlackApiError as err:
                # Slack has answered both over the years for a plan without user groups.
                if err.response.get("error") in NO_GROUPS_ERRORS:
                    log.error("reviewer_group %s cannot be resolved: this Slack workspace's plan "
                              "has no user groups (%s); list the step's reviewers by id in the "
                              "workflow file", group_id, err.response.get("error"))
                    raise GroupsUnavailable(group_id) from err
                raise
            return frozenset(str(u) for u in answer.get("users") or [])

        return self._cached("group", group_id, load)

    def profile(self, user_id: str) -> Profile:
        def load() -> Profile:
            user = self._client.users_info(user=user_id, include_locale=True).get("user") or {}
            email = (user.get("profile") or {}).get("email")
            locale = str(user.get("locale") or "")[:2].lower()
            return Profile(user_id, str(email).lower() if email else None,
                           locale if locale in LANGUAGES else None)

        return self._cached("profile", user_id, load)

    def member_kind(self, user_id: str) -> str:
        """"person", "bot" (bots, apps, Slackbot) or "unknown" (no such member, deactivated):
        whether someone may be a reviewer's deputy."""
        from slack_sdk.errors import SlackApiError

        def load() -> str:
            try:
                user = self._client.users_info(user=user_id).get("user") or {}
            except SlackApiError as err:
                if err.response.get("error") in ("user_not_found", "user_not_visible"):
                    return "unknown"
                raise
            if not user or user.get("deleted"):
                return "unknown"
            return "bot" if user.get("is_bot") or user_id == "USLACKBOT" else "person"

        return self._cached("kind", user_id, load)

    def user_for_email(self, email: str) -> str | None:
        """The Slack user with that profile email, None when nobody has it."""
        from slack_sdk.errors import SlackApiError

        def load() -> str | None:
            try:
                answer = self._client.users_lookupByEmail(email=email)
            except SlackApiError as err:
                if err.response.get("error") == "users_not_found":
                    return None
                raise
            return str((answer.get("user") or {}).get("id") or "") or None

        return self._cached("email", email.lower(), load)

    def dm_channel(self, user_id: str) -> str:
        def load() -> str:
            answer = self._client.conversations_open(users=user_id)
            return str((answer.get("channel") or {}).get("id"))

        return self._cached("dm", user_id, load)
