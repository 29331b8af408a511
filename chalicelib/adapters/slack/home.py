"""The App Home tab: the viewer's pending reviews, with the same buttons as the requests."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.slack.directory import GroupsUnavailable, SlackDirectory
from chalicelib.adapters.slack.files import ShownImage, SlackImages, file_ref
from chalicelib.domain.post import Post, Reviewer

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.adapters.slack.deps import SlackServices

log = logging.getLogger("freigabe.slack.home")


class _ListingDirectory:
    """For listing only: a step whose group Slack cannot resolve lists nobody (the click
    itself explains why to the person)."""

    def __init__(self, directory: SlackDirectory) -> None:
        self._directory = directory

    def group_members(self, group_id: str) -> frozenset[str]:
        try:
            return frozenset(self._directory.group_members(group_id))
        except GroupsUnavailable:
            return frozenset()


def publish(services: SlackServices, client: Any, user_id: str) -> None:
    from chalicelib.adapters.slack import blocks
    from chalicelib.services import review_desk

    ctx = services.context
    profile = services.directory.profile(user_id)
    lang = profile.language(ctx.workflow.language)
    listing = _ListingDirectory(services.directory)
    items = review_desk.pending_for(ctx, Reviewer(user_id, profile.email), listing)
    brands = _brand_labels(services)
    if brands:  # each brand's reviews together, in the workflow file's order
        order = {name: index for index, name in enumerate(brands)}
        items = sorted(items, key=lambda item: order.get(item[0].brand, len(order)))
    due = review_desk.due_soon(ctx, user_id, listing)
    held = _held(services, user_id, listing)
    images = _images(services, client, [post for post, _ in items[:blocks.HOME_ITEMS]])
    client.views_publish(user_id=user_id, view=blocks.home_view(
        items, ctx.workflow, lang, images, due=due, held=held, now=ctx.clock(), brands=brands))
    log.info("home published", extra={"user": user_id, "pending": len(items), "due": len(due),
                                       "held": len(held)})


def _brand_labels(services: SlackServices) -> dict[str, str] | None:
    """Each brand's label by name when there are several (one brand needs no saying)."""
    organization = services.context.organization
    if len(organization.brands) < 2:
        return None
    return {name: flow.brand_title for name, flow in organization.brands.items()}


def _held(services: SlackServices, user_id: str, listing: _ListingDirectory) -> list[Post]:
    """Posts on hold this person may release: they hold it, review the held step, or are an
    admin (the use case decides again when they click)."""
    from chalicelib.domain.status import Status
    from chalicelib.services import review_desk
    from chalicelib.services.review import eligible_reviewers

    ctx = services.context
    admin = ctx.workflow.is_admin(user_id)
    held = []
    for status in (Status.IN_REVIEW, Status.SCHEDULED):
        for post in ctx.repo.by_status(status.value, limit=review_desk.IN_REVIEW_LIMIT):
            holds = list(getattr(post, "holds", None) or [])
            if holds and any(admin or hold.by == user_id
                             or _reviews(ctx, listing, hold.step, user_id, eligible_reviewers)
                             for hold in holds):
                held.append(post)
    return held


def _reviews(ctx: Any, listing: _ListingDirectory, step: str, user_id: str, eligible: Any) -> bool:
    try:
        return user_id in eligible(ctx, listing, step)
    except KeyError:
        return False


def _images(services: SlackServices, client: Any, posts: list[Post]) -> dict[str, list[ShownImage]]:
    """The listed posts' images as Slack files: those the review requests uploaded, read in
    one go; any not uploaded yet are uploaded now (and remembered)."""
    with_images = [post for post in posts if post.content.media]
    if not with_images:
        return {}
    repo = services.context.repo
    names = {file_ref(image.sha256) for post in with_images for image in post.content.media}
    known = repo.refs_of([post.id for post in with_images], names)
    uploader = SlackImages(client, services.context.media, repo)
    return {post.id: uploader.show(post.id, post.content.media, dict(known.get(post.id) or {}))
            for post in with_images}
