"""The web page's Away form (docs/api.md "Deputies"): a reviewer, matched to Slack by their
e-mail like a hold's release, names who decides for them until a date, and ends it.

| call | does |
|---|---|
| `GET /api/me/away` | `{"reviewer", "away": {"until", "deputy", "deputy_email"} | null, "covering"}` |
| `PUT /api/me/away` | `{"until", "deputy"}` (a date or ``3d``; the deputy's e-mail) → 200 the absence |
| `DELETE /api/me/away` | ends it → 200 |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.app import Blueprint, Request
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.deputies import Away, parse_until
from chalicelib.http.support import ApiError, body, identity, json_api
from chalicelib.services.ports import Context, PeopleDirectory, PersonLookup
from chalicelib.settings import Settings


class AwayBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: str = Field(min_length=1, max_length=40)
    deputy: str = Field(min_length=1, max_length=254)  # an e-mail, or a Slack user id


class NoBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class AwayDeps:
    context: Context
    settings: Settings
    people: PeopleDirectory  # e-mail -> Slack user
    members: PersonLookup  # person, bot or unknown
    # Whether a Slack user reviews any step (named, or in a reviewer group).
    is_reviewer: Callable[[str], bool]
    # A Slack user's e-mail, so the page names people as it knows them (None: not known).
    email_of: Callable[[str], str | None] = lambda _user: None


def build_away_routes(deps: Callable[[], AwayDeps]) -> Blueprint:
    api = Blueprint(__name__)
    route = json_api(lambda: api.current_request, lambda: deps().context.workflow.language)

    def slack_id_of(given: AwayDeps, email: str) -> str:
        try:
            found = given.people.user_for_email(email)
        except Exception:  # noqa: BLE001 - Slack unavailable: nobody is confirmed (fail closed)
            found = None
        if not found:
            raise ApiError(403, "away_needs_slack")
        return found

    def shown(given: AwayDeps, me: str) -> dict[str, Any]:
        from chalicelib.services import deputies

        away = deputies.away_of(given.context, me)
        return {"reviewer": given.is_reviewer(me),
                "away": _away(away, given.email_of) if away else None,
                "covering": [_away(a, given.email_of)
                             for a in deputies.covering(given.context, me)]}

    @api.route("/api/me/away", methods=["GET"])
    @route
    def read_away(request: Request) -> tuple[int, dict[str, Any]]:
        caller = identity(request, deps().settings)
        given = deps()
        return 200, shown(given, slack_id_of(given, caller.email))

    @api.route("/api/me/away", methods=["PUT"])
    @route
    def set_away(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import deputies

        caller = identity(request, deps().settings)
        data = body(request, AwayBody)
        given = deps()
        me = slack_id_of(given, caller.email)
        ctx = given.context
        until = parse_until(data.until, ctx.clock(), ctx.workflow.zone)
        typed = data.deputy.strip()
        if "@" in typed:
            try:
                deputy = given.people.user_for_email(typed.lower()) or ""
            except Exception:  # noqa: BLE001 - Slack unavailable: the deputy is not confirmed
                deputy = ""
            if not deputy:
                raise ApiError(422, "deputy_unknown")
        else:
            deputy = typed
        deputies.set_away(ctx, me, until, deputy, people=given.members, by=caller.email)
        return 200, shown(given, me)

    @api.route("/api/me/away", methods=["DELETE"])
    @route
    def end_away(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import deputies

        caller = identity(request, deps().settings)
        given = deps()
        me = slack_id_of(given, caller.email)
        deputies.end_away(given.context, me)
        return 200, shown(given, me)

    return api


def _away(away: Away, email_of: Callable[[str], str | None]) -> dict[str, Any]:
    data = away.to_dict()
    return {"reviewer": data["reviewer"], "deputy": data["deputy"], "from": data["from"],
            "until": data["until"], "reviewer_email": _known(email_of, away.reviewer),
            "deputy_email": _known(email_of, away.deputy)}


def _known(email_of: Callable[[str], str | None], user_id: str) -> str | None:
    try:
        return email_of(user_id)
    except Exception:  # noqa: BLE001 - Slack unavailable: the page shows the id
        return None
