"""Verify a post's audit timeline: `python -m chalicelib.audit POST_ID [POST_ID ...]`.

Reads the post and its events from the table (FREIGABE_TABLE, boto3's own endpoint
variables) and reports any altered, reordered or missing event, any state of the post that
does not follow from its events (its content, its approvals, its status), and, when the
anchor log group (FREIGABE_ANCHOR_LOG_GROUP) can be read, a timeline cut back below the
chain head anchored there. Exit status 1 if any.
"""

from __future__ import annotations

import argparse
import sys
from typing import Protocol

from chalicelib.domain.audit import verify_anchor, verify_state
from chalicelib.domain.post import Post
from chalicelib.domain.timeline import CONTENT_EVENTS, TimelineEvent, verify
from chalicelib.services.ports import PostRepository


class Anchors(Protocol):
    def latest(self, post_id: str) -> tuple[int, str] | None: ...


class Fingerprints(Protocol):
    def fingerprint(self, sha256: str) -> str | None: ...


def check(repo: PostRepository, post_id: str, anchors: Anchors | None = None,
          media: Fingerprints | None = None) -> list[str]:
    """Problems with one post; ``anchors`` None checks the table alone, ``media`` None leaves
    the stored images unchecked."""
    post, events, _ = repo.get_full(post_id)
    problems = verify(post.id, events, post.timeline_count, post.timeline_head)
    problems += verify_state(post, events)
    anchored = anchors.latest(post_id) if anchors is not None else None
    if anchored is not None:
        problems += verify_anchor(events, *anchored)
    if media is not None:
        problems += check_images(repo, post, events, media)
    return problems


def images_of(repo: PostRepository, post: Post, events: list[TimelineEvent]) -> dict[str, str]:
    """sha256 -> where the post first refers to it: every image of every content version the
    timeline names (stored beside the post), and any image an event records itself."""
    found: dict[str, str] = {}
    hashes = [str(e.data["content_hash"]) for e in events
              if e.type in CONTENT_EVENTS and e.data.get("content_hash")]
    for content_hash in dict.fromkeys([*hashes, post.content.hash]):
        content = post.content if content_hash == post.content.hash else \
            repo.content_version(post.id, content_hash)
        for position, image in enumerate(content.media if content else (), start=1):
            found.setdefault(image.sha256, f"image {position} of content {content_hash[:12]}")
    for event in events:
        recorded = event.data.get("media")
        for position, image in enumerate(recorded if isinstance(recorded, list) else [], start=1):
            if isinstance(image, dict) and image.get("sha256"):
                found.setdefault(str(image["sha256"]),
                                 f"image {position} of event {event.seq} ({event.type})")
    return found


def check_images(repo: PostRepository, post: Post, events: list[TimelineEvent],
                 media: Fingerprints) -> list[str]:
    """Each image must still be stored with exactly the bytes its sha256 names: the bytes
    the reviewers approved are the bytes that go out."""
    problems: list[str] = []
    for sha256, where in images_of(repo, post, events).items():
        try:
            stored = media.fingerprint(sha256)
        except Exception as err:  # noqa: BLE001 - no bucket, no permission: unverified, reported
            problems.append(f"{where} (sha256 {sha256[:12]}) could not be read from the image "
                            f"store: {type(err).__name__}: {err}")
            continue
        if stored is None:
            problems.append(f"{where} (sha256 {sha256[:12]}) is missing from the image store")
        elif stored != sha256:
            problems.append(f"{where} (sha256 {sha256[:12]}) was altered in the image store: "
                            f"its bytes now hash to {stored[:12]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("post_ids", nargs="+", metavar="POST_ID")
    args = parser.parse_args(argv)
    from chalicelib import bootstrap
    from chalicelib.adapters.anchor import AnchorUnavailable
    from chalicelib.domain.errors import NotFound

    container = bootstrap.container()
    repo = container.repository
    anchors: Anchors | None = container.anchor
    images: Fingerprints = container.media
    failed = False
    for post_id in args.post_ids:
        try:
            try:
                problems = check(repo, post_id, anchors, images)
            except AnchorUnavailable as err:
                print(f"anchors not readable ({err}, log group "
                      f"{container.settings.anchor_log_group}): checking the table alone")
                anchors = None
                problems = check(repo, post_id, media=images)
        except NotFound:
            print(f"{post_id}: no such post")
            failed = True
            continue
        if problems:
            failed = True
            print(f"{post_id}: TAMPERED")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(f"{post_id}: intact")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
