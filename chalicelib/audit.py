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
from chalicelib.domain.timeline import verify
from chalicelib.services.ports import PostRepository


class Anchors(Protocol):
    def latest(self, post_id: str) -> tuple[int, str] | None: ...


def check(repo: PostRepository, post_id: str, anchors: Anchors | None = None) -> list[str]:
    """Problems with one post; ``anchors`` None checks the table alone."""
    post, events, _ = repo.get_full(post_id)
    problems = verify(post.id, events, post.timeline_count, post.timeline_head)
    problems += verify_state(post, events)
    anchored = anchors.latest(post_id) if anchors is not None else None
    if anchored is not None:
        problems += verify_anchor(events, *anchored)
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
    failed = False
    for post_id in args.post_ids:
        try:
            try:
                problems = check(repo, post_id, anchors)
            except AnchorUnavailable as err:
                print(f"anchors not readable ({err}, log group "
                      f"{container.settings.anchor_log_group}): checking the table alone")
                anchors = None
                problems = check(repo, post_id)
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
