"""Delivers what the domain recorded to whoever handles it, after the change is stored.

A handler that fails is logged and does not undo the stored change: the post is safe in
the table, and every consumer can be re-driven from it (reminders, the due-posts tick).
"""

from __future__ import annotations

import logging
from typing import Protocol

from chalicelib.domain.events import Message
from chalicelib.domain.post import Post

log = logging.getLogger("freigabe.bus")


class Handler(Protocol):
    def handle(self, post: Post, message: Message) -> None: ...


class Dispatcher:
    def __init__(self, handlers: list[Handler]) -> None:
        self._handlers = handlers

    def dispatch(self, post: Post, messages: list[Message]) -> None:
        for message in messages:
            for handler in self._handlers:
                try:
                    handler.handle(post, message)
                except Exception:
                    log.exception("handler failed", extra={
                        "post_id": post.id, "message": type(message).__name__,
                        "handler": type(handler).__name__,
                    })
