"""Reminders in the thread of a review request that waited longer than its step's
remind_after_hours, at most once per such period (the time is kept in the message's ref)."""

from __future__ import annotations

import logging

from chalicelib.domain.status import Status
from chalicelib.services import slack_review

log = logging.getLogger("freigabe.slack.reminders")

MAX_POSTS = 500


def send() -> dict[str, int]:
    from slack_sdk.errors import SlackApiError

    from chalicelib import bootstrap
    from chalicelib.adapters.slack import blocks, client
    from chalicelib.adapters.slack.texts import tr

    ctx = bootstrap.context()
    repo, workflow, now = ctx.repo, ctx.workflow, ctx.clock()
    reminded = failed = 0
    for post in repo.by_status(Status.IN_REVIEW.value, limit=MAX_POSTS):
        _, _, refs = repo.get_full(post.id)
        for due in slack_review.reminders_due(ctx, post, refs, now):
            step = workflow.step(due.step.name)
            who = (", ".join(blocks.mention(r) for r in step.reviewers) if step.reviewers
                   else f"<!subteam^{step.reviewer_group}>")
            text = tr("reminder", workflow.language, who="{who}", hours=due.waited_hours)
            text = blocks.escape(text).replace("{who}", who)
            try:
                client.web_client().chat_postMessage(channel=due.ref["channel"], thread_ts=due.ref["ts"],
                                                     text=text, unfurl_links=False)
            except SlackApiError as err:
                failed += 1
                log.warning("reminder not posted", extra={"post_id": post.id, "step": due.step.name,
                                                          "error": err.response.get("error")})
                continue
            repo.save_ref(post.id, due.ref_name, slack_review.reminded(due.ref, now))
            reminded += 1
    if reminded or failed:
        log.info("reminders", extra={"reminded": reminded, "failed": failed})
    return {"reminded": reminded, "failed": failed}
