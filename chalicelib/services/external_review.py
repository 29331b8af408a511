"""Reviewers outside the company (CONTRACT §9): a ``link`` step's signed link, the page behind
it, and the decision taken there.

A link names the post, the step, the exact content hash it shows and when it expires, signed
with HMAC-SHA256. Nothing about it is stored: an edit changes the post's hash and so voids every
link handed out before (and every approval given through one), the way an edit voids every
approval. Whoever holds the link may decide for that step, on that content, until it expires;
they never see more than the content and the comments the team marked ``shared``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    InvalidContent,
    NotEligible,
    NotFound,
)
from chalicelib.domain.post import Post, Step, iso
from chalicelib.domain.status import Status, StepStatus
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import Context, Identity
from chalicelib.services.review import saved_with_claim

# Far longer than any token this module makes; checked before any decoding work.
MAX_TOKEN = 1024
MAX_NAME = 80
MAX_COMMENT = 3000
EXTERNAL_DECISIONS = ("approve", "request_changes")
EXTERNAL_PREFIX = "external:"


class LinkInvalid(NotFound):
    """Not a link this installation signed (tampered, truncated, another key): 404."""

    key = "link_invalid"


class LinkGone(DomainError):
    """A genuine link that no longer opens anything (expired, or the content changed): 410."""

    key = "link_expired"


class LinkStale(Conflict):
    """A decision sent for content the post no longer has, or a step no longer open: 409."""

    key = "link_stale"


@dataclass(frozen=True)
class LinkToken:
    post_id: str
    step: str
    content_hash: str
    expires: int  # epoch seconds, UTC

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def encode(token: LinkToken, key: bytes) -> str:
    """base64url(payload) "." base64url(HMAC-SHA256(key, payload)); the payload is compact JSON
    of post id, step, content hash and expiry."""
    payload = json.dumps([token.post_id, token.step, token.content_hash, token.expires],
                         separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return _b64(payload) + "." + _b64(_signature(key, payload))


def decode(raw: str, key: bytes) -> LinkToken:
    """The token's content when its signature holds (compared in constant time); LinkInvalid
    for anything else. The payload is parsed only after the signature matched."""
    if not raw or len(raw) > MAX_TOKEN or raw.count(".") != 1:
        raise LinkInvalid()
    encoded, _, signature = raw.partition(".")
    try:
        payload = _unb64(encoded)
        given = _unb64(signature)
    except (binascii.Error, ValueError):
        raise LinkInvalid() from None
    if not hmac.compare_digest(given, _signature(key, payload)):
        raise LinkInvalid()
    try:
        post_id, step, content_hash, expires = json.loads(payload)
    except (ValueError, TypeError):
        raise LinkInvalid() from None
    if not (isinstance(post_id, str) and isinstance(step, str) and isinstance(content_hash, str)
            and isinstance(expires, int) and not isinstance(expires, bool)):
        raise LinkInvalid()
    return LinkToken(post_id, step, content_hash, expires)


def is_link_step(workflow: Workflow, step_name: str) -> bool:
    try:
        return workflow.step(step_name).kind == "link"
    except KeyError:
        return False


def _may_hand_out(ctx: Context, post: Post, who: Identity) -> bool:
    """The author (by the sign-in's subject, as writing.py decides) or a web admin."""
    return post.author_id.lower() == who.subject.lower() or ctx.workflow.is_web_admin(who.email)


def create_link(ctx: Context, who: Identity, post_id: str,
                step: str | None = None) -> LinkToken:
    """A link for the post's open ``link`` step (or the one named), valid for the step's
    ``link_valid_hours``. NotFound for a post the caller may not hand out; Conflict (409) when
    the post is not in review or no link step is open."""
    post = ctx.repo.get(post_id)
    if not _may_hand_out(ctx, post, who):
        raise NotFound("post_not_found", post=post_id)
    if post.status is not Status.IN_REVIEW:
        raise Conflict("link_not_in_review", status=post.status.value)
    open_links = [s for s in post.open_steps(ctx.workflow) if is_link_step(ctx.workflow, s.name)]
    if step is not None:
        open_links = [s for s in open_links if s.name == step]
    if not open_links:
        raise Conflict("no_link_step")
    chosen = open_links[0]
    hours = ctx.workflow.step(chosen.name).link_valid_hours
    expires = ctx.clock() + timedelta(hours=hours)
    return LinkToken(post.id, chosen.name, post.content_hash, int(expires.timestamp()))


def token_of(ctx: Context, raw: str, key: bytes) -> LinkToken:
    """The link's token, checked: signed by us (LinkInvalid) and not expired (LinkGone)."""
    token = decode(raw, key)
    if ctx.clock().timestamp() >= token.expires:
        raise LinkGone("link_expired")
    return token


@dataclass(frozen=True)
class SharedComment:
    # Who wrote it, as the page may say it: the author's name, an external reviewer's own name;
    # None for anyone else on the team (their address stays inside the company).
    author: str | None
    at: str
    text: str


@dataclass(frozen=True)
class LinkView:
    """What the page behind a link shows."""

    post: Post
    step: Step
    token: LinkToken
    comments: list[SharedComment]
    # The decision already taken through a link on this content, when there is one:
    # (decision, the external reviewer's name); the page then shows it instead of the form.
    decided: tuple[str, str] | None = None


def shared_comments(post: Post, events: Sequence[TimelineEvent]) -> list[SharedComment]:
    """Comments the team marked ``shared``, oldest first; internal ones never leave here."""
    found = []
    for event in events:
        if event.type != "comment" or event.data.get("visibility") != "shared":
            continue
        text = event.data.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        author: str | None = None
        if event.actor.lower() in (post.author, post.author_id.lower()):
            author = post.author_name
        elif event.actor.startswith(EXTERNAL_PREFIX):
            author = event.actor.removeprefix(EXTERNAL_PREFIX)
        found.append(SharedComment(author, event.at, text))
    return found


def _decided_through_link(post: Post, step: Step, token: LinkToken) -> tuple[str, str] | None:
    by = step.decided_by or ""
    if not by.startswith(EXTERNAL_PREFIX) or step.seen_hash != token.content_hash:
        return None
    if step.status is StepStatus.APPROVED:
        return "approve", by.removeprefix(EXTERNAL_PREFIX)
    if step.status is StepStatus.CHANGES_REQUESTED:
        return "request_changes", by.removeprefix(EXTERNAL_PREFIX)
    return None


def _open_step(ctx: Context, post: Post, token: LinkToken) -> Step | None:
    """The token's step when the post still awaits exactly this content's decision on it."""
    if post.status is not Status.IN_REVIEW or post.content_hash != token.content_hash:
        return None
    if not is_link_step(ctx.workflow, token.step):
        return None
    return next((s for s in post.open_steps(ctx.workflow) if s.name == token.step), None)


def open_link(ctx: Context, raw: str, key: bytes) -> LinkView:
    """The page's content. LinkInvalid (404) for a forged link or a post that is gone; LinkGone
    (410) when expired, or replaced: the content changed or the step is no longer open."""
    token = token_of(ctx, raw, key)
    try:
        post, events, _ = ctx.repo.get_full(token.post_id)
    except NotFound:
        raise LinkInvalid() from None
    step = _open_step(ctx, post, token)
    if step is None:
        try:
            decided_step = post.step(token.step)
        except DomainError:
            raise LinkGone("link_replaced") from None
        decided = (_decided_through_link(post, decided_step, token)
                   if post.content_hash == token.content_hash else None)
        if decided is None:
            raise LinkGone("link_replaced")
        return LinkView(post, decided_step, token, shared_comments(post, events), decided)
    return LinkView(post, step, token, shared_comments(post, events))


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise InvalidContent("link_name_required")
    if len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise InvalidContent("link_name_invalid", limit=MAX_NAME)
    return cleaned


@dataclass(frozen=True)
class ExternalOutcome:
    post: Post
    step: Step
    recorded: bool  # False: the same decision was already there (a double click, a retry)


def decide(ctx: Context, raw: str, key: bytes, decision: str, name: str,
           comment: str = "") -> ExternalOutcome:
    """Record the decision of the person holding the link, or raise and change nothing:
    LinkInvalid (404), LinkGone (410, expired), LinkStale (409: the content changed or the
    step is no longer open), InvalidContent (422: no name, no comment for changes)."""
    token = token_of(ctx, raw, key)
    if decision not in EXTERNAL_DECISIONS:
        raise InvalidContent("link_unknown_decision")
    who = _clean_name(name)
    comment = (comment or "").strip()
    if decision == "request_changes" and not comment:
        raise InvalidContent("link_comment_required")
    if len(comment) > MAX_COMMENT:
        raise InvalidContent("link_comment_too_long", limit=MAX_COMMENT)

    def record(post: Post) -> bool:
        if post.content_hash != token.content_hash:
            raise LinkStale("link_stale")
        try:
            return post.decide_external(ctx.workflow, token.step, who, decision,
                                        token.content_hash, comment, ctx.clock(),
                                        link_expires_at=iso(token.expires_at))
        except NotEligible as err:
            # The review moved on since the page was opened (decided, withdrawn, the step
            # closed): the link's holder is told so, in their words.
            raise LinkStale("link_step_closed") from err

    try:
        # The last approval of a post due now takes it to the queue, as a reviewer's does.
        post, recorded = saved_with_claim(ctx, token.post_id, record)
    except NotFound:
        raise LinkInvalid() from None
    return ExternalOutcome(post, post.step(token.step), recorded)

