"""The writers' HTTP API (CONTRACT section 4). Each route parses, calls one service,
and answers JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from chalice import Blueprint
from chalice.app import Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from chalicelib.http.support import ApiError, body, identity, json_api

api = Blueprint(__name__)
route = json_api(lambda: api.current_request)

STATUSES = ("draft", "in_review", "changes_requested", "rejected", "scheduled", "publishing",
            "published", "partially_published", "failed", "withdrawn", "expired")
Text = Annotated[StrictStr, Field(max_length=70000)]
ChannelName = Annotated[StrictStr, Field(max_length=40)]


class PostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    channels: Annotated[list[ChannelName], Field(max_length=20)]
    variants: dict[ChannelName, Text] | None = None
    publish_at: AwareDatetime | None = None
    title: Annotated[StrictStr, Field(max_length=1000)] | None = None
    submit: StrictBool = True


class PostPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: StrictInt
    text: Text | None = None
    channels: Annotated[list[ChannelName], Field(max_length=20)] | None = None
    variants: dict[ChannelName, Text] | None = None
    publish_at: AwareDatetime | None = None
    title: Annotated[StrictStr, Field(max_length=1000)] | None = None


class NoBody(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _ctx() -> Any:
    from chalicelib import bootstrap

    return bootstrap.context()


@api.route("/api/posts", methods=["POST"])
@route
def create_post(request: Request) -> tuple[int, dict[str, Any]]:
    from chalicelib.domain.serialize import post_to_api
    from chalicelib.services import posts

    who = identity(request)
    data = body(request, PostCreate)
    draft = posts.Draft(text=data.text, channels=data.channels, title=data.title or "",
                        variants=data.variants, publish_at=data.publish_at)
    post = posts.create(_ctx(), who, draft, submit=data.submit)
    return 201, post_to_api(post)


@api.route("/api/posts", methods=["GET"])
@route
def list_posts(request: Request) -> tuple[int, dict[str, Any]]:
    from chalicelib.services import posts

    who = identity(request)
    params: dict[str, str] = dict(request.query_params or {})
    status = params.get("status") or None
    if status is not None and status not in STATUSES:
        raise ApiError(422, "invalid_query", field="status", problem=", ".join(STATUSES))
    return 200, {"posts": posts.mine(_ctx(), who, status)}


@api.route("/api/posts/{post_id}", methods=["GET"])
@route
def get_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
    from chalicelib.services import posts

    return 200, posts.read(_ctx(), identity(request), post_id)


@api.route("/api/posts/{post_id}", methods=["PATCH"])
@route
def edit_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
    from chalicelib.domain.serialize import post_to_api
    from chalicelib.services import posts

    who = identity(request)
    data = body(request, PostPatch)
    changes = {name: getattr(data, name) for name in data.model_fields_set if name != "version"}
    if "title" in changes and changes["title"] is None:
        changes["title"] = ""
    for required in ("text", "channels"):
        if required in changes and changes[required] is None:
            raise ApiError(422, "invalid_field", field=required, problem="null")
    post = posts.edit(_ctx(), who, post_id, data.version, changes)
    return 200, post_to_api(post)


@api.route("/api/posts/{post_id}/submit", methods=["POST"])
@route
def submit_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
    from chalicelib.domain.serialize import post_to_api
    from chalicelib.services import posts

    who = identity(request)
    body(request, NoBody)
    return 200, post_to_api(posts.submit(_ctx(), who, post_id))


@api.route("/api/posts/{post_id}/withdraw", methods=["POST"])
@route
def withdraw_post(request: Request, post_id: str) -> tuple[int, dict[str, Any]]:
    from chalicelib.domain.serialize import post_to_api
    from chalicelib.services import posts

    who = identity(request)
    body(request, NoBody)
    return 200, post_to_api(posts.withdraw(_ctx(), who, post_id))


@api.route("/api/channels", methods=["GET"])
@route
def list_channels(request: Request) -> tuple[int, dict[str, Any]]:
    from chalicelib.services import posts

    identity(request)
    return 200, {"channels": posts.channels(_ctx())}


@api.route("/api/calendar", methods=["GET"])
@route
def calendar(request: Request) -> tuple[int, dict[str, Any]]:
    from chalicelib.services import posts

    who = identity(request)
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
            from chalicelib import bootstrap

            value = value.replace(tzinfo=bootstrap.workflow().zone)
        bounds[name] = value
    return 200, {"posts": posts.calendar(_ctx(), who, bounds["from"], bounds["to"])}


@api.route("/api/me", methods=["GET"])
@route
def me(request: Request) -> tuple[int, dict[str, Any]]:
    from chalicelib import bootstrap
    from chalicelib.http.support import language

    who = identity(request)
    workflow = bootstrap.workflow()
    return 200, {"email": who.email, "name": who.name, "language": language(request),
                 "timezone": workflow.timezone}


@api.route("/api/openapi.json", methods=["GET"])
def openapi() -> dict[str, Any]:
    from chalicelib.http.openapi import spec

    return spec()
