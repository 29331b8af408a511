"""Delivers what the domain recorded to whoever handles it (Slack, mostly), after the
change is stored: the table's stream carries each change's messages here.

A handler that raises fails that stream record, which the stream retries; handlers turn
errors that no retry can fix into a log line instead.
"""

from __future__ import annotations

import logging
from typing import Protocol

from chalicelib.domain.events import Message
from chalicelib.domain.post import Post

log = logging.getLogger("freigabe.bus")


class Handler(Protocol):
    def handle(self, post: Post, message: Message) -> None: ...


class PostReader(Protocol):
    def get(self, post_id: str) -> Post: ...


class Dispatcher:
    def __init__(self, handlers: list[Handler]) -> None:
        self._handlers = handlers

    def dispatch(self, post: Post, messages: list[Message]) -> None:
        for message in messages:
            for handler in self._handlers:
                handler.handle(post, message)


def relay(post_id: str, messages: list[Message], posts: PostReader,
          dispatcher: Dispatcher) -> int:
    """Hand one stored change's messages to the handlers; returns how many."""
    if not messages:
        return 0
    # The current post, not the image: handlers show where the post stands now.
    dispatcher.dispatch(posts.get(post_id), messages)
    return len(messages)
