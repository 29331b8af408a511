"""Reminders in the thread of a review request that waited longer than its step's
remind_after_hours (which requests are due is ``review_desk.send_reminders``'s to decide)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.texts import tr
from chalicelib.domain.workflow import StepRule
from chalicelib.services.review_desk import Reminder

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

log = logging.getLogger("freigabe.slack.reminders")


class SlackReviewRequests:
    def __init__(self, client: WebClient, lang: str) -> None:
        self._client = client
        self._lang = lang

    def remind(self, reminder: Reminder, rule: StepRule) -> bool:
        from slack_sdk.errors import SlackApiError

        who = (", ".join(blocks.mention(r) for r in rule.reviewers) if rule.reviewers
               else f"<!subteam^{rule.reviewer_group}>")
        text = tr("reminder", self._lang, who="{who}", hours=reminder.waited_hours)
        text = blocks.escape(text).replace("{who}", who)
        try:
            self._client.chat_postMessage(channel=reminder.ref["channel"], thread_ts=reminder.ref["ts"],
                                          text=text, unfurl_links=False)
        except SlackApiError as err:
            log.warning("reminder not posted", extra={"post_id": reminder.post.id,
                                                      "step": reminder.step.name,
                                                      "error": err.response.get("error")})
            return False
        return True
