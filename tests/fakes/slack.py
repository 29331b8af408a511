"""Slack, kept in memory: its Web API as the notifier calls it, the people directory, and the
review requests that reminders are posted to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.adapters.slack.directory import Profile
from chalicelib.domain.workflow import StepRule
from chalicelib.services.ports import ReviewerDirectory
from chalicelib.services.review_desk import Reminder, ReviewRequests


class FakeSlack:
    """Keeps what was posted and updated; ``fail`` makes every call of a method raise until
    its entry is removed."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []
        self.updated: list[dict[str, Any]] = []
        self.fail: dict[str, BaseException] = {}
        self.lose_answer: dict[str, BaseException] = {}  # the call takes effect, its answer is lost
        self._ts = 0

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        if "chat_postMessage" in self.fail:
            raise self.fail["chat_postMessage"]
        self._ts += 1
        self.posted.append({**kwargs, "ts": f"{self._ts}.000"})
        if "chat_postMessage" in self.lose_answer:
            raise self.lose_answer.pop("chat_postMessage")
        return {"ok": True, "channel": kwargs["channel"], "ts": f"{self._ts}.000"}

    def chat_update(self, **kwargs: Any) -> dict[str, Any]:
        if "chat_update" in self.fail:
            raise self.fail["chat_update"]
        self.updated.append(kwargs)
        return {"ok": True}

    def conversations_history(self, **kwargs: Any) -> dict[str, Any]:
        """Slack's shape, newest first; metadata only with include_all_metadata."""
        if "conversations_history" in self.fail:
            raise self.fail["conversations_history"]
        found = [{"ts": p["ts"], "text": p.get("text", ""),
                  **({"metadata": p["metadata"]} if p.get("metadata")
                     and kwargs.get("include_all_metadata") else {})}
                 for p in reversed(self.posted) if p["channel"] == kwargs["channel"]
                 and not p.get("thread_ts")]
        return {"ok": True, "messages": found, "has_more": False}

    def shown(self, ts: str) -> dict[str, Any]:
        """A posted message as it reads now, after its updates."""
        message = next(p for p in self.posted if p["ts"] == ts)
        for update in self.updated:
            if update["ts"] == ts:
                message = {**message, **update}
        return message


class FakeDirectory(ReviewerDirectory):
    """Who is who: Slack users by profile email, and the members of reviewer groups."""

    def __init__(self, users: Mapping[str, str] | None = None,
                 groups: Mapping[str, Iterable[str]] | None = None) -> None:
        self.users = dict(users or {})  # email -> Slack user id
        self.groups = {group: frozenset(members) for group, members in (groups or {}).items()}

    def user_for_email(self, email: str) -> str | None:
        return self.users.get(email.lower())

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def profile(self, user_id: str) -> Profile:
        emails = [email for email, user in self.users.items() if user == user_id]
        return Profile(user_id, emails[0] if emails else None, None)

    def group_members(self, group_id: str) -> frozenset[str]:
        return self.groups.get(group_id, frozenset())


class FakeReviewRequests(ReviewRequests):
    """Review requests that keep the reminders posted in their threads; a post id in
    ``unreachable`` makes its reminders fail, as a deleted channel would."""

    def __init__(self) -> None:
        self.reminded: list[Reminder] = []
        self.unreachable: set[str] = set()

    def remind(self, reminder: Reminder, rule: StepRule) -> bool:
        if reminder.post.id in self.unreachable:
            return False
        self.reminded.append(reminder)
        return True

    def reminded_steps(self) -> list[tuple[str, str]]:
        """(post id, step) of every reminder posted, in order."""
        return [(r.post.id, r.step.name) for r in self.reminded]
