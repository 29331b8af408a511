"""The writers' use cases: create, edit, submit, withdraw, read. Each returns domain values;
the HTTP layer shapes them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain import limits
from chalicelib.domain.content import MAX_CONTENT_BYTES, Content
from chalicelib.domain.diff import content_changes
from chalicelib.domain.errors import Conflict, InvalidContent, NotFound
from chalicelib.domain.media import MAX_IMAGES, MEDIA_READY, Image
from chalicelib.domain.post import Post
from chalicelib.domain.status import UNAPPROVED, Status
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.workflow import Workflow
from chalicelib.services import brands
from chalicelib.services.conflicts import until_saved
from chalicelib.services.ports import Context, Identity, MediaMissing, PeopleDirectory

log = logging.getLogger("freigabe.writing")

MAX_TITLE = 200
# A few seconds of slack so a form submitted "now" is not refused for the clock moving on.
PAST_TOLERANCE = timedelta(seconds=60)
# Nothing is planned further ahead than this; it also keeps every time storable in UTC.
MAX_AHEAD_YEARS = 2
MAX_AHEAD = timedelta(days=365 * MAX_AHEAD_YEARS + 1)
# The calendar looks only within these years (a bound outside could not even be held in UTC).
CALENDAR_YEARS = (2000, 2100)


class MediaChoice(Protocol):
    """One image a writer puts in a post: an upload of theirs (or an image the post already
    carries) by its media id, with its alt text."""

    @property
    def id(self) -> str: ...

    @property
    def alt(self) -> str: ...


@dataclass(frozen=True)
class MediaRef:
    id: str
    alt: str = ""


@dataclass(frozen=True)
class Draft:
    text: str
    channels: list[str]
    title: str = ""
    variants: dict[str, str] | None = None
    publish_at: datetime | None = None
    media: Sequence[MediaChoice] = ()
    brand: str | None = None  # required only of a writer with several brands


def validate(ctx: Context, content: Content, publish_at: datetime | None,
             publish_at_changed: bool = True, reviewing: bool = True,
             workflow: Workflow | None = None) -> None:
    """The rules every post obeys, whoever sends it: the API and the web form alike.

    ``reviewing``: the post is (or goes) in review. A draft may still lack alt text; every
    other rule holds for drafts too, as the text limits do. ``workflow``: the post's brand's
    (default: the context's)."""
    flow = workflow or ctx.workflow
    if not content.channels:
        raise InvalidContent("no_channels")
    kinds = flow.channels
    unknown = [c for c in content.channels if c not in kinds]
    if unknown:
        raise InvalidContent("unknown_channel", channel=unknown[0],
                             known=", ".join(flow.channels))
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
        _check_images(flow, channel, kinds[channel], content, reviewing)
    if publish_at is not None and publish_at_changed:
        now = ctx.clock()
        if publish_at < now - PAST_TOLERANCE:
            raise InvalidContent("publish_at_in_past")
        if publish_at > now + MAX_AHEAD:
            raise InvalidContent("publish_at_too_far", years=MAX_AHEAD_YEARS)


def _check_images(flow: Workflow, channel: str, kind: str, content: Content,
                  reviewing: bool) -> None:
    """The first rule of the channel's network that the post's images break, as a 422 that
    names the channel and the image."""
    if not content.media:
        return
    for problem in limits.image_problems(kind, content.media, flow.require_alt_text):
        if problem.key == "alt_missing" and not reviewing:
            continue
        raise InvalidContent(problem.key, channel=channel, image=problem.image, **problem.params)


def _images(ctx: Context, who: Identity, chosen: Sequence[MediaChoice],
            carried: tuple[Image, ...] = ()) -> tuple[Image, ...]:
    """The images the writer chose, in their order: each a ready upload of theirs, or one the
    post already carries (an edit that keeps it). Alt text is stripped."""
    if len(chosen) > MAX_IMAGES:
        raise InvalidContent("too_many_images_in_post", count=len(chosen), limit=MAX_IMAGES)
    kept = {image.media_id: image for image in carried}
    images: list[Image] = []
    for position, choice in enumerate(chosen, start=1):
        alt = choice.alt.strip()
        image = kept.get(choice.id)
        if image is not None:
            image = replace(image, alt=alt)
        else:
            upload = ctx.repo.get_media(choice.id) if choice.id else None
            # Someone else's upload is "not found" too: whether it exists is not the caller's
            # business.
            if upload is None or upload.owner.lower() != who.subject.lower():
                raise InvalidContent("media_unknown", image=position)
            if upload.status != MEDIA_READY or upload.sha256 is None:
                raise InvalidContent("media_not_ready", image=position)
            image = upload.image(alt)
        for earlier, other in enumerate(images, start=1):
            if other.sha256 == image.sha256:
                raise InvalidContent("media_duplicate", image=position, first=earlier)
        images.append(image)
    return tuple(images)


def _attach(ctx: Context, content: Content, before: tuple[Image, ...] = ()) -> None:
    """The images new to the post are referred to from now on: they no longer expire. Done
    before the post is saved, so a post never refers to bytes that may go."""
    known = {image.sha256 for image in before}
    new = [(position, image) for position, image in enumerate(content.media, start=1)
           if image.sha256 not in known]
    if not new:
        return
    if ctx.media is None:
        raise RuntimeError("images need an image store in the context")
    store = ctx.media()
    for position, image in new:
        try:
            store.attach(image.sha256)
        except MediaMissing:
            raise InvalidContent("media_gone", image=position) from None


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
                      variants=dict(draft.variants or {}),
                      media=_images(ctx, who, draft.media))
    flow = brands.choose(ctx, who, draft.brand)
    validate(ctx, content, draft.publish_at, reviewing=submit, workflow=flow)
    _attach(ctx, content)
    now = ctx.clock()
    post = Post.create(ctx.new_id(), who.email, who.name, content, draft.publish_at, now,
                       author_id=who.subject, brand=flow.brand)
    if submit:
        _bind_slack_account(post, who, people)
        _submit(ctx, post, flow, who, now)
    return _store(ctx, post)


