"""Listening to the networks (CONTRACT §11, docs/replies.md): for each connected channel, read
what is new since its cursor, keep each reply or mention once, put it where the team sees it
(the answered post's review thread, or the brand's inbox channel), and remind an unanswered one
once.

Each channel is read on its own: a network that fails is logged and counted and the others are
read all the same; a network that asks to wait (RetryLater, or its allowance used up) is left
alone until then, its cursor unchanged. The cursor moves only after what it covers is stored,
and storing is conditional on the item's key, so an interrupted run reads again but never keeps
anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain import events as ev
from chalicelib.domain.conversation import (
    ConversationItem,
    Cursor,
    Incoming,
    Reading,
    inbox,
    parse_utc,
    utc_text,
)
from chalicelib.domain.errors import NotFound
from chalicelib.domain.post import Post
from chalicelib.domain.status import ResultStatus
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import RetryLater

log = logging.getLogger("freigabe.listening")

# After this many failed reads in a row a channel is read less often (once every FAILED_BACKOFF
# multiples of its interval, at most an hour apart), so a network that is down is not hammered.
FAILED_BACKOFF_MINUTES = 60
SHOW_LIMIT = 50  # items put into Slack per run; the rest follow at the next run


class Listener(Protocol):
    """One channel's network, read for replies and mentions (adapters/listening/)."""

    def read_new(self, cursor: str | None) -> Reading:
        """What is new since ``cursor`` (None: the first read, which only sets the cursor or
        reads a short recent window). Raises RetryLater when the network asks to wait."""


class ConversationStore(Protocol):
    """Cursors, conversation items and the index of what we published, in the table."""

    def cursor(self, channel: str) -> Cursor | None: ...

    def save_cursor(self, channel: str, cursor: Cursor) -> None: ...

    def add(self, item: ConversationItem) -> bool:
        """Store a new item; False when an item with its key is stored already."""

    def get(self, conversation: str, key: str) -> ConversationItem | None: ...

    def update(self, item: ConversationItem) -> None:
        """Store the item's new state (it must exist)."""

    def open_items(self, limit: int = 500) -> list[ConversationItem]:
        """Items not yet answered or done, oldest first (one query, no scan)."""

    def conversation(self, conversation: str) -> list[ConversationItem]:
        """A post's (or a brand inbox's) items, oldest first."""

    def post_for(self, channel: str, external_id: str) -> tuple[str, str] | None:
        """(post id, brand) of our publication with this network id on this channel."""

    def remember_publication(self, channel: str, external_id: str, post_id: str, brand: str,
                             at: str) -> None: ...

    def publications(self, channel: str, since: str) -> list[str]:
        """Network ids of what this channel published since ``since`` (newest first)."""


class ConversationNotifier(Protocol):
    """Where the team sees an item (Slack: adapters/slack/conversation.py)."""

    def show(self, item: ConversationItem, workflow: Workflow) -> tuple[str, str] | None:
        """Post the item (escaped, with Answer and Done); its (channel, ts), or None when the
        brand has nowhere to show it."""

    def remind(self, item: ConversationItem, workflow: Workflow) -> None: ...

    def closed(self, item: ConversationItem, workflow: Workflow) -> None:
        """The item's message now says it is done (and by whom), without buttons."""


@dataclass(frozen=True)
class ListeningChannel:
    """A connected channel that is read: its name, its brand and its network's listener."""

    name: str
    brand: str
    listener: Listener
    every_seconds: float | None = None  # the brand's listen_seconds; None: every run


@dataclass
class Listening:
    store: ConversationStore
    notifier: ConversationNotifier
    clock: Callable[[], datetime]
    workflow_for: Callable[[str], Workflow]  # a brand's workflow
    # Each stored item handed on (analytics' incoming facts); its failure changes nothing here.
    on_stored: Callable[[ConversationItem], None] | None = None


def listen(deps: Listening, channels: Iterable[ListeningChannel]) -> dict[str, int]:
    """One run over every channel; returns what happened, as counts (for the log line)."""
    counts = dict.fromkeys(("channels", "read", "stored", "not_due", "rate_limited", "failed",
                            "shown", "not_shown"), 0)
    for channel in channels:
        counts["channels"] += 1
        now = deps.clock()
        cursor = deps.store.cursor(channel.name) or Cursor()
        if not _due(cursor, channel, now):
            counts["not_due" if not cursor.resume_at or _passed(cursor.resume_at, now)
                   else "rate_limited"] += 1
            continue
        try:
            reading = channel.listener.read_new(cursor.value)
        except RetryLater as err:
            resume = utc_text(now + timedelta(seconds=max(err.retry_after, 1.0)))
            deps.store.save_cursor(channel.name, replace(cursor, resume_at=resume))
            log.warning("channel asked to wait", extra={"channel": channel.name,
                                                        "retry_after": round(err.retry_after, 1)})
            counts["rate_limited"] += 1
            continue
        except Exception as err:  # noqa: BLE001 - one network's trouble must not stop the others
            deps.store.save_cursor(channel.name, replace(cursor, read_at=utc_text(now),
                                                         failures=cursor.failures + 1))
            log.warning("channel not read", extra={"channel": channel.name,
                                                   "error": type(err).__name__})
            counts["failed"] += 1
            continue
        counts["read"] += len(reading.items)
        counts["stored"] += sum(1 for incoming in reading.items
                                if _keep(deps, channel, incoming, now))
        rest = (utc_text(now + timedelta(seconds=reading.rest_seconds))
                if reading.rest_seconds else None)
        deps.store.save_cursor(channel.name, Cursor(
            value=reading.cursor if reading.cursor is not None else cursor.value,
            read_at=utc_text(now), resume_at=rest, failures=0))
    shown, not_shown = show_pending(deps)
    counts["shown"], counts["not_shown"] = shown, not_shown
    return counts


