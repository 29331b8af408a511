"""In-memory conversation store and Slack stand-in for the listening use case: they keep
state, so tests assert what was stored, shown, reminded and closed."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.conversation import ConversationItem, Cursor, Reading
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import RetryLater


@dataclass
class FakeConversationStore:
    cursors: dict[str, Cursor] = field(default_factory=dict)
    items: dict[tuple[str, str], ConversationItem] = field(default_factory=dict)
    published: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)

    def cursor(self, channel: str) -> Cursor | None:
        return self.cursors.get(channel)

    def save_cursor(self, channel: str, cursor: Cursor) -> None:
        self.cursors[channel] = cursor

    def add(self, item: ConversationItem) -> bool:
        key = (item.conversation, item.key)
        if key in self.items:
            return False
        self.items[key] = item
        return True

    def get(self, conversation: str, key: str) -> ConversationItem | None:
        return self.items.get((conversation, key))

    def update(self, item: ConversationItem) -> None:
        assert (item.conversation, item.key) in self.items
        self.items[(item.conversation, item.key)] = item

    def open_items(self, limit: int = 500) -> list[ConversationItem]:
        found = sorted((i for i in self.items.values() if i.open), key=lambda i: i.incoming.at)
        return found[:limit]

    def conversation(self, conversation: str) -> list[ConversationItem]:
        return sorted((i for (c, _), i in self.items.items() if c == conversation),
                      key=lambda i: i.key)

    def post_for(self, channel: str, external_id: str) -> tuple[str, str] | None:
        found = self.published.get((channel, external_id))
        return (found[0], found[1]) if found else None

    def remember_publication(self, channel: str, external_id: str, post_id: str, brand: str,
                             at: str) -> None:
        self.published[(channel, external_id)] = (post_id, brand, at)

    def publications(self, channel: str, since: str) -> list[str]:
        return [ext for (ch, ext), (_, _, at) in self.published.items() if ch == channel and at >= since]


@dataclass
class FakeSlackConversations:
    """Where items were shown: (channel, ts) per item key; reminders and closings in order."""

    inbox_fallback: bool = False
    shown: dict[str, tuple[str, str]] = field(default_factory=dict)
    reminded: list[str] = field(default_factory=list)
    closings: list[tuple[str, str | None]] = field(default_factory=list)
    broken: bool = False

    def show(self, item: ConversationItem, workflow: Workflow) -> tuple[str, str] | None:
        if self.broken:
            raise ConnectionError("slack down")
        channel = f"thread:{item.post_id}" if item.post_id else workflow.inbox_channel
        if not channel:
            return None
        where = (channel, f"{len(self.shown) + 1}.000")
        self.shown[item.key] = where
        return where

    def remind(self, item: ConversationItem, workflow: Workflow) -> None:
        self.reminded.append(item.key)

    def closed(self, item: ConversationItem, workflow: Workflow) -> None:
        self.closings.append((item.key, item.done_by))


@dataclass
class ScriptedListener:
    """Answers each read with the next scripted Reading (or raises the scripted error), and
    records the cursors it was asked with."""

    script: list[Reading | Exception] = field(default_factory=list)
    asked: list[str | None] = field(default_factory=list)

    def read_new(self, cursor: str | None) -> Reading:
        self.asked.append(cursor)
        step = self.script.pop(0) if self.script else Reading((), cursor)
        if isinstance(step, Exception):
            raise step
        return step


def rate_limited(seconds: float) -> RetryLater:
    return RetryLater(seconds, "main: HTTP 429")
