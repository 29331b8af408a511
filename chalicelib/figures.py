"""Write the figures' facts of posts again from their timelines:
`python -m chalicelib.figures POST_ID [POST_ID ...]` (`make figures POST=<id>`).

The stream relay keeps each counted event's facts as the event is stored. When the stream
gives up on a record (after the mapping's retries it goes to the relay's failure queue), that
event's facts are missing from the figures; this writes every fact of the post again from its
timeline in the table (FREIGABE_TABLE, boto3's own endpoint variables). A fact written again
overwrites itself, so nothing is counted twice. Exit status 1 if a post is not found.
"""

from __future__ import annotations

import argparse

from chalicelib.services.analytics import rebuild
from chalicelib.services.ports import PostRepository, StatsStore


def write_again(repo: PostRepository, store: StatsStore, post_id: str) -> int:
    """The facts of one post, written again; how many."""
    post, events, _ = repo.get_full(post_id)
    return rebuild(store, post, events)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("post_ids", nargs="+", metavar="POST_ID")
    args = parser.parse_args(argv)
    from chalicelib import bootstrap
    from chalicelib.domain.errors import NotFound

    container = bootstrap.container()
    failed = False
    for post_id in args.post_ids:
        try:
            count = write_again(container.repository, container.stats_store, post_id)
        except NotFound:
            print(f"{post_id}: no such post")
            failed = True
            continue
        print(f"{post_id}: {count} facts written")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
