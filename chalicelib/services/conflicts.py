"""The one way a use case changes a stored post when others may change it at the same moment.

Every save is conditional on the post's version. The loser of a race (two reviewers clicking,
two channels of a post finishing together, an admin and the worker) reads the post again and
applies its change to what is stored now; the change itself decides whether it still applies.
"""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain.errors import Conflict
from chalicelib.domain.post import Post
from chalicelib.services.ports import PostRepository

ATTEMPTS = 8


def until_saved(repo: PostRepository, post_id: str, change: Callable[[Post], bool], *,
                read: Post | None = None, attempts: int = ATTEMPTS,
                save: Callable[[Post], None] | None = None) -> tuple[Post, bool]:
    """Apply ``change`` to the post and save it; on a Conflict, read it again and start over.

    ``change`` returns False when there is nothing to save (the change is already there, or
    no longer applies); it raises to refuse. ``read``: the caller's copy of the post, tried
    first (usually still current). ``save``: how to store it (``repo.save`` when None).
    Returns the post and whether it was saved; raises
    Conflict("busy") when every attempt lost a race.
    """
    post = read
    for _attempt in range(attempts):
        if post is None:
            post = repo.get(post_id)
        if not change(post):
            return post, False
        try:
            (save or repo.save)(post)
        except Conflict:
            post = None  # someone else saved first
            continue
        return post, True
    raise Conflict("busy", post=post_id)
