"""A review request that reaches the deputies of its absent reviewers: once the request is
posted, each deputy is named in its thread ("<@deputy> stands in for <@reviewer> until …") and
told in a direct message with a link to it.

Absences are read per reviewer of the step (one query each; a step names few, a reviewer group
is read once). A deputy who wrote the post, or who stands in for its author, is not told: they
may not decide it (services/deputies.py). The request's ref remembers whom it told, so a
redelivered stream record tells nobody twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.slack.texts import tr, when
from chalicelib.domain.deputies import covered
from chalicelib.domain.post import Post, Step
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import DeputyStore

log = logging.getLogger("freigabe.slack.deputies")

TOLD = "deputies_told"  # key in a request's ref: the deputies already told of it


@dataclass(frozen=True)
class Standing:
    """``deputy`` decides for ``reviewer`` until ``until`` (exclusive)."""

    deputy: str
    reviewer: str
    until: datetime


def standing_in(store: DeputyStore | None, post: Post, reviewers: frozenset[str],
                now: datetime) -> list[Standing]:
    """Who stands in for one of these reviewers right now and may decide this post: never the
    post's author, nor anyone standing in for the author."""
    if store is None:
        return []
    periods = []
    for reviewer in sorted(reviewers):
        if reviewer and ":" not in reviewer and reviewer != post.author_slack_id:
            periods += store.of_reviewer(reviewer, now)
    until = {(a.deputy, a.reviewer): a.until for a in periods}
    return [Standing(deputy, reviewer, until[(deputy, reviewer)])
            for deputy, reviewer in sorted(covered(periods, now).items())
            if deputy != post.author_slack_id and deputy not in reviewers]


def step_reviewers(workflow: Workflow, step_name: str, directory: Any) -> frozenset[str]:
    """The step's named reviewers, or its reviewer group's members (none when unreadable)."""
    rule = next((r for r in workflow.steps if r.name == step_name), None)
    if rule is None:
        return frozenset()
    if rule.reviewers is not None:
        return frozenset(rule.reviewers)
    if rule.reviewer_group is None or directory is None:
        return frozenset()
    try:
        return frozenset(directory.group_members(rule.reviewer_group))
    except Exception as err:  # noqa: BLE001 - an unreadable group: its deputies are not told
        log.warning("reviewer group unreadable", extra={"group": rule.reviewer_group,
                                                        "error": type(err).__name__})
        return frozenset()


@dataclass
class DeputyNotice:
    client: Any
    directory: Any
    store: DeputyStore | None
    workflow: Workflow
    lang: str
    permalink: Callable[[dict[str, Any]], str | None]

    def tell(self, post: Post, step: Step, ref: dict[str, Any], now: datetime) -> list[str]:
        """Name each deputy in the request's thread and write to them; returns every deputy
        told of this request so far (to keep in its ref under ``TOLD``)."""
        from chalicelib.adapters.slack.blocks import escape, link, mention, title_of

        told = [str(d) for d in ref.get(TOLD) or []]
        if not ref.get("ts"):
            return told
        reviewers = step_reviewers(self.workflow, step.name, self.directory)
        for standing in standing_in(self.store, post, reviewers, now):
            if standing.deputy in told:
                continue
            until = escape(when(standing.until - timedelta(minutes=1), self.workflow.timezone,
                                self.lang))
            names = {"\x00": mention(standing.deputy), "\x01": mention(standing.reviewer)}
            thread = _filled(escape(tr("deputy_thread", self.lang, deputy="\x00",
                                       reviewer="\x01", until="\x02")), names, until)
            self.client.chat_postMessage(channel=ref["channel"], thread_ts=ref["ts"], text=thread,
                                         unfurl_links=False, unfurl_media=False)
            text = _filled(escape(tr("dm_deputy_request", self.lang, reviewer="\x01",
                                     until="\x02", title=title_of(post), step=step.label)),
                           names, until)
            url = self.permalink(ref)
            if url:
                text += "\n" + link(url, tr("dm_deputy_open", self.lang))
            self.client.chat_postMessage(channel=self.directory.dm_channel(standing.deputy),
                                         text=text, unfurl_links=False, unfurl_media=False)
            told.append(standing.deputy)
            log.info("deputy told of a request", extra={"post_id": post.id, "step": step.name,
                                                        "deputy": standing.deputy,
                                                        "reviewer": standing.reviewer})
        return told


def _filled(text: str, names: dict[str, str], until: str) -> str:
    """Markers replaced after escaping: mentions are Slack's own markup."""
    for marker, name in names.items():
        text = text.replace(marker, name)
    return text.replace("\x02", until)