def _submit(ctx: Context, post: Post, flow: Workflow, who: Identity, now: datetime) -> None:
    """Into review under the brand's workflow, remembering which version of it that was."""
    post.submit(flow, who.email, now)
    post.workflow_version = ctx.organization.version or None


def edit(ctx: Context, who: Identity, post_id: str, version: int,
         changes: dict[str, Any]) -> Post:
    """Apply the fields present in ``changes`` (text, title, variants, channels, publish_at,
    media: a sequence of MediaChoice; absent keeps the images, empty removes them)."""
    post = _own(ctx, post_id, who)
    if post.version != version:
        raise Conflict("stale_version", current=post.version)
    current = post.content
    media = (_images(ctx, who, changes["media"], current.media) if "media" in changes
             else current.media)
    content = Content(
        text=changes.get("text", current.text),
        channels=tuple(changes.get("channels", current.channels)),
        title=changes.get("title", current.title) or "",
        variants=dict(changes.get("variants", current.variants) or {}),
        media=media,
    )
    publish_at = changes.get("publish_at", post.publish_at)
    # An edit sends a post in review or scheduled back to review; a draft stays a draft.
    reviewing = post.status not in (Status.DRAFT, Status.CHANGES_REQUESTED)
    flow = ctx.workflow_for(post)
    validate(ctx, content, publish_at, publish_at_changed=publish_at != post.publish_at,
             reviewing=reviewing, workflow=flow)
    post.edit(flow, who.email, ctx.clock(), content, publish_at)
    if not post.new_events:
        return post
    _attach(ctx, post.content, current.media)
    return _store(ctx, post)


def submit(ctx: Context, who: Identity, post_id: str,
           people: PeopleDirectory | None = None) -> Post:
    post = _own(ctx, post_id, who)
    flow = ctx.workflow_for(post)
    validate(ctx, post.content, post.publish_at, workflow=flow)
    _bind_slack_account(post, who, people)
    _submit(ctx, post, flow, who, ctx.clock())
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


def comment(ctx: Context, who: Identity, post_id: str, text: str, visibility: str) -> Post:
    """The author's comment on the post's timeline (``shared`` ones also reach reviewers outside
    the company)."""
    _own(ctx, post_id, who)

    def record(post: Post) -> bool:
        post.comment(who.email, text, visibility, ctx.clock())
        return True

    post, _ = until_saved(ctx.repo, post_id, record)
    return post


def changes(ctx: Context, who: Identity, post_id: str, from_hash: str) -> dict[str, Any]:
    """What changed from an earlier version of the post (by its content hash) to the current
    one: a word diff of every text and the image changes."""
    post = _own(ctx, post_id, who)
    old = post.content if from_hash == post.content_hash else ctx.repo.content_version(
        post_id, from_hash)
    if old is None:
        raise NotFound("version_not_found", version=from_hash[:12])
    return {"from": from_hash, "to": post.content_hash, **content_changes(old, post.content)}


def mine(ctx: Context, who: Identity, status: str | None, brand: str | None = None) -> list[Post]:
    return brands.of_brand(ctx.repo.by_author(who.subject, status), brands.known(ctx, brand))


def calendar(ctx: Context, who: Identity, start: datetime, end: datetime,
             brand: str | None = None) -> list[Post]:
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
    return [post for post in brands.of_brand(ctx.repo.calendar(start, end), brands.known(ctx, brand))
            if post.status not in UNAPPROVED or _is_author(post, who)]


@dataclass(frozen=True)
class ChannelInfo:
    name: str
    kind: str
    limit: int | None


def channels(ctx: Context) -> list[ChannelInfo]:
    """Every brand's channels (a brand's own are in ``GET /api/me``)."""
    every = {name: kind for flow in ctx.organization.brands.values()
             for name, kind in flow.channels.items()}
    return [ChannelInfo(name, kind, limits.LIMITS.get(kind)) for name, kind in every.items()]