def _due(cursor: Cursor, channel: ListeningChannel, now: datetime) -> bool:
    if cursor.resume_at and not _passed(cursor.resume_at, now):
        return False
    last = parse_utc(cursor.read_at)
    if last is None:
        return True
    every = channel.every_seconds or 0.0
    if cursor.failures:
        every = min(max(every, 60.0) * 2 ** min(cursor.failures, 6), FAILED_BACKOFF_MINUTES * 60.0)
    return now - last >= timedelta(seconds=every)


def _passed(moment: str, now: datetime) -> bool:
    at = parse_utc(moment)
    return at is None or at <= now


def _keep(deps: Listening, channel: ListeningChannel, incoming: Incoming, now: datetime) -> bool:
    found = (deps.store.post_for(channel.name, incoming.in_reply_to)
             if incoming.in_reply_to else None)
    post_id, brand = found if found else (None, channel.brand)
    item = ConversationItem(conversation=post_id or inbox(brand), incoming=incoming, brand=brand,
                            post_id=post_id, received_at=utc_text(now))
    if not deps.store.add(item):
        return False
    if deps.on_stored is not None:
        try:
            deps.on_stored(item)
        except Exception as err:  # noqa: BLE001 - figures are kept apart from the item itself
            log.warning("incoming fact not recorded", extra={"error": type(err).__name__})
    return True


def show_pending(deps: Listening) -> tuple[int, int]:
    """Put open items that are not in Slack yet there (a failed post is tried again at the next
    run); returns (shown, not shown)."""
    shown = not_shown = 0
    pending = [item for item in deps.store.open_items() if not item.shown][:SHOW_LIMIT]
    for item in pending:
        try:
            where = deps.notifier.show(item, deps.workflow_for(item.brand))
        except Exception as err:  # noqa: BLE001 - the item stays open and is tried again
            log.warning("item not shown", extra={"conversation": item.conversation,
                                                 "error": type(err).__name__})
            not_shown += 1
            continue
        if where is None:
            not_shown += 1
            continue
        deps.store.update(item.shown_at(*where))
        shown += 1
    return shown, not_shown


def remind_unanswered(deps: Listening) -> int:
    """Items still unanswered ``answer_within_hours`` after they arrived: reminded once each."""
    now, reminded = deps.clock(), 0
    for item in deps.store.open_items():
        workflow = deps.workflow_for(item.brand)
        if not item.needs_reminder(now, workflow.answer_within_hours):
            continue
        try:
            deps.notifier.remind(item, workflow)
        except Exception as err:  # noqa: BLE001 - tried again at the next run
            log.warning("reminder not sent", extra={"conversation": item.conversation,
                                                    "error": type(err).__name__})
            continue
        deps.store.update(item.was_reminded())
        reminded += 1
    return reminded


def mark_done(deps: Listening, conversation: str, key: str, by: str) -> ConversationItem:
    """Someone says the item needs no answer (or was answered elsewhere). Done twice is done."""
    item = deps.store.get(conversation, key)
    if item is None:
        raise NotFound("conversation item")
    if item.status == "done":
        return item
    done = item.done(by)
    deps.store.update(done)
    try:
        deps.notifier.closed(done, deps.workflow_for(done.brand))
    except Exception as err:  # noqa: BLE001 - it is done; the message catches up when shown again
        log.warning("done not shown", extra={"conversation": conversation,
                                             "error": type(err).__name__})
    return done


def mark_answered(store: ConversationStore, conversation: str, key: str) -> ConversationItem | None:
    """An answer to the item was published (issue 17's answers call this); None when gone."""
    item = store.get(conversation, key)
    if item is None or item.status != "new":
        return item
    answered = item.answered()
    store.update(answered)
    return answered


def conversation_of(store: ConversationStore, post_id: str) -> list[dict[str, object]]:
    """The incoming entries of a post's ``conversation`` in the API (answers are added by the
    answers' use case), oldest first."""
    return [item.to_api() for item in store.conversation(post_id)]


class PublishedIndex:
    """A bus handler: once a post's publications are settled, each network id it got is noted,
    so a reply to it is matched with one read (no scan)."""

    def __init__(self, store: Callable[[], ConversationStore],
                 clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def handle(self, post: Post, message: ev.Message) -> None:
        if not isinstance(message, ev.PostSettled):
            return
        published = [(channel, result.external_id) for channel, result in post.results.items()
                     if result.status is ResultStatus.PUBLISHED and result.external_id]
        if not published:
            return
        store, at = self._store(), utc_text(self._clock())
        for channel, external_id in published:
            store.remember_publication(channel, str(external_id), post.id,
                                       post.brand, at)
