"""The writers' HTTP API (docs/api.md). Each route parses, calls one use case, and answers
JSON. Routes receive their dependencies from the provider the entry layer hands to
``build_api``; nothing here builds an adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalice.app import Blueprint, Request

from chalicelib.domain.post import Post
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.http.models import STATUSES, CommentCreate, NoBody, PostCreate, PostPatch
from chalicelib.http.representation import post_to_api
from chalicelib.http.support import ApiError, body, identity, json_api, language
from chalicelib.services.ports import Context, PeopleDirectory
from chalicelib.settings import Settings


@dataclass(frozen=True)
class ApiDeps:
    context: Context
    settings: Settings
    people: PeopleDirectory | None = None  # writers in Slack; None: the email alone
    # A post's replies and answers (services/answered.conversation); None: not kept here.
    conversation: Callable[[Post], list[dict[str, Any]]] | None = None


def build_api(deps: Callable[[], ApiDeps]) -> Blueprint:
    """The API's routes; ``deps`` is called per request (and builds on first use)."""
    api = Blueprint(__name__)
    route = json_api(lambda: api.current_request, lambda: deps().context.workflow.language)

    def shown(post: Post, timeline: list[TimelineEvent] | None = None) -> dict[str, Any]:
        """The post's JSON, its images with preview URLs from the context's image store."""
        context = deps().context
        return post_to_api(post, timeline, media=context.media, now=context.clock(),
                           workflow=context.workflow_for(post))

    def who(request: Request) -> Any:
        return identity(request, deps().settings)

    @api.route("/api/posts", methods=["POST"])
    @route
    def create_post(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        data = body(request, PostCreate)
        draft = writing.Draft(text=data.text, channels=data.channels, title=data.title or "",
                              variants=data.variants, publish_at=data.publish_at,
                              media=data.media, brand=data.brand)
        given = deps()
        return 201, shown(writing.create(given.context, caller, draft, submit=data.submit,
                                         people=given.people))

    @api.route("/api/posts", methods=["GET"])
    @route
    def list_posts(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        params: dict[str, str] = dict(request.query_params or {})
        status = params.get("status") or None
        if status is not None and status not in STATUSES:
            raise ApiError(422, "invalid_query", field="status", problem=", ".join(STATUSES))
        mine = writing.mine(deps().context, caller, status, params.get("brand"))
        return 200, {"posts": [shown(p) for p in mine]}

    @api.route("/api/posts/{post_id}", methods=["GET"])
    @route
    def get_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        post, timeline = writing.read(deps().context, who(request), post_id)
        answer = shown(post, timeline)
        conversation = deps().conversation
        answer["conversation"] = conversation(post) if conversation is not None else []
        return 200, answer

    @api.route("/api/posts/{post_id}", methods=["PATCH"])
    @route
    def edit_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        data = body(request, PostPatch)
        changes = {name: getattr(data, name) for name in data.model_fields_set if name != "version"}
        if "title" in changes and changes["title"] is None:
            changes["title"] = ""
        for required in ("text", "channels", "media"):
            if required in changes and changes[required] is None:
                raise ApiError(422, "invalid_field", field=required, problem="null")
        return 200, shown(writing.edit(deps().context, caller, post_id, data.version, changes))

    @api.route("/api/posts/{post_id}/submit", methods=["POST"])
    @route
    def submit_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        body(request, NoBody)
        given = deps()
        return 200, shown(writing.submit(given.context, caller, post_id,
                                         people=given.people))

    @api.route("/api/posts/{post_id}/withdraw", methods=["POST"])
    @route
    def withdraw_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        body(request, NoBody)
        return 200, shown(writing.withdraw(deps().context, caller, post_id))

    # -- review depth (CONTRACT §9) --------------------------------------------------------

    @api.route("/api/posts/{post_id}/holds/{step}/release", methods=["POST"])
    @route
    def release_hold(request: Request, post_id: str, step: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import review

        caller = who(request)
        body(request, NoBody)
        given = deps()
        # The person behind the sign-in, as Slack knows them: holds are a reviewer's matter.
        try:
            slack_id = given.people.user_for_email(caller.email) if given.people else None
        except Exception:  # noqa: BLE001 - Slack unavailable: nobody is confirmed (fail closed)
            slack_id = None
        if not slack_id:
            raise ApiError(403, "release_needs_slack")
        # Named reviewers and admins; a reviewer_group's members release in Slack.
        return 200, shown(review.release(given.context, post_id, step, slack_id))

    @api.route("/api/posts/{post_id}/comments", methods=["POST"])
    @route
    def add_comment(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        data = body(request, CommentCreate)
        post = writing.comment(deps().context, caller, post_id, data.text, data.visibility)
        return 201, shown(post)

    @api.route("/api/posts/{post_id}/changes", methods=["GET"])
    @route
    def post_changes(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        params: dict[str, str] = dict(request.query_params or {})
        since = params.get("from") or ""
        if not since:
            raise ApiError(422, "invalid_query", field="from", problem="content_hash")
        return 200, writing.changes(deps().context, caller, post_id, since)

    @api.route("/api/channels", methods=["GET"])
    @route
    def list_channels(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        who(request)
        ctx = deps().context
        # require_alt_text: whether the page asks alt text for every image on every channel
        # (Bluesky asks it whatever the workflow says).
        # x_prices: what a post costs on an X channel (domain/pricing.py), shown beside its
        # counter.
        listed = []
        for c in writing.channels(ctx):
            channel: dict[str, Any] = {"name": c.name, "type": c.kind, "limit": c.limit}
            costing = next((flow.x_costing(c.name) for flow in ctx.organization.brands.values()
                            if c.name in flow.channels), None)
            if costing is not None:
                channel["x_prices"] = costing.prices.to_json()
            listed.append(channel)
        return 200, {"channels": listed, "require_alt_text": ctx.workflow.require_alt_text}

    @api.route("/api/calendar", methods=["GET"])
    @route
    def calendar(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import writing

        caller = who(request)
        context = deps().context
        params: dict[str, str] = dict(request.query_params or {})
        bounds = {}
        for name in ("from", "to"):
            raw = params.get(name)
            try:
                value = datetime.fromisoformat((raw or "").replace("Z", "+00:00"))
            except ValueError:
                raise ApiError(422, "invalid_query", field=name,
                               problem="2026-12-01T00:00:00+01:00") from None
            if value.tzinfo is None:
                value = value.replace(tzinfo=context.workflow.zone)
            bounds[name] = value
        posts = writing.calendar(context, caller, bounds["from"], bounds["to"],
                                 params.get("brand"))
        return 200, {"posts": [shown(p) for p in posts]}

    @api.route("/api/me", methods=["GET"])
    @route
    def me(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import brands

        caller = who(request)
        context = deps().context
        workflow = context.workflow
        # admin: whether the page shows its admin section (CONTRACT §8); the admin API checks
        # it again on every call. brands: those the caller may write for (the compose form
        # asks for one when there are several).
        return 200, {"email": caller.email, "name": caller.name,
                     "language": language(request, workflow.language),
                     "timezone": workflow.timezone,
                     "admin": workflow.is_web_admin(caller.email),
                     "brands": [brands.describe(flow) for flow in brands.writable(context, caller)]}

    # -- images (CONTRACT §7): the bytes go straight to the image store, never through here --

    @api.route("/api/media", methods=["POST"])
    @route
    def create_media(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.http.media_models import MediaCreate, media_to_api
        from chalicelib.services import media

        caller = who(request)
        data = body(request, MediaCreate)
        created, upload = media.create_upload(deps().context, caller, data.filename,
                                              data.content_type, data.size)
        return 201, {**media_to_api(created), "upload": upload}

    @api.route("/api/media/{media_id}/complete", methods=["POST"])
    @route
    def complete_media(request: Request, media_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.http.media_models import media_to_api
        from chalicelib.services import media

        caller = who(request)
        body(request, NoBody)
        context = deps().context
        ready = media.complete(context, caller, media_id)
        return 200, media_to_api(ready, media.url_of(context, ready))

    @api.route("/api/media/{media_id}", methods=["GET"])
    @route
    def get_media(request: Request, media_id: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.http.media_models import media_to_api
        from chalicelib.services import media

        found, url = media.read(deps().context, who(request), media_id)
        return 200, media_to_api(found, url)

    @api.route("/api/openapi.json", methods=["GET"])
    def openapi() -> dict[str, Any]:
        from chalicelib.http.openapi import spec

        return spec()

    return api
