"""Answers to replies and mentions (docs/replies.md): drafted in Slack, reviewed through the
brand's ``reply_steps`` bound to their exact text like any post, then published once as a reply
in the same conversation on the network.

An answer is a post of kind ``reply`` with its parent on the network and the post it answers
under (None for a mention in the brand's inbox). Its content is its text for exactly one
channel, so its hash binds every approval to that text. The parent post keeps a reference to
each of its answers, so its conversation is read without a scan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import limits
from chalicelib.domain.content import Content
from chalicelib.domain.errors import InvalidContent, NotEligible
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.status import ResultStatus
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import Context, PostRepository, Refs, ReviewerDirectory

log = logging.getLogger("freigabe.answers")

ANSWER_REF = "answer:"  # on the parent post: one reference per answer, "answer:<answer id>"
THREAD_REF = "answer_thread"  # on the answer: the Slack thread its review requests go to


@dataclass(frozen=True)
class Parent:
    """What an answer answers: an item on a network (``external_id`` on ``channel``)."""

    channel: str
    external_id: str

    def to_dict(self) -> dict[str, str]:
        return {"channel": self.channel, "external_id": self.external_id}


@dataclass(frozen=True)
class AnswerDraft:
    parent: Parent
    text: str
    brand: str = "default"
    conversation_of: str | None = None  # the post it answers under; None: the brand's inbox
    # Where the Slack thread of the incoming item is: its review requests are posted there.
    slack_channel: str | None = None
    slack_thread: str | None = None


def responders(workflow: Workflow, directory: ReviewerDirectory | None) -> frozenset[str]:
    """The responders as Slack user ids (a user group's current members)."""
    rule = workflow.responders_step()
    if rule.reviewers is not None:
        return frozenset(rule.reviewers)
    if directory is None or rule.reviewer_group is None:
        return frozenset()
    return directory.group_members(rule.reviewer_group)


def check_text(workflow: Workflow, channel: str, text: str) -> Content:
    """The answer's content, or InvalidContent naming the channel: its network's limit."""
    kind = workflow.channels.get(channel)
    if kind is None:
        raise InvalidContent("unknown_channel", channel=channel,
                             known=", ".join(workflow.channels))
    if not text.strip():
        raise InvalidContent("empty_text")
    check = limits.check(kind, text)
    if not check.ok:
        raise InvalidContent("too_long", channel=channel, count=check.count, limit=check.limit)
    size = limits.byte_check(kind, text)
    if not size.ok:
        raise InvalidContent("too_many_bytes", channel=channel, count=size.count,
                             limit=size.limit)
    return Content(text=text, channels=(channel,))


def draft(ctx: Context, drafter: Reviewer, name: str, answer: AnswerDraft,
          directory: ReviewerDirectory | None = None) -> Post:
    """Create the answer and send it to review (or, under ``reply_steps = []``, straight to
    publishing when a responder wrote it). NotEligible or InvalidContent change nothing."""
    workflow = ctx.organization.brand(answer.brand)
    content = check_text(workflow, answer.parent.channel, answer.text)
    if workflow.reply_steps == () and not drafter.listed_in(responders(workflow, directory)):
        # Nobody reviews such an answer: only the named responders may send one.
        raise NotEligible("not_a_responder")
    now = ctx.clock()
    email = (drafter.email or f"{drafter.slack_id}@slack").lower()
    post = Post.create(ctx.new_id(), email, name or email, content, None, now,
                       author_id=email, brand=workflow.brand, parent=answer.parent.to_dict(),
                       conversation_of=answer.conversation_of)
    post.author_slack_id = drafter.slack_id  # the author rule holds for answers too
    post.submit(workflow, drafter.slack_id, now)
    if answer.slack_channel:
        # Stored before the answer, so its first review request finds the thread.
        ctx.repo.save_ref(post.id, THREAD_REF, {"channel": answer.slack_channel,
                                                "thread_ts": answer.slack_thread})
    ctx.repo.save(post)
    if answer.conversation_of:
        ctx.repo.save_ref(answer.conversation_of, ANSWER_REF + post.id,
                          {"id": post.id, **answer.parent.to_dict()})
    log.info("answer drafted", extra={"post_id": post.id, "status": post.status.value})
    return post


def answer_ids(refs: Refs) -> list[str]:
    """The answers a post's references name, oldest first (ids sort by time of creation only
    by chance, so the caller orders by the answers' own times)."""
    return [str(ref.get("id")) for name, ref in refs.items()
            if name.startswith(ANSWER_REF) and ref.get("id")]


def conversation_entry(answer: Post) -> dict[str, Any]:
    """One answer as an entry of its parent post's ``conversation`` (CONTRACT §11)."""
    channel = answer.content.channels[0] if answer.content.channels else ""
    result = answer.results.get(channel)
    published = result is not None and result.status is ResultStatus.PUBLISHED
    return {"id": answer.id, "kind": "answer", "channel": channel, "author": answer.author,
            "text": answer.content.text, "url": result.url if result else None,
            "at": answer.updated_at if published else answer.created_at,
            "status": answer.status.value,
            "in_reply_to": (answer.parent or {}).get("external_id")}


def answers_of(repo: PostRepository, refs: Refs) -> list[dict[str, Any]]:
    """The answers under a post, as conversation entries in the order they were written; an
    answer that cannot be read is left out (logged), never a failure of the post's page."""
    entries = []
    for answer_id in answer_ids(refs):
        try:
            answer = repo.get(answer_id)
        except Exception as err:  # noqa: BLE001 - one unreadable answer must not hide the rest
            log.warning("answer not read (%s)", type(err).__name__, extra={"post_id": answer_id})
            continue
        entries.append((answer.created_at, conversation_entry(answer)))
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]
