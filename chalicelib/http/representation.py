"""Posts as the writers' API shows them (docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.post import Post
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import MediaStore

# How long a preview URL of an image in the post JSON stays valid.
PREVIEW_SECONDS = 3600


def media_to_api(post: Post, media: Callable[[], MediaStore] | None) -> list[dict[str, Any]]:
    """The post's images in order, each with a short-lived GET URL for previews (presigning is
    computed locally: no request to the image store). The store is built only for a post that
    has images; without one the URL is null."""
    if not post.content.media:
        return []
    store = media() if media is not None else None
    return [{"id": image.media_id, "alt": image.alt, "sha256": image.sha256,
             "content_type": image.content_type, "width": image.width, "height": image.height,
             "size": image.size,
             "url": store.url(image.sha256, PREVIEW_SECONDS) if store is not None else None}
            for image in post.content.media]


def post_to_api(post: Post, timeline: list[TimelineEvent] | None = None,
                media: Callable[[], MediaStore] | None = None,
                now: datetime | None = None, workflow: Workflow | None = None) -> dict[str, Any]:
    """``media``: the image store (built on first use), for the images' preview URLs; ``now``:
    what a step's ``overdue`` is measured against (default: the system clock); ``workflow``:
    for each step's checklist items (their labels in both languages)."""
    now = now or datetime.now(UTC)
    body: dict[str, Any] = {
        "id": post.id,
        "status": post.status.value,
        "version": post.version,
        "brand": post.brand,
        "workflow_version": post.workflow_version,
        "title": post.content.title,
        "text": post.content.text,
        "variants": dict(post.content.variants),
        "channels": list(post.content.channels),
        "media": media_to_api(post, media),
        "publish_at": post.publish_at_iso,
        "author": post.author,
        "author_name": post.author_name,
        "content_hash": post.content_hash,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "steps": [
            {"name": s.name, "label": s.label, "required": s.required, "status": s.status.value,
             "decided_by": s.decided_by, "decided_at": s.decided_at, "comment": s.comment,
             "reasons": s.reasons, "kind": s.kind, "labels": list(s.labels), "quote": s.quote,
             "checklist": list(s.checklist), "due_at": s.due_at, "overdue": s.is_overdue(now),
             "checklist_items": _checklist_items(workflow, s.name)}
            for s in post.steps
        ],
        "holds": [{"step": h.step, "by": h.by, "by_email": h.by_email, "reason": h.reason,
                   "at": h.at} for h in post.holds],
        "results": {
            ch: {"status": r.status.value, "url": r.url, "external_id": r.external_id,
                 "error": r.error}
            for ch, r in post.results.items()
        },
    }
    if timeline is not None:
        body["timeline"] = [event.to_dict() for event in timeline]
    return body


def _checklist_items(workflow: Workflow | None, step: str) -> list[dict[str, Any]]:
    """The step's checklist as the workflow has it now (empty for a step it no longer has)."""
    if workflow is None:
        return []
    try:
        rule = workflow.step(step)
    except KeyError:
        return []
    return [{"id": item.id, "label": dict(item.label), "required": item.required}
            for item in rule.checklist]
