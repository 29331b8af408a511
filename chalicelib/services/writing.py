"""The writers' use cases: create, edit, submit, withdraw, read. Each returns domain values;
the HTTP layer shapes them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import limits
from chalicelib.domain.content import MAX_CONTENT_BYTES, Content
from chalicelib.domain.errors import Conflict, InvalidContent, NotFound
from chalicelib.domain.post import Post
from chalicelib.domain.status import UNAPPROVED
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.services.ports import Context, Identity, PeopleDirectory

log = logging.getLogger("freigabe.writing")

MAX_TITLE = 200
# A few seconds of slack so a form submitted "now" is not refused for the clock moving on.
PAST_TOLERANCE = timedelta(seconds=60)
# Nothing is planned further ahead than this; it also keeps every time storable in UTC.
MAX_AHEAD_YEARS = 2
MAX_AHEAD = timedelta(days=365 * MAX_AHEAD_YEARS + 1)
# The calendar looks only within these years (a bound outside could not even be held in UTC).
CALENDAR_YEARS = (2000, 2100)


@dataclass(frozen=True)
class Draft:
    text: str
    channels: list[str]
    title: str = ""
    variants: dict[str, str] | None = None
    publish_at: datetime | None = None


def validate(ctx: Context, content: Content, publish_at: datetime | None,
             publish_at_changed: bool = True) -> None:
    """The rules every post obeys, whoever sends it: the API and the web form alike."""
    if not content.channels:
        raise InvalidContent("no_channels")
    kinds = ctx.workflow.channels
    unknown = [c for c in content.channels if c not in kinds]
    if unknown:
        raise InvalidContent("unknown_channel", channel=unknown[0],
                             known=", ".join(ctx.workflow.channels))
    if len(set(content.channels)) != len(content.channels):
        raise InvalidContent("duplicate_channel")
    strays = [c for c in content.variants if c not in content.channels]
    if strays:
        raise InvalidContent("variant_without_channel", channel=strays[0])
    if not content.text.strip():
        raise InvalidContent("empty_text")
    if content.size > MAX_CONTENT_BYTES:
        # Over this a post could no longer be stored once its review added to it.
        raise InvalidContent("content_too_large", size=-(-content.size // 1024),
                             limit=MAX_CONTENT_BYTES // 1024)
    if len(content.title) > MAX_TITLE:
        raise InvalidContent("title_too_long", limit=MAX_TITLE)
    for channel in content.channels:
        text = content.text_for(channel)
        check = limits.check(kinds[channel], text)
        if not check.ok:
            raise InvalidContent("too_long", channel=channel, count=check.count,
                                 limit=check.limit)
        # Bluesky also refuses over 3,000 bytes of UTF-8, however few graphemes the text has:
        # caught here rather than after approval.
        size = limits.byte_check(kinds[channel], text)
        if not size.ok:
            raise InvalidContent("too_many_bytes", channel=channel, count=size.count,
                                 limit=size.limit)
    if publish_at is not None and publish_at_changed:
        now = ctx.clock()
        if publish_at < now - PAST_TOLERANCE:
            raise InvalidContent("publish_at_in_past")
        if publish_at > now + MAX_AHEAD:
            raise InvalidContent("publish_at_too_far", years=MAX_AHEAD_YEARS)


def _is_author(post: Post, who: Identity) -> bool:
    """By the sign-in's subject: an email may change hands, the subject never does."""
    return post.author_id.lower() == who.subject.lower()


def _own(ctx: Context, post_id: str, who: Identity) -> Post:
    post = ctx.repo.get(post_id)
    if not _is_author(post, who):
        # Not "forbidden": whether someone else's post exists is not the caller's business.
        raise NotFound("post_not_found", post=post_id)
    return post


def _store(ctx: Context, post: Post) -> Post:
    """Save the change; the messages it recorded travel with it (the repository's outbox)."""
    ctx.repo.save(post)
    return post


