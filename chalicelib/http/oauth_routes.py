"""Connecting a channel's account by OAuth (docs/api.md, "Connecting an account").

``GET /api/admin/channels/{name}/connect`` (admins only) answers 302 to the network's
authorization page, or ``{"url"}`` when the caller asks for JSON (the web page fetches it with
its sign-in and then navigates). Either way the admin's browser receives a cookie whose value
only that browser holds; the callback ``GET /oauth/callback`` is a public route (the network
sends the browser there without our sign-in header), and the ``state`` it brings counts only
together with that cookie. A wrong, replayed or expired ``state`` is a 400 page in the admin's
words; success redirects (302) to the admin page.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.errors import DomainError
from chalicelib.domain.workflow import Workflow
from chalicelib.http.review_page import public_base
from chalicelib.http.support import ApiError, identity, json_api, language
from chalicelib.i18n import t
from chalicelib.services import connect as connecting
from chalicelib.services.ports import Identity
from chalicelib.settings import Settings
from chalicelib.web.routes import security_headers

COOKIE = "freigabe_connect"
CALLBACK = "oauth/callback"


@dataclass(frozen=True)
class OAuthDeps:
    connect: connecting.Connect
    settings: Settings
    workflow: Workflow


def redirect_uri(request: Request, settings: Settings) -> str:
    return public_base(request, settings) + CALLBACK


def build_oauth_routes(deps: Callable[[], OAuthDeps]) -> Blueprint:
    routes = Blueprint(__name__)
    route = json_api(lambda: routes.current_request, lambda: deps().workflow.language)

    @routes.route("/api/admin/channels/{name}/connect", methods=["GET"])
    @route
    def connect_channel(request: Request, name: str) -> Response:
        given = deps()
        admin = identity(request, given.settings)
        if not given.workflow.is_web_admin(admin.email):
            raise ApiError(403, "not_admin")
        binding = secrets.token_urlsafe(32)
        callback = redirect_uri(request, given.settings)
        url = connecting.start(given.connect, name, admin, callback, binding)
        headers = {"Set-Cookie": _cookie(callback, binding, 600), "Cache-Control": "no-store"}
        if "application/json" in (request.headers.get("accept") or ""):
            return Response(body={"url": url}, status_code=200,
                            headers={**headers, "Content-Type": "application/json"})
        return Response(body="", status_code=302, headers={**headers, "Location": url})

    @routes.route("/oauth/callback", methods=["GET"])
    def oauth_callback() -> Response:
        request = routes.current_request
        assert request is not None
        given = deps()
        lang = language(request, given.workflow.language)
        params: dict[str, str] = dict(request.query_params or {})
        callback = redirect_uri(request, given.settings)
        try:
            name = connecting.finish(given.connect, params.get("state", ""), params.get("code"),
                                     params.get("error_description") or params.get("error"),
                                     _cookie_value(request), _maybe_admin(request, given.settings))
        except DomainError as err:
            return _page(400, t(err.key, lang, **err.params), public_base(request, given.settings),
                         lang, _cookie(callback, "", 0))
        target = f"{public_base(request, given.settings)}#admin/channels/{quote(name)}"
        return Response(body="", status_code=302, headers={
            "Location": target, "Set-Cookie": _cookie(callback, "", 0),
            "Cache-Control": "no-store"})

    return routes


def _maybe_admin(request: Request, settings: Settings) -> Identity | None:
    """The signed-in admin when the callback carries a sign-in (it does not when the network
    sends the browser back: then the cookie alone ties it to the admin who started)."""
    try:
        return identity(request, settings)
    except ApiError:
        return None


def _cookie(callback: str, value: str, max_age: int) -> str:
    parts = urlsplit(callback)
    secure = "; Secure" if parts.scheme == "https" else ""
    # SameSite=Lax: the browser sends it on the network's top-level redirect back, never on a
    # request another site makes in the background.
    return (f"{COOKIE}={value}; Path={parts.path}; Max-Age={max_age}; HttpOnly; "
            f"SameSite=Lax{secure}")


def _cookie_value(request: Request) -> str | None:
    for part in (request.headers.get("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == COOKIE and value:
            return value
    return None


def _page(status: int, message: str, home: str, lang: str, cookie: str) -> Response:
    back = "Zurück zu Freigabe" if lang == "de" else "Back to Freigabe"
    body = (f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>Freigabe</title>'
            f"<p>{html.escape(message)}</p>"
            f'<p><a href="{html.escape(home)}#admin/channels">{back}</a></p></html>')
    return Response(body=body, status_code=status, headers={
        **security_headers(), "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store", "Set-Cookie": cookie})
