"""Which brand a writer writes for (CONTRACT §10): the brands they may write for, the one a
new post belongs to, and lists filtered by brand."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.errors import Forbidden, InvalidContent
from chalicelib.domain.post import Post
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import Context, Identity


def writable(ctx: Context, who: Identity) -> tuple[Workflow, ...]:
    """The workflows of the brands the writer may write for, in the file's order."""
    organization = ctx.organization
    return tuple(organization.brands[name]
                 for name in organization.brands_for(who.email, who.groups))


def choose(ctx: Context, who: Identity, requested: str | None) -> Workflow:
    """The brand a new post belongs to: the one asked for, or the writer's only one. Asking for
    none with several is a 422 that lists them; one they may not write for, a 403."""
    mine = writable(ctx, who)
    if requested:
        if not ctx.organization.knows(requested):
            raise InvalidContent("unknown_brand", brand=requested,
                                 known=", ".join(flow.brand for flow in mine) or "–")
        chosen = next((flow for flow in mine if flow.brand == requested), None)
        if chosen is None:
            raise Forbidden("brand_not_yours", brand=ctx.organization.brand(requested).brand_title)
        return chosen
    if not mine:
        raise Forbidden("no_brand")
    if len(mine) > 1:
        raise InvalidContent("brand_required", known=", ".join(flow.brand for flow in mine))
    return mine[0]


def known(ctx: Context, brand: str | None) -> str | None:
    """A filter's brand as given (None: every brand); 422 for a brand there is not."""
    if brand is None or brand == "":
        return None
    if not ctx.organization.knows(brand):
        raise InvalidContent("unknown_brand", brand=brand,
                             known=", ".join(ctx.organization.names))
    return brand


def of_brand(posts: Iterable[Post], brand: str | None) -> list[Post]:
    """The posts of one brand (every post for None); posts stored before brands count as the
    default brand's."""
    return [post for post in posts if brand is None or post.brand == brand]


def describe(flow: Workflow) -> dict[str, object]:
    """A brand as the web page needs it to compose a post."""
    return {"name": flow.brand, "label": flow.brand_title, "timezone": flow.timezone,
            "language": flow.language, "channels": sorted(flow.channels),
            "require_alt_text": flow.require_alt_text}


# What `/freigabe status <brand>` counts: the posts still on their way (the status index is
# read per status, at most OPEN_LIMIT posts each; the team-wide counts item has no brands).
OPEN_STATUSES = ("in_review", "changes_requested", "scheduled", "publishing",
                 "partially_published", "failed")
OPEN_LIMIT = 500
# How many scheduled posts `/freigabe queue <brand>` looks through for the brand's next ones.
QUEUE_LOOKAHEAD = 200


def open_counts(ctx: Context, brand: str) -> dict[str, int]:
    """How many of the brand's posts are in each open status (OPEN_LIMIT means at least)."""
    return {status: len(of_brand(ctx.repo.by_status(status, limit=OPEN_LIMIT), brand))
            for status in OPEN_STATUSES}


def upcoming_of(ctx: Context, brand: str, limit: int) -> list[Post]:
    """The brand's next scheduled posts, soonest first."""
    return of_brand(ctx.repo.upcoming(ctx.clock(), limit=QUEUE_LOOKAHEAD), brand)[:limit]
