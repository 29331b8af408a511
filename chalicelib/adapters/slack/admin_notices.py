"""A direct message to each of the workflow's admins about a post the tick had to leave behind
(``scheduling.AdminNotices``). The tick decides that they hear once; this only says it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.texts import tr

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

log = logging.getLogger("freigabe.slack.admin_notices")


class SlackAdminNotices:
    def __init__(self, client: Callable[[], WebClient], admins: Iterable[str], lang: str) -> None:
        self._client = client  # built on the first notice: a quiet tick imports no Slack SDK
        self._admins = sorted(admins)
        self._lang = lang

    def post_held(self, post_id: str, problem: str) -> None:
        from slack_sdk.errors import SlackApiError

        key = {"lacks_approvals": "held_lacks_approvals",
               "channel_not_connected": "held_channel_not_connected"}.get(problem, "held_failed")
        text = blocks.escape(tr(key, self._lang, post=post_id, problem=problem))
        if not self._admins:
            log.warning("no admins in the workflow file to tell of a held post",
                        extra={"post_id": post_id})
        for admin in self._admins:
            try:
                # A user id as the channel: Slack posts into the app's DM with that person.
                self._client().chat_postMessage(channel=admin, text=text, unfurl_links=False)
            except SlackApiError as err:
                log.warning("admin not told of a held post", extra={
                    "post_id": post_id, "admin": admin, "error": err.response.get("error")})
