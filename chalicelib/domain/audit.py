"""Does a post's stored state follow from its timeline?

The chain (timeline.verify) proves the events were not altered; this binds the post item to
them, so that an edit of the item alone (its text, its approvals, its status) is caught too,
and an anchor kept outside the table catches a chain cut back with its count and head.
"""

from __future__ import annotations

from chalicelib.domain.post import Post
from chalicelib.domain.status import Status
from chalicelib.domain.timeline import CONTENT_EVENTS, TimelineEvent

STATUSES = frozenset(status.value for status in Status)


def verify_state(post: Post, events: list[TimelineEvent]) -> list[str]:
    """Problems found between the post item and its events; empty when the one follows from
    the other. Names hashes, steps and reviewers, never the text."""
    problems: list[str] = []
    # Recomputed from the stored content: a hash stored beside it would prove nothing.
    current = post.content.hash
    recorded = [e for e in events if e.type in CONTENT_EVENTS and e.data.get("content_hash")]
    if not recorded:
        problems.append("no event records the post's content")
    elif recorded[-1].data["content_hash"] != current:
        problems.append(f"the content (hash {current[:12]}) is not the one the timeline last "
                        f"recorded (event {recorded[-1].seq}, hash "
                        f"{str(recorded[-1].data['content_hash'])[:12]})")
    elif "media" in recorded[-1].data and recorded[-1].data["media"] != [
            image.canonical() for image in post.content.media]:
        # The hash covers the images too; this names them when the event itself disagrees.
        problems.append(f"the images (sha256 and alt text) are not the ones the timeline last "
                        f"recorded (event {recorded[-1].seq})")
    approvals = {(e.data.get("step"), e.actor, e.data.get("content_hash"))
                 for e in events if e.type == "decision" and e.data.get("decision") == "approve"}
    for step in post.steps:
        for approval in step.approvals:
            if (step.name, approval.reviewer_id, approval.content_hash) not in approvals:
                problems.append(f"step {step.name}: the approval by {approval.reviewer_id} of "
                                f"hash {approval.content_hash[:12]} has no decision in the timeline")
    moves = [e for e in events if e.type in STATUSES or e.type == "created"]
    if moves:
        last = moves[-1]
        expected = Status.DRAFT if last.type == "created" else Status(last.type)
        if post.status is not expected:
            problems.append(f"status {post.status.value} does not follow from the timeline "
                            f"(event {last.seq} left it {expected.value})")
    return problems


def verify_anchor(events: list[TimelineEvent], anchored_seq: int, anchored_head: str) -> list[str]:
    """Problems between the timeline and the chain head last anchored outside the table."""
    if anchored_seq > len(events):
        return [f"the anchored chain head is event {anchored_seq}, but the table holds "
                f"{len(events)} events: the timeline was cut back"]
    if events[anchored_seq - 1].hash != anchored_head:
        return [f"event {anchored_seq} is not the one anchored outside the table"]
    return []
