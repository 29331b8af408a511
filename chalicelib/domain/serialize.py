"""Posts to and from the plain dicts the repository stores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.content import Content
from chalicelib.domain.post import Approval, ChannelResult, Hold, Post, Step
from chalicelib.domain.status import ResultStatus, Status, StepStatus


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _hash_of(seen: dict[str, Any] | None) -> str | None:
    """A step stored before content versions (it kept a whole copy): its hash."""
    return Content.from_dict(seen).hash if seen else None


def post_to_document(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "status": post.status.value,
        "version": post.version,
        "author": post.author,
        "author_name": post.author_name,
        "author_id": post.author_id,
        "author_slack_id": post.author_slack_id,
        "content": post.content.to_dict(),
        "publish_at": post.publish_at_iso,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "scheduled_at": post.scheduled_at,
        "steps": [
            {
                "name": s.name, "label": s.label, "required": s.required, "reasons": s.reasons,
                "status": s.status.value, "decided_by": s.decided_by, "decided_at": s.decided_at,
                "comment": s.comment, "requested_hash": s.requested_hash,
                "requested_at": s.requested_at, "seen_hash": s.seen_hash,
                "approvals_required": s.approvals_required,
                "approvals": [a.__dict__ for a in s.approvals],
                "labels": s.labels, "quote": s.quote, "checklist": s.checklist,
                "due_at": s.due_at, "escalated_at": s.escalated_at, "kind": s.kind,
            }
            for s in post.steps
        ],
        "results": {ch: dict(r.__dict__, status=r.status.value) for ch, r in post.results.items()},
        "holds": [h.__dict__ for h in post.holds],
        "timeline_count": post.timeline_count,
        "timeline_head": post.timeline_head,
        "brand": post.brand,
        "workflow_version": post.workflow_version,
        **({"kind": post.kind, "parent": post.parent, "conversation_of": post.conversation_of}
           if post.kind != "post" else {}),
    }


def post_from_document(doc: dict[str, Any]) -> Post:
    return Post(
        id=doc["id"],
        author=doc["author"],
        author_name=doc.get("author_name") or doc["author"],
        author_id=doc.get("author_id") or doc["author"],  # absent in posts stored before it
        author_slack_id=doc.get("author_slack_id"),  # absent in posts stored before it
        content=Content.from_dict(doc["content"]),
        publish_at=parse_time(doc.get("publish_at")),
        created_at=doc["created_at"],
        status=Status(doc["status"]),
        stored_status=Status(doc["status"]),
        version=int(doc["version"]),
        steps=[
            Step(
                name=s["name"], label=s["label"], required=s["required"],
                reasons=list(s.get("reasons") or []), status=StepStatus(s["status"]),
                approvals=[_approval(a) for a in s.get("approvals") or []],
                decided_by=s.get("decided_by"), decided_at=s.get("decided_at"),
                comment=s.get("comment"), requested_hash=s.get("requested_hash"),
                requested_at=s.get("requested_at"),
                seen_hash=s.get("seen_hash") or _hash_of(s.get("seen")),
                approvals_required=(int(s["approvals_required"])
                                    if s.get("approvals_required") is not None else None),
                # Absent in steps stored before review depth.
                labels=list(s.get("labels") or []), quote=s.get("quote"),
                checklist=list(s.get("checklist") or []), due_at=s.get("due_at"),
                escalated_at=s.get("escalated_at"), kind=s.get("kind") or "slack",
            )
            for s in doc.get("steps") or []
        ],
        results={
            ch: ChannelResult(status=ResultStatus(r["status"]), url=r.get("url"),
                              external_id=r.get("external_id"), error=r.get("error"),
                              attempts=int(r.get("attempts") or 0))
            for ch, r in (doc.get("results") or {}).items()
        },
        holds=[Hold(step=h["step"], by=h["by"], reason=h["reason"], at=h["at"],
                    by_email=h.get("by_email"))
               for h in doc.get("holds") or []],
        updated_at=doc.get("updated_at") or doc["created_at"],
        scheduled_at=doc.get("scheduled_at"),
        timeline_count=int(doc.get("timeline_count") or 0),
        timeline_head=doc.get("timeline_head"),
        brand=doc.get("brand") or "default",  # absent in posts stored before brands
        workflow_version=(int(doc["workflow_version"])
                          if doc.get("workflow_version") is not None else None),
        kind=doc.get("kind") or "post",  # absent in every post that is not an answer
        parent=dict(doc["parent"]) if doc.get("parent") else None,
        conversation_of=doc.get("conversation_of"),
    )


def _approval(data: dict[str, Any]) -> Approval:
    return Approval(reviewer_id=data["reviewer_id"], reviewer_email=data["reviewer_email"],
                    at=data["at"], content_hash=data["content_hash"],
                    checklist=list(data.get("checklist") or []))
