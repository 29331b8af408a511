"""What only the workflow file's admins may do about publishing: send failed channels again,
confirm that a channel whose result was unknown did go out, pause and resume publishing
(docs/publishing.md). Each use case checks the admin first and changes nothing for anyone else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import Forbidden, InvalidTransition, NotEligible
from chalicelib.domain.post import Post, iso
from chalicelib.domain.workflow import Organization, Workflow
from chalicelib.services.conflicts import until_saved
from chalicelib.services.ports import (
    ControlStore,
    PostRepository,
    PublishQueue,
    QueueRefused,
    brand_workflow,
)
from chalicelib.services.scheduling import enqueue, publications

log = logging.getLogger("freigabe.publishing")

PAUSE_REASON_LIMIT = 500


@dataclass
class Admin:
    """What the admins' use cases need."""

    repo: PostRepository
    workflow: Workflow
    clock: Callable[[], datetime]
    queue: PublishQueue
    control: ControlStore
    brands: Organization | None = None  # every brand's workflow; None: ``workflow`` alone


def require_admin(workflow: Workflow, user_id: str) -> None:
    if not workflow.is_admin(user_id):
        raise Forbidden("admins_only")


def retry_publication(a: Admin, post_id: str, channels: Sequence[str] | None, admin: str) -> Post:
    """Send the failed and unknown channels (or the given ones of them) again, as a new attempt."""
    require_admin(a.workflow, admin)
    claimed: list[str] = []
    not_after: str | None = None

    def claim(post: Post) -> bool:
        nonlocal claimed, not_after
        retryable = post.retryable_channels()
        targets = list(channels) if channels else retryable
        refused = [c for c in targets if c not in retryable]
        if not targets or refused:
            raise InvalidTransition("not_retryable", channel=(refused or [""])[0],
                                    status=post.status.value)
        now = a.clock()
        claimed = post.claim(now, targets)
        # The retry has a window of its own, the post's brand's.
        not_after = iso(now + brand_workflow(a.brands, a.workflow, post).late_window)
        return True

    post, _ = until_saved(a.repo, post_id, claim)
    log.info("publication retried", extra={"post_id": post.id, "channels": claimed,
                                            "admin": admin})
    try:
        enqueue(a.queue, publications(post, claimed, not_after))
    except QueueRefused:
        # The channels stay pending; the tick's recovery sends them after it.
        log.exception("publish queue refused a retry", extra={"post_id": post.id})
    return post


def mark_published(a: Admin, post_id: str, channel: str, admin: str,
                   url: str | None = None) -> Post:
    """An admin confirms that a channel whose result was unknown did go out."""
    require_admin(a.workflow, admin)

    def mark(post: Post) -> bool:
        post.mark_published(channel, admin, a.clock(), url)
        return True

    post, _ = until_saved(a.repo, post_id, mark)
    return post


def pause(a: Admin, admin: str, reason: str) -> None:
    """Stop all publishing until an admin resumes it; the reason is shown to everyone asking."""
    require_admin(a.workflow, admin)
    if not reason.strip():
        raise NotEligible("pause_needs_reason")
    a.control.pause(reason.strip()[:PAUSE_REASON_LIMIT], admin, a.clock())


def resume(a: Admin, admin: str) -> dict[str, Any] | None:
    """Publish again; returns the pause that was lifted (None when publishing was not paused)."""
    require_admin(a.workflow, admin)
    return a.control.resume(admin, a.clock())
