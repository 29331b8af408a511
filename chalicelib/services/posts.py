"""The writers' use cases: create, edit, submit, withdraw, read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import limits
from chalicelib.domain.content import Content
from chalicelib.domain.errors import Conflict, InvalidContent, NotFound
from chalicelib.domain.post import Post
from chalicelib.domain.serialize import post_to_api
from chalicelib.services.ports import Context, Identity

MAX_TITLE = 200
# Bluesky also refuses a post text over 3,000 bytes of UTF-8, however few graphemes it has
# (a long run of family emoji): caught here rather than after approval.
BYTE_LIMITS = {"bluesky": 3000}
# A few seconds of slack so a form submitted "now" is not refused for the clock moving on.
PAST_TOLERANCE = timedelta(seconds=60)


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
    unknown = [c for c in content.channels if c not in ctx.workflow.channels]
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
    if len(content.title) > MAX_TITLE:
        raise InvalidContent("title_too_long", limit=MAX_TITLE)
    for channel in content.channels:
        config = ctx.workflow.channels[channel]
        check = limits.check(config.type, content.text_for(channel))
        if not check.ok:
            raise InvalidContent("too_long", channel=channel, count=check.count,
                                 limit=check.limit)
        byte_limit = BYTE_LIMITS.get(config.type)
        size = len(content.text_for(channel).encode("utf-8", "surrogatepass"))
        if byte_limit is not None and size > byte_limit:
            raise InvalidContent("too_many_bytes", channel=channel, count=size, limit=byte_limit)
    if publish_at is not None and publish_at_changed and publish_at < ctx.clock() - PAST_TOLERANCE:
        raise InvalidContent("publish_at_in_past")


def _own(ctx: Context, post_id: str, who: Identity) -> Post:
    post = ctx.repo.get(post_id)
    if post.author != who.email.lower():
        # Not "forbidden": whether someone else's post exists is not the caller's business.
        raise NotFound("post_not_found", post=post_id)
    return post


def _store(ctx: Context, post: Post) -> Post:
    """Save the change; the messages it recorded travel with it (the repository's outbox)."""
    ctx.repo.save(post)
    return post


def create(ctx: Context, who: Identity, draft: Draft, submit: bool = True) -> Post:
    content = Content(text=draft.text, channels=tuple(draft.channels), title=draft.title,
                      variants=dict(draft.variants or {}))
    validate(ctx, content, draft.publish_at)
    now = ctx.clock()
    post = Post.create(ctx.new_id(), who.email, who.name, content, draft.publish_at, now)
    if submit:
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


def submit(ctx: Context, who: Identity, post_id: str) -> Post:
    post = _own(ctx, post_id, who)
    validate(ctx, post.content, post.publish_at)
    post.submit(ctx.workflow, who.email, ctx.clock())
    return _store(ctx, post)


def withdraw(ctx: Context, who: Identity, post_id: str) -> Post:
    post = _own(ctx, post_id, who)
    post.withdraw(who.email, ctx.clock())
    return _store(ctx, post)


def read(ctx: Context, who: Identity, post_id: str) -> dict[str, Any]:
    post, events, _ = ctx.repo.get_full(post_id)
    if post.author != who.email.lower():
        raise NotFound("post_not_found", post=post_id)
    return post_to_api(post, [e.to_dict() for e in events])


def mine(ctx: Context, who: Identity, status: str | None) -> list[dict[str, Any]]:
    return [post_to_api(p) for p in ctx.repo.by_author(who.email, status)]


def calendar(ctx: Context, who: Identity, start: datetime, end: datetime) -> list[dict[str, Any]]:
    if end < start:
        raise InvalidContent("range_reversed")
    if end - start > timedelta(days=93):
        raise InvalidContent("range_too_long", days=93)
    visible = []
    for post in ctx.repo.calendar(start, end):
        if post.status.value in ("draft", "in_review", "changes_requested") and \
                post.author != who.email.lower():
            continue  # unapproved work is only its author's
        visible.append(post_to_api(post))
    return visible


def channels(ctx: Context) -> list[dict[str, Any]]:
    return [
        {"name": name, "type": cfg.type, "limit": limits.LIMITS.get(cfg.type)}
        for name, cfg in ctx.workflow.channels.items()
    ]

