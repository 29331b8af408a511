"""The App Home tab: the viewer's pending reviews, with the same buttons as the requests."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.adapters.slack.directory import GroupsUnavailable
from chalicelib.domain.post import Reviewer
from chalicelib.domain.status import Status
from chalicelib.services import slack_review

log = logging.getLogger("freigabe.slack.home")

MAX_POSTS = 200


class _HomeDirectory:
    """For listing only: a step whose group Slack cannot resolve lists nobody (the click
    itself explains why to the person)."""

    def __init__(self, directory: Any) -> None:
        self._directory = directory

    def group_members(self, group_id: str) -> frozenset[str]:
        try:
            return frozenset(self._directory.group_members(group_id))
        except GroupsUnavailable:
            return frozenset()


def publish(user_id: str) -> None:
    from chalicelib import bootstrap
    from chalicelib.adapters.slack import blocks, client

    ctx = bootstrap.context()
    directory = client.directory()
    profile = directory.profile(user_id)
    lang = profile.lang or ctx.workflow.language
    posts = ctx.repo.by_status(Status.IN_REVIEW.value, limit=MAX_POSTS)
    items = slack_review.pending_reviews(ctx, posts, Reviewer(user_id, profile.email),
                                         _HomeDirectory(directory))
    client.web_client().views_publish(user_id=user_id, view=blocks.home_view(items, ctx.workflow, lang))
    log.info("home published", extra={"user": user_id, "pending": len(items)})
