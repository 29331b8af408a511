"""The conversation after a post: replies and mentions read from the networks, as values.

A listener reads what is new on one channel since its cursor (``Reading``); each thing read is
an ``Incoming``. Stored, it becomes a ``ConversationItem`` in the conversation of the post it
answers (its id) or, when it answers none of ours, in its brand's inbox (``inbox#<brand>``).
The item's key, ``<network time>#<channel>#<external id>``, is what the network gave it, so a
thing read twice is stored once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

IncomingKind = Literal["reply", "mention"]
ItemStatus = Literal["new", "answered", "done"]
ITEM_STATUSES: tuple[ItemStatus, ...] = ("new", "answered", "done")
INBOX_PREFIX = "inbox#"
# What one reading may hold: a network that sends more is read again at the next run.
TEXT_LIMIT = 10_000


def inbox(brand: str) -> str:
    """The conversation of a brand's mentions that answer no post of ours."""
    return f"{INBOX_PREFIX}{brand}"


def item_key(at: str, channel: str, external_id: str) -> str:
    """An item's key within its conversation: ordered by the network's time."""
    return f"{at}#{channel}#{external_id}"


@dataclass(frozen=True)
class Incoming:
    """A reply or mention as a network shows it. ``at`` is the network's time in UTC
    (``YYYY-MM-DDTHH:MM:SSZ``); ``in_reply_to`` the network id of what it answers (one of our
    posts when it is a reply to one), None for a mention that answers nothing."""

    channel: str
    external_id: str
    author: str  # the handle people know (@name@instance, name.bsky.social, a page's name)
    text: str
    url: str | None
    at: str
    in_reply_to: str | None = None
    kind: IncomingKind = "reply"

    def __post_init__(self) -> None:
        if len(self.text) > TEXT_LIMIT:
            object.__setattr__(self, "text", self.text[:TEXT_LIMIT])


@dataclass(frozen=True)
class Reading:
    """What one read of a channel gave: the new items (oldest first), the cursor to read from
    next time, and, when the network said its allowance is used up, how long to leave it."""

    items: tuple[Incoming, ...]
    cursor: str | None
    rest_seconds: float | None = None


@dataclass(frozen=True)
class Cursor:
    """Where a channel's reading stands: the network's cursor, when it was last read, and until
    when it must not be read (a rate-limit answer)."""

    value: str | None = None
    read_at: str | None = None
    resume_at: str | None = None
    failures: int = 0  # reads that failed in a row (reset by one that works)


@dataclass(frozen=True)
class ConversationItem:
    """An incoming reply or mention as Freigabe keeps it."""

    conversation: str  # a post id, or inbox(brand)
    incoming: Incoming
    brand: str
    post_id: str | None = None
    status: ItemStatus = "new"
    received_at: str = ""  # when Freigabe read it (UTC)
    slack_channel: str | None = None
    slack_ts: str | None = None
    reminded: bool = False
    done_by: str | None = None

    @property
    def key(self) -> str:
        i = self.incoming
        return item_key(i.at, i.channel, i.external_id)

    @property
    def shown(self) -> bool:
        return self.slack_ts is not None

    @property
    def open(self) -> bool:
        return self.status == "new"

    def shown_at(self, channel: str, ts: str) -> ConversationItem:
        return replace(self, slack_channel=channel, slack_ts=ts)

    def done(self, by: str) -> ConversationItem:
        return replace(self, status="done", done_by=by)

    def answered(self) -> ConversationItem:
        return replace(self, status="answered")

    def was_reminded(self) -> ConversationItem:
        return replace(self, reminded=True)

    def needs_reminder(self, now: datetime, within_hours: float) -> bool:
        """Still unanswered ``within_hours`` after it arrived, and not reminded yet."""
        if not self.open or self.reminded or not self.shown:
            return False
        arrived = parse_utc(self.incoming.at) or parse_utc(self.received_at)
        return arrived is not None and now - arrived >= timedelta(hours=within_hours)

    def to_dict(self) -> dict[str, Any]:
        i = self.incoming
        return {"conversation": self.conversation, "channel": i.channel,
                "external_id": i.external_id, "author": i.author, "text": i.text, "url": i.url,
                "at": i.at, "in_reply_to": i.in_reply_to, "kind": i.kind, "brand": self.brand,
                "post_id": self.post_id, "status": self.status, "received_at": self.received_at,
                "slack_channel": self.slack_channel, "slack_ts": self.slack_ts,
                "reminded": self.reminded, "done_by": self.done_by}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationItem:
        def text(name: str) -> str | None:
            value = data.get(name)
            return str(value) if value is not None else None

        kind: IncomingKind = "mention" if data.get("kind") == "mention" else "reply"
        status = data.get("status")
        return cls(
            conversation=str(data["conversation"]),
            incoming=Incoming(channel=str(data["channel"]), external_id=str(data["external_id"]),
                              author=str(data.get("author") or ""), text=str(data.get("text") or ""),
                              url=text("url"), at=str(data["at"]), in_reply_to=text("in_reply_to"),
                              kind=kind),
            brand=str(data.get("brand") or "default"), post_id=text("post_id"),
            status=status if status in ITEM_STATUSES else "new",
            received_at=str(data.get("received_at") or ""),
            slack_channel=text("slack_channel"), slack_ts=text("slack_ts"),
            reminded=bool(data.get("reminded")), done_by=text("done_by"))

    def to_api(self) -> dict[str, Any]:
        """One entry of a post's ``conversation`` (CONTRACT §11)."""
        i = self.incoming
        return {"id": self.key, "kind": "incoming", "channel": i.channel, "author": i.author,
                "text": i.text, "url": i.url, "at": i.at, "status": self.status}


def utc_text(moment: datetime) -> str:
    """A time as items and cursors keep it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def network_time(value: Any) -> str | None:
    """A network's timestamp (ISO 8601 with any offset, or epoch milliseconds) as UTC text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10_000_000_000 else value
        return utc_text(datetime.fromtimestamp(seconds, UTC))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and text[-3] != ":":
            text = f"{text[:-2]}:{text[-2:]}"  # Graph's +0000
        moment = parse_utc(text)
        return utc_text(moment) if moment is not None else None
    return None

