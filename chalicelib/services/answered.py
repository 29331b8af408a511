"""What follows once an answer is out (docs/replies.md, "Answers"): a bus handler that, when a
post of kind ``reply`` settles with its one channel published, marks the reply or mention it
answers as answered, records the ``answer_published`` fact for the figures (time to first
answer, share answered in time), and lets the team see it where the item is (Slack).

The item is found in its conversation (one query: the post's, or the brand's inbox) by its
network id, so no key has to be carried on the answer. Marking and recording are idempotent, so
a redelivered stream record changes nothing; only the first one tells Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from chalicelib.domain import events as ev
from chalicelib.domain.conversation import ConversationItem, inbox, parse_utc
from chalicelib.domain.post import Post
from chalicelib.domain.status import ResultStatus
from chalicelib.domain.workflow import Workflow
from chalicelib.services.analytics import record_fact
from chalicelib.services.answers import answers_of
from chalicelib.services.listening import ConversationStore, conversation_of, mark_answered
from chalicelib.services.ports import PostRepository, StatsStore

log = logging.getLogger("freigabe.answered")

FACT = "answer_published"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # an entry without a readable time sorts first


class AnsweredNotifier(Protocol):
    """Where the team sees that an item was answered (adapters/slack/answers.py)."""

    def answered(self, item: ConversationItem, url: str | None, workflow: Workflow) -> None: ...


def item_answered(store: ConversationStore, answer: Post) -> ConversationItem | None:
    """The reply or mention an answer answers, as stored; None when it is not (any more)."""
    parent = answer.parent or {}
    conversation = answer.conversation_of or inbox(answer.brand)
    return next((item for item in store.conversation(conversation)
                 if item.incoming.channel == parent.get("channel")
                 and item.incoming.external_id == parent.get("external_id")), None)


class AnswerPublished:
    """Bus handler (services/bus.py). Store errors raise, so the stream retries the record."""

    def __init__(self, store: Callable[[], ConversationStore], stats: Callable[[], StatsStore],
                 workflow_for: Callable[[str], Workflow],
                 notifier: Callable[[], AnsweredNotifier] | None = None) -> None:
        self._store = store
        self._stats = stats
        self._workflow_for = workflow_for
        self._notifier = notifier

    def handle(self, post: Post, message: ev.Message) -> None:
        if not isinstance(message, ev.PostSettled) or post.kind != "reply" or not post.parent:
            return
        channel = str(post.parent.get("channel") or "")
        result = post.results.get(channel)
        if result is None or result.status is not ResultStatus.PUBLISHED:
            return
        store = self._store()
        item = item_answered(store, post)
        record_fact(self._stats(), FACT, post.brand, post.id, channel, post.updated_at,
                    channel=channel, parent=str(post.parent.get("external_id") or ""),
                    incoming_at=item.incoming.at if item is not None else None)
        if item is None:
            log.info("answered item not found", extra={"post_id": post.id, "channel": channel})
            return
        was_new = item.status == "new"
        answered = mark_answered(store, item.conversation, item.key)
        if not was_new or answered is None or self._notifier is None:
            return
        try:
            self._notifier().answered(answered, result.url, self._workflow_for(answered.brand))
        except Exception as err:  # noqa: BLE001 - it is answered; Slack's view of it may lag
            log.warning("answered not shown", extra={"post_id": post.id,
                                                     "error": type(err).__name__})


def conversation(store: ConversationStore, repo: PostRepository, post: Post) -> list[dict[str, Any]]:
    """A post's ``conversation`` in the API (CONTRACT §11): the replies read from the networks
    and the answers written under it, by time. An answer has none (empty)."""
    if post.kind == "reply":
        return []
    entries = [*conversation_of(store, post.id), *answers_of(repo, repo.refs(post.id))]
    return sorted(entries, key=lambda entry: parse_utc(str(entry.get("at") or "")) or EPOCH)
