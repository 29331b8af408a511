"""Scheduled functions: the due-posts tick and review reminders."""

from __future__ import annotations

import logging

from chalicelib import bootstrap, observability

log = logging.getLogger("freigabe.publish")


def publish_due() -> dict[str, int]:
    from chalicelib.services import scheduling

    observability.setup()
    container = bootstrap.container()
    container.control.record_tick(container.clock())
    counts = scheduling.publish_due(container.scheduling())
    log.info("tick", extra=counts)
    return counts


def send_reminders() -> dict[str, int]:
    from chalicelib.adapters.slack.reminders import SlackReviewRequests
    from chalicelib.services import review_desk

    observability.setup()
    container = bootstrap.container()
    requests = SlackReviewRequests(container.slack_client, container.workflow.language)
    context = container.context()
    counts = review_desk.send_reminders(context, requests)
    # Overdue reviews, told once each (the stream relay turns them into Slack messages).
    counts["escalated"] = review_desk.escalate_overdue(context)
    # Posts still unapproved when their publish time plus the late window has passed.
    counts["expired"] = review_desk.expire_unapproved(context)
    if counts["reminded"] or counts["failed"] or counts["escalated"] or counts["expired"]:
        log.info("reminders", extra=counts)
    # The per-status counts `/freigabe status` reads, recounted so any drift lasts 15 minutes.
    container.repository.recount_statuses()
    counts.update(_channel_warnings())
    # Replies and mentions still unanswered after their brand's answer_within_hours, once each.
    from chalicelib.handlers import listening

    counts.update(listening.remind_unanswered())
    return counts


def _channel_warnings() -> dict[str, int]:
    """Tokens about to end and channels that stopped, told to the admins once each."""
    from chalicelib.handlers import oauth

    try:
        return oauth.warn_expiring()
    except Exception as err:  # noqa: BLE001 - the reminders above must count whatever happens here
        log.warning("channel warnings failed", extra={"error": type(err).__name__})
        return {}
