"""The evidence file of a post: what legal keeps to prove, offline, what was approved by whom.

One JSON document holds the exact content of every version (texts, channels, each image's
sha256 and alt text), every decision with its reviewer, checklist and reason labels, the whole
hash-chained timeline and the chain heads anchored outside the table, signed by a key only the
deployment holds (KMS in AWS, a local key under `make run`). `python -m freigabe_verify` checks
it with the standard library alone; its rules for the canonical form and the signed statement
are the ones below, written out there again on purpose.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from chalicelib.domain.content import Content
from chalicelib.domain.errors import NotFound
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.timeline import CONTENT_EVENTS, TimelineEvent
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import Identity, PostRepository, ReviewerDirectory

FORMAT = "freigabe-evidence/1"
ALGORITHM = "ECDSA_SHA_256"  # ECC_NIST_P256 keys (adapters/signing.py says why)
# Events whose actor reviewed the post: whoever decided or held it may read its evidence.
REVIEWER_EVENTS = ("decision", "hold", "hold_released")


class Signer(Protocol):
    """A key only the deployment holds. ``sign`` answers a DER ECDSA signature (SHA-256 over
    the message, NIST P-256); ``public_key`` the DER SubjectPublicKeyInfo."""

    @property
    def key_name(self) -> str:
        """Which key signs (the KMS key's ARN, or ``local``), for the reader."""

    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class Anchors(Protocol):
    def latest(self, post_id: str) -> tuple[int, str] | None:
        """The highest anchored (seq, head) of a post; None when it has none; raises when the
        anchors cannot be read."""


class SignerUnavailable(Exception):
    """No key is set up, or the key cannot be used right now."""


@dataclass(frozen=True)
class AnchorSource:
    anchors: Anchors | None
    where: str  # for the reader: the log group the chain heads are kept in


def canonical(value: Any) -> bytes:
    """The form that is hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def file_bytes(document: dict[str, Any]) -> bytes:
    """The evidence file as it is handed out: its canonical JSON, indented for reading. The
    verifier accepts no other spelling, so no byte of it can change unnoticed."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2).encode() + b"\n"


def statement(payload: dict[str, Any]) -> bytes:
    """What the key signs: the format and the sha256 of everything but the signature (a short
    message, so KMS signs it as RAW, hashing it itself)."""
    return f"{FORMAT} sha256={hashlib.sha256(canonical(payload)).hexdigest()}".encode()


# -- who may read it ------------------------------------------------------------------------------

def may_read(post: Post, events: list[TimelineEvent], workflow: Workflow, who: Identity,
             slack_id: Callable[[], str | None], groups: ReviewerDirectory | None) -> bool:
    """The author, the web page's admins, and, matched to Slack by e-mail: the workflow's admins,
    anyone who decided on or held the post, and the reviewers of its steps."""
    if post.author_id.lower() == who.subject.lower() or workflow.is_web_admin(who.email):
        return True
    try:
        person = slack_id()
    except Exception:  # noqa: BLE001 - Slack unavailable: nobody is confirmed (fail closed)
        return False
    if not person:
        return False
    if workflow.is_admin(person):
        return True
    as_reviewer = Reviewer(person, None)
    if any(e.type in REVIEWER_EVENTS and as_reviewer.listed_in(frozenset({e.actor}))
           for e in events):
        return True
    for step in post.steps:
        rule = next((r for r in workflow.steps if r.name == step.name), None)
        if rule is None:
            continue
        if rule.reviewers is not None and as_reviewer.listed_in(frozenset(rule.reviewers)):
            return True
        if rule.reviewer_group and groups is not None:
            try:
                members = groups.group_members(rule.reviewer_group)
            except Exception:  # noqa: BLE001 - a group that cannot be read: not a member
                members = frozenset()
            if person in members:
                return True
    return False


# -- the document ---------------------------------------------------------------------------------

def versions(repo: PostRepository, post: Post, events: list[TimelineEvent]) -> list[dict[str, Any]]:
    """Every content the timeline records, oldest first, each once, with the event that first
    recorded it. A version the store lost is listed without content (the verifier says so)."""
    first: dict[str, int | None] = {}
    for event in events:
        recorded = event.data.get("content_hash") if event.type in CONTENT_EVENTS else None
        if recorded and str(recorded) not in first:
            first[str(recorded)] = event.seq
    first.setdefault(post.content.hash, None)
    listed = []
    for content_hash, seq in first.items():
        content: Content | None = (post.content if content_hash == post.content.hash
                                   else repo.content_version(post.id, content_hash))
        listed.append({"content_hash": content_hash, "first_event": seq,
                       "content": content.to_dict() if content is not None else None})
    return listed


def decisions(events: list[TimelineEvent]) -> list[dict[str, Any]]:
    """Each decision as the timeline recorded it: step, decision, reviewer and their e-mail, the
    content hash decided on, comment, reason labels, quote, ticked checklist items (and whatever
    else the event keeps, such as for whom a deputy decided)."""
    return [{"event": e.seq, "at": e.at, "reviewer": e.actor, **e.data}
            for e in events if e.type == "decision"]


def post_summary(post: Post) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "id": post.id, "author": post.author, "author_name": post.author_name,
        "status": post.status.value, "created_at": post.created_at,
        "publish_at": post.publish_at_iso, "content_hash": post.content.hash,
        "timeline_count": post.timeline_count, "timeline_head": post.timeline_head,
        "steps": [{"name": s.name, "label": s.label, "required": s.required,
                   "status": s.status.value, "decided_by": s.decided_by,
                   "decided_at": s.decided_at,
                   "approvals": [{"reviewer": a.reviewer_id, "reviewer_email": a.reviewer_email,
                                  "at": a.at, "content_hash": a.content_hash,
                                  "checklist": list(a.checklist)} for a in s.approvals],
                   "labels": list(s.labels), "checklist": list(s.checklist)}
                  for s in post.steps],
        "results": {channel: {"status": r.status.value, "url": r.url,
                              "external_id": r.external_id, "error": r.error}
                    for channel, r in sorted(post.results.items())},
        "holds": [{"step": h.step, "by": h.by, "reason": h.reason, "at": h.at}
                  for h in post.holds],
    }
    for optional in ("brand", "workflow_version"):  # kept by posts of brands / run-time workflows
        value = getattr(post, optional, None)
        if value is not None:
            summary[optional] = value
    return summary


