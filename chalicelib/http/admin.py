"""The admins' channel routes (CONTRACT §8, docs/api.md "Admin: channels"). Each parses, calls
one use case of services/accounts.py and answers JSON; every one refuses a caller who is not
in the workflow file's ``admin_emails`` (403). The OAuth connect flow and its callback are
services/connect.py's; they may register their routes on this blueprint's provider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from chalice.app import Blueprint, Request
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from chalicelib.http.models import NoBody
from chalicelib.http.support import body, identity, json_api
from chalicelib.services.accounts import Accounts
from chalicelib.settings import Settings

Setting = Annotated[StrictStr, Field(max_length=500)]


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[StrictStr, Field(max_length=40)]
    type: Annotated[StrictStr, Field(max_length=40)]
    base_url: Setting | None = None
    settings: Annotated[dict[Annotated[StrictStr, Field(max_length=40)], Setting],
                        Field(max_length=20)] = {}
    x_monthly_budget_usd: StrictFloat | StrictInt | None = None


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    handle: Annotated[StrictStr, Field(max_length=253)]
    app_password: Annotated[StrictStr, Field(max_length=200)]


@dataclass(frozen=True)
class AdminDeps:
    accounts: Accounts
    settings: Settings


def build_admin(deps: Callable[[], AdminDeps]) -> Blueprint:
    """The admins' routes; ``deps`` is called per request (and builds on first use)."""
    admin = Blueprint(__name__)
    route = json_api(lambda: admin.current_request,
                     lambda: deps().accounts.workflow.language)

    @admin.route("/api/admin/channels", methods=["GET"])
    @route
    def list_channels(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import accounts

        given = deps()
        return 200, {"channels": accounts.overview(given.accounts,
                                                   identity(request, given.settings))}

    @admin.route("/api/admin/channels", methods=["POST"])
    @route
    def create_channel(request: Request) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import accounts

        given = deps()
        caller = identity(request, given.settings)
        accounts.require_web_admin(given.accounts.workflow, caller)
        data = body(request, ChannelCreate)
        created = accounts.create(given.accounts, caller, data.name, data.type, data.base_url,
                                  dict(data.settings),
                                  None if data.x_monthly_budget_usd is None
                                  else float(data.x_monthly_budget_usd))
        return 201, accounts.to_api(created, created.status_at(given.accounts.clock()))

    @admin.route("/api/admin/channels/{name}", methods=["DELETE"])
    @route
    def delete_channel(request: Request, name: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import accounts

        given = deps()
        accounts.delete(given.accounts, identity(request, given.settings), name)
        return 200, {"name": name, "deleted": True}

    @admin.route("/api/admin/channels/{name}/credentials", methods=["POST"])
    @route
    def set_credentials(request: Request, name: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import accounts

        given = deps()
        caller = identity(request, given.settings)
        accounts.require_web_admin(given.accounts.workflow, caller)
        data = body(request, Credentials)
        saved = accounts.set_credentials(given.accounts, caller, name, data.handle,
                                         data.app_password)
        return 200, accounts.to_api(saved, saved.status_at(given.accounts.clock()))

    @admin.route("/api/admin/channels/{name}/disconnect", methods=["POST"])
    @route
    def disconnect_channel(request: Request, name: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import accounts

        given = deps()
        caller = identity(request, given.settings)
        accounts.require_web_admin(given.accounts.workflow, caller)
        body(request, NoBody)
        saved = accounts.disconnect(given.accounts, caller, name)
        return 200, accounts.to_api(saved, saved.status_at(given.accounts.clock()))

    @admin.route("/api/admin/channels/{name}/log", methods=["GET"])
    @route
    def channel_log(request: Request, name: str) -> tuple[int, dict[str, Any]]:
        from chalicelib.services import accounts

        given = deps()
        return 200, {"changes": accounts.history(given.accounts,
                                                 identity(request, given.settings), name)}

    return admin
