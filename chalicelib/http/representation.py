"""Posts as the writers' API shows them (docs/api.md)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.post import Post
from chalicelib.domain.timeline import TimelineEvent


def post_to_api(post: Post, timeline: list[TimelineEvent] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": post.id,
        "status": post.status.value,
        "version": post.version,
        "title": post.content.title,
        "text": post.content.text,
        "variants": dict(post.content.variants),
        "channels": list(post.content.channels),
        "publish_at": post.publish_at_iso,
        "author": post.author,
        "author_name": post.author_name,
        "content_hash": post.content_hash,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "steps": [
            {"name": s.name, "label": s.label, "required": s.required, "status": s.status.value,
             "decided_by": s.decided_by, "decided_at": s.decided_at, "comment": s.comment,
             "reasons": s.reasons}
            for s in post.steps
        ],
        "results": {
            ch: {"status": r.status.value, "url": r.url, "external_id": r.external_id,
                 "error": r.error}
            for ch, r in post.results.items()
        },
    }
    if timeline is not None:
        body["timeline"] = [event.to_dict() for event in timeline]
    return body