def anchors_of(post_id: str, source: AnchorSource) -> dict[str, Any]:
    """The chain head anchored outside the table, and whether it could be read."""
    if source.anchors is None:
        return {"where": source.where, "status": "not_kept", "heads": []}
    try:
        latest = source.anchors.latest(post_id)
    except Exception:  # noqa: BLE001 - unreadable anchors: the file says so instead of failing
        return {"where": source.where, "status": "unavailable", "heads": []}
    if latest is None:
        return {"where": source.where, "status": "not_anchored_yet", "heads": []}
    seq, head = latest
    return {"where": source.where, "status": "anchored", "heads": [{"seq": seq, "head": head}]}


def build(repo: PostRepository, post: Post, events: list[TimelineEvent], anchors: AnchorSource,
          now: datetime) -> dict[str, Any]:
    """The unsigned document."""
    return {
        "format": FORMAT,
        "generated_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "post": post_summary(post),
        "versions": versions(repo, post, events),
        "decisions": decisions(events),
        "timeline": [event.to_dict() for event in events],
        "anchors": anchors_of(post.id, anchors),
    }


def sign(payload: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """The document with its signer and the signature over everything else."""
    try:
        signed = {**payload, "signer": {
            "algorithm": ALGORITHM, "key": signer.key_name,
            "public_key": base64.b64encode(signer.public_key()).decode()}}
        signature = signer.sign(statement(signed))
    except SignerUnavailable:
        raise
    except Exception as err:  # KMS refused or unreachable: a clear 503, never a 500
        raise SignerUnavailable(type(err).__name__) from err
    return {**signed, "signature": base64.b64encode(signature).decode()}


def evidence(repo: PostRepository, workflow: Workflow, who: Identity, post_id: str,
             signer: Signer, anchors: AnchorSource, now: datetime,
             slack_id: Callable[[], str | None],
             groups: ReviewerDirectory | None = None) -> dict[str, Any]:
    """The signed evidence document of a post; NotFound for anyone who may not read it (whether
    someone else's post exists is not their business)."""
    post, events, _ = repo.get_full(post_id)
    if not may_read(post, events, workflow, who, slack_id, groups):
        raise NotFound("post_not_found", post=post_id)
    return sign(build(repo, post, events, anchors, now), signer)