def _bind_slack_account(post: Post, who: Identity, people: PeopleDirectory | None) -> None:
    """Find the author's Slack user at submission, so they cannot review their own post under
    another profile email. Never fails a submission: without an answer the post keeps the
    account found before (or none), and the author check falls back to the email alone."""
    if people is None:
        log.info("no Slack directory; the author check uses the email alone",
                 extra={"post_id": post.id})
        return
    try:
        found = people.user_for_email(who.email)
    except Exception as err:  # noqa: BLE001 - unconfigured, down, rate-limited: submit anyway
        log.warning("author's Slack account not resolved (%s); the author check uses the email "
                    "alone", type(err).__name__, extra={"post_id": post.id})
        return
    if found:
        post.author_slack_id = found


def create(ctx: Context, who: Identity, draft: Draft, submit: bool = True,
           people: PeopleDirectory | None = None) -> Post:
    content = Content(text=draft.text, channels=tuple(draft.channels), title=draft.title,
                      variants=dict(draft.variants or {}))
    validate(ctx, content, draft.publish_at)
    now = ctx.clock()
    post = Post.create(ctx.new_id(), who.email, who.name, content, draft.publish_at, now,
                       author_id=who.subject)
    if submit:
        _bind_slack_account(post, who, people)
        post.submit(ctx.workflow, who.email, now)
    return _store(ctx, post)


def edit(ctx: Context, who: Identity, post_id: str, version: int,
         changes: dict[str, Any]) -> Post:
    """Apply the fields present in ``changes`` (text, title, variants, channels, publish_at)."""
    post = _own(ctx, post_id, who)
    if post.version != version:
        raise Conflict("stale_version", current=post.version)
    current = post.content
    content = Content(
        text=changes.get("text", current.text),
        channels=tuple(changes.get("channels", current.channels)),
        title=changes.get("title", current.title) or "",
        variants=dict(changes.get("variants", current.variants) or {}),
    )
    publish_at = changes.get("publish_at", post.publish_at)
    validate(ctx, content, publish_at, publish_at_changed=publish_at != post.publish_at)
    post.edit(ctx.workflow, who.email, ctx.clock(), content, publish_at)
    return _store(ctx, post) if post.new_events else post


def submit(ctx: Context, who: Identity, post_id: str,
           people: PeopleDirectory | None = None) -> Post:
    post = _own(ctx, post_id, who)
    validate(ctx, post.content, post.publish_at)
    _bind_slack_account(post, who, people)
    post.submit(ctx.workflow, who.email, ctx.clock())
    return _store(ctx, post)


def withdraw(ctx: Context, who: Identity, post_id: str) -> Post:
    post = _own(ctx, post_id, who)
    post.withdraw(who.email, ctx.clock())
    return _store(ctx, post)


def read(ctx: Context, who: Identity, post_id: str) -> tuple[Post, list[TimelineEvent]]:
    """The post with its timeline, oldest first."""
    post, events, _ = ctx.repo.get_full(post_id)
    if not _is_author(post, who):
        raise NotFound("post_not_found", post=post_id)
    return post, events


def mine(ctx: Context, who: Identity, status: str | None) -> list[Post]:
    return ctx.repo.by_author(who.subject, status)


def calendar(ctx: Context, who: Identity, start: datetime, end: datetime) -> list[Post]:
    first, last = CALENDAR_YEARS
    lowest = datetime(first, 1, 1, tzinfo=UTC)
    highest = datetime(last + 1, 1, 1, tzinfo=UTC)
    # Comparing aware times never leaves the calendar, even for year 1 at +14:00.
    if not (lowest <= start <= highest and lowest <= end <= highest):
        raise InvalidContent("range_out_of_bounds", first=first, last=last)
    if end < start:
        raise InvalidContent("range_reversed")
    if end - start > timedelta(days=93):
        raise InvalidContent("range_too_long", days=93)
    # Unapproved work is only its author's.
    return [post for post in ctx.repo.calendar(start, end)
            if post.status not in UNAPPROVED or _is_author(post, who)]


@dataclass(frozen=True)
class ChannelInfo:
    name: str
    kind: str
    limit: int | None


def channels(ctx: Context) -> list[ChannelInfo]:
    return [ChannelInfo(name, kind, limits.LIMITS.get(kind))
            for name, kind in ctx.workflow.channels.items()]
