"""Verify a post's audit timeline: `python -m chalicelib.audit POST_ID [POST_ID ...]`.

Reads the post and its events from the table (FREIGABE_TABLE, boto3's own endpoint
variables) and reports any altered, reordered or missing event. Exit status 1 if any.
"""

from __future__ import annotations

import argparse
import sys

from chalicelib.domain.timeline import verify
from chalicelib.services.ports import PostRepository


def check(repo: PostRepository, post_id: str) -> list[str]:
    post, events, _ = repo.get_full(post_id)
    return verify(post.id, events, post.timeline_count, post.timeline_head)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("post_ids", nargs="+", metavar="POST_ID")
    args = parser.parse_args(argv)
    from chalicelib import bootstrap
    from chalicelib.domain.errors import NotFound

    repo = bootstrap.container().repository
    failed = False
    for post_id in args.post_ids:
        try:
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
