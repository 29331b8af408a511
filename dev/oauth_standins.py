"""Stand-in authorization servers (and the posting endpoint behind each) for `make run`, so an
admin can click through Connect for every network on a laptop (`python -m dev.oauth_standins`).

One server, a path prefix per network, each following that network's documented endpoints and
token lifetimes:

- ``/mastodon``: POST /api/v1/apps, GET /oauth/authorize, POST /oauth/token (PKCE checked when
  a challenge was sent), GET /api/v1/accounts/verify_credentials, POST /api/v1/statuses.
  Tokens do not expire.
- ``/x``: GET /i/oauth2/authorize, POST /2/oauth2/token (PKCE S256 required; HTTP Basic for a
  confidential client), GET /2/users/me, POST /2/tweets. Access tokens last 2 hours; with
  ``offline.access`` a refresh token comes along, and each one works exactly once (a refresh
  answers a new one).
- ``/linkedin``: GET /oauth/v2/authorization, POST /oauth/v2/accessToken, GET /v2/userinfo,
  POST /rest/posts (a ``LinkedIn-Version`` in ``retired`` is 426 NONEXISTENT_VERSION). Access
  tokens last 60 days; a refresh token (a year) only when ``linkedin_refresh`` is on, as
  LinkedIn grants them only to approved apps.
- ``/facebook``: GET /v23.0/dialog/oauth, GET /v23.0/oauth/access_token (code, then
  fb_exchange_token for a 60-day user token), GET /v23.0/me/accounts (the Page's token never
  expires), POST /v23.0/<page>/feed.

The authorization pages show an Authorize button; ``<prefix>/approve`` with the same query
answers as the network does after consent (302 to ``redirect_uri`` with ``code`` and
``state``). ``POST /_dev/reply`` ``{"network": "mastodon", "in_reply_to", "text", "author"}``
makes a reply to one of our statuses (or, without ``in_reply_to``, a mention) that the next
listening run reads from ``/mastodon/api/v1/notifications``.
Lifetimes are switchable short for tests: ``FREIGABE_STANDIN_SHORT=1`` (X: 60 s,
LinkedIn: 120 s) or ``POST /_dev/lifetimes`` with ``{"x": 5, "linkedin": 5}``; ``POST
/_dev/revoke`` ``{"token"}`` revokes a token; ``GET /_dev/state`` shows counts per endpoint.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

HOUR = 3600
DAY = 24 * HOUR
PAGE_ID = "104857600"
PAGE_NAME = "Freigabe Stand-in Page"


@dataclass
class Grant:
    network: str
    client_id: str
    expires_at: float | None
    account: str


@dataclass
class Standins:
    """Every network's issued codes and tokens, thread-safe."""

    lifetimes: dict[str, float] = field(default_factory=lambda: {
        "x": 2 * HOUR, "linkedin": 60 * DAY, "linkedin_refresh": 365 * DAY,
        "facebook_user": 60 * DAY})
    linkedin_refresh: bool = False
    retired: set[str] = field(default_factory=lambda: {"202301", "202401"})
    apps: dict[str, dict[str, str]] = field(default_factory=dict)  # client_id -> app
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    tokens: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    # Mentions of the Mastodon account (replies to its statuses and mentions), oldest first:
    # made on demand by POST /_dev/reply, read by GET /mastodon/api/v1/notifications.
    notifications: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def issue(self, network: str, client_id: str, lifetime: float | None, account: str,
              refresh: bool) -> dict[str, Any]:
        token = f"{network}-at-{secrets.token_urlsafe(18)}"
        expires = time.time() + lifetime if lifetime else None
        self.tokens[token] = Grant(network, client_id, expires, account)
        answer: dict[str, Any] = {"access_token": token, "token_type": "bearer"}
        if lifetime:
            answer["expires_in"] = int(lifetime)
        if refresh:
            refresh_token = f"{network}-rt-{secrets.token_urlsafe(18)}"
            refresh_life = self.lifetimes.get(f"{network}_refresh")
            self.refresh_tokens[refresh_token] = Grant(
                network, client_id, time.time() + refresh_life if refresh_life else None, account)
            answer["refresh_token"] = refresh_token
            if refresh_life:
                answer["refresh_token_expires_in"] = int(refresh_life)
        return answer

    def valid(self, network: str, token: str) -> Grant | None:
        grant = self.tokens.get(token)
        if grant is None or grant.network != network:
            return None
        if grant.expires_at is not None and grant.expires_at <= time.time():
            return None
        return grant


def short_lifetimes(standins: Standins) -> None:
    standins.lifetimes.update({"x": 60, "linkedin": 120, "facebook_user": 120})


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Reply(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


AUTHORIZE_PATHS = {"/mastodon/oauth/authorize": "mastodon", "/x/i/oauth2/authorize": "x",
                   "/linkedin/oauth/v2/authorization": "linkedin",
                   "/facebook/v23.0/dialog/oauth": "facebook"}


class Handler(BaseHTTPRequestHandler):
    standins: Standins  # set on the class by serve()

    def log_message(self, format: str, *args: Any) -> None:
        return  # the stack prints its own lines; tokens must not reach a console

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        form: dict[str, Any] = {}
        if raw and (self.headers.get("content-type") or "").startswith("application/json"):
            try:
                loaded = json.loads(raw)
                form = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                form = {}
        elif raw:
            form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8")).items()}
        params = {**query, **form}
        try:
            with self.standins.lock:
                self.standins.count(f"{method} {parts.path}")
            route(self, method, parts.path, params)
        except Reply as reply:
            self._send(reply)

    def bearer(self) -> str:
        value = self.headers.get("authorization") or ""
        return value[7:] if value.lower().startswith("bearer ") else ""

    def basic(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization") or ""
        if not value.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        except ValueError:
            return None
        return user, password

    def _send(self, reply: Reply) -> None:
        if isinstance(reply.body, str):
            body, kind = reply.body.encode("utf-8"), "text/html; charset=utf-8"
        else:
            body, kind = json.dumps(reply.body).encode("utf-8"), "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def route(handler: Handler, method: str, path: str, params: dict[str, Any]) -> None:
    standins = handler.standins
    if path in AUTHORIZE_PATHS:
        raise Reply(200, _consent_page(AUTHORIZE_PATHS[path], path, params))
    if path.endswith("/approve"):
        raise _approve(standins, path.removesuffix("/approve"), params)
    with standins.lock:
        if path.startswith("/_dev/"):
            raise _dev(standins, method, path, params)
        if path.startswith("/mastodon/"):
            raise _mastodon(handler, method, path.removeprefix("/mastodon"), params)
        if path.startswith("/x/"):
            raise _x(handler, method, path.removeprefix("/x"), params)
        if path.startswith("/linkedin/"):
            raise _linkedin(handler, method, path.removeprefix("/linkedin"), params)
        if path.startswith("/facebook/"):
            raise _facebook(handler, method, re.sub(r"^/facebook(/v\d+\.\d+)?", "", path), params)
    raise Reply(404, {"error": "not_found"})


def _consent_page(network: str, path: str, params: dict[str, Any]) -> str:
    prefix = path[: path.index("/", 1)]
    fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">'
                     for k, v in params.items())
    scope = html.escape(str(params.get("scope", "")))
    return (f'<!doctype html><meta charset="utf-8"><title>{network} stand-in</title>'
            f"<h1>{network} (stand-in)</h1><p>Freigabe asks for: {scope}</p>"
            f'<form method="get" action="{prefix}/approve">{fields}'
            '<button type="submit">Authorize</button></form>'
            f'<form method="get" action="{html.escape(str(params.get("redirect_uri", "")))}">'
            f'<input type="hidden" name="error" value="access_denied">'
            f'<input type="hidden" name="state" value="{html.escape(str(params.get("state", "")))}">'
            '<button type="submit">Cancel</button></form>')


def _approve(standins: Standins, prefix: str, params: dict[str, Any]) -> Reply:
    redirect = str(params.get("redirect_uri") or "")
    if not redirect.startswith(("http://", "https://")):
        return _error(400, "invalid_request", "redirect_uri is missing")
    code = secrets.token_urlsafe(16)
    with standins.lock:
        standins.codes[code] = {"network": prefix.strip("/"), "client_id": str(params.get("client_id", "")),
                                "redirect_uri": redirect, "scope": str(params.get("scope", "")),
                                "challenge": str(params.get("code_challenge", ""))}
    separator = "&" if "?" in redirect else "?"
    return Reply(302, "", {"Location": redirect + separator + urlencode(
        {"code": code, "state": str(params.get("state", ""))})})


def _take_code(standins: Standins, network: str, params: dict[str, Any], *,
               pkce_required: bool) -> dict[str, str]:
    code = standins.codes.pop(str(params.get("code", "")), None)
    if code is None or code["network"] != network:
        raise _error(400, "invalid_grant", "the authorization code is invalid or was used")
    if code["redirect_uri"] != params.get("redirect_uri"):
        raise _error(400, "invalid_grant", "redirect_uri does not match")
    if code["challenge"] or pkce_required:
        verifier = str(params.get("code_verifier") or "")
        if not verifier or _challenge(verifier) != code["challenge"]:
            raise _error(400, "invalid_grant", "the code verifier does not match the challenge")
    return code


def _dev(standins: Standins, method: str, path: str, params: dict[str, Any]) -> Reply:
    if path == "/_dev/lifetimes" and method == "POST":
        standins.lifetimes.update({k: float(v) for k, v in params.items()
                                   if k in standins.lifetimes})
        if "linkedin_refresh_tokens" in params:
            standins.linkedin_refresh = bool(params["linkedin_refresh_tokens"])
        return Reply(200, standins.lifetimes)
    if path == "/_dev/revoke" and method == "POST":
        token = str(params.get("token", ""))
        found = standins.tokens.pop(token, None) or standins.refresh_tokens.pop(token, None)
        return Reply(200 if found else 404, {"revoked": bool(found)})
    if path == "/_dev/reply" and method == "POST":
        return _dev_reply(standins, params)
    if path == "/_dev/state":
        return Reply(200, {"calls": standins.calls, "posts": standins.posts})
    return Reply(404, {"error": "not_found"})


def _dev_reply(standins: Standins, params: dict[str, Any]) -> Reply:
    """Someone answers one of our Mastodon statuses (``in_reply_to``: its id; empty: a mention
    of the account) with ``text`` as ``author``: the next listening run reads it."""
    if str(params.get("network") or "mastodon") != "mastodon":
        return Reply(400, {"error": "only the mastodon stand-in makes replies"})
    text = str(params.get("text") or "").strip()
    if not text:
        return Reply(400, {"error": "text is missing"})
    author = str(params.get("author") or "kim")
    author = author if "@" in author else author + "@mastodon.stand-in"
    in_reply_to = str(params.get("in_reply_to") or "") or None
    number = len(standins.notifications) + 1
    status_id = str(900_000 + number)
    at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    account = {"id": str(7000 + number), "acct": author, "username": author.split("@")[0]}
    standins.notifications.append({
        "id": str(number), "type": "mention", "created_at": at, "account": account,
        "status": {"id": status_id, "created_at": at, "in_reply_to_id": in_reply_to,
                   "content": f"<p>{html.escape(text)}</p>", "account": account,
                   "url": f"https://mastodon.stand-in/@{account['username']}/{status_id}"}})
    return Reply(200, {"id": status_id, "in_reply_to": in_reply_to})


def _mastodon(handler: Handler, method: str, path: str, params: dict[str, Any]) -> Reply:
    standins = handler.standins
    if (method, path) == ("POST", "/api/v1/apps"):
        client_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
        standins.apps[client_id] = {"secret": secret, "redirect_uri": str(params.get("redirect_uris"))}
        return Reply(200, {"client_id": client_id, "client_secret": secret,
                           "name": params.get("client_name")})
    if (method, path) == ("POST", "/oauth/token"):
        app = standins.apps.get(str(params.get("client_id")))
        if app is None or app["secret"] != params.get("client_secret"):
            return _error(401, "invalid_client", "Client authentication failed")
        _take_code(standins, "mastodon", params, pkce_required=False)
        return Reply(200, standins.issue("mastodon", str(params["client_id"]), None,
                                         "editor@mastodon.stand-in", refresh=False))
    grant = standins.valid("mastodon", handler.bearer())
    if grant is None:
        return Reply(401, {"error": "The access token is invalid"})
    if path == "/api/v1/accounts/verify_credentials":
        return Reply(200, {"id": "1", "username": "editor", "acct": grant.account})
    if (method, path) == ("GET", "/api/v1/notifications"):
        after = str(params.get("min_id") or params.get("since_id") or "0")
        found = [n for n in standins.notifications if int(n["id"]) > int(after or 0)][:40]
        return Reply(200, list(reversed(found)))
    if (method, path) == ("POST", "/api/v1/statuses"):
        number = len(standins.posts) + 1
        standins.posts.append({"network": "mastodon", "id": str(number), "text": params.get("status"),
                               "in_reply_to_id": params.get("in_reply_to_id")})
        return Reply(200, {"id": str(number), "url": f"https://mastodon.stand-in/@editor/{number}"})
    return Reply(404, {"error": "Record not found"})


def _x(handler: Handler, method: str, path: str, params: dict[str, Any]) -> Reply:
    standins = handler.standins
    if (method, path) == ("POST", "/2/oauth2/token"):
        basic = handler.basic()
        client_id = basic[0] if basic else str(params.get("client_id", ""))
        if not client_id:
            return _error(401, "unauthorized_client", "Missing valid authorization header")
        if params.get("grant_type") == "refresh_token":
            old = standins.refresh_tokens.pop(str(params.get("refresh_token", "")), None)
            if old is None or old.network != "x":
                return _error(400, "invalid_request", "Value passed for the token was invalid.")
            return Reply(200, standins.issue("x", client_id, standins.lifetimes["x"], old.account,
                                             refresh=True))
        code = _take_code(standins, "x", params, pkce_required=True)
        offline = "offline.access" in code["scope"].split()
        return Reply(200, standins.issue("x", client_id, standins.lifetimes["x"], "freigabe_demo",
                                         refresh=offline))
    grant = standins.valid("x", handler.bearer())
    if grant is None:
        return Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                           "detail": "Unauthorized"})
    if path == "/2/users/me":
        return Reply(200, {"data": {"id": "2244994945", "username": grant.account}})
    if (method, path) == ("POST", "/2/tweets"):
        standins.posts.append({"network": "x", "text": params.get("text")})
        return Reply(201, {"data": {"id": str(1_800_000_000 + len(standins.posts)),
                                    "text": params.get("text")}})
    return Reply(404, {"title": "Not Found Error"})


def _linkedin(handler: Handler, method: str, path: str, params: dict[str, Any]) -> Reply:
    standins = handler.standins
    if (method, path) == ("POST", "/oauth/v2/accessToken"):
        client_id = str(params.get("client_id", ""))
        if not client_id or not params.get("client_secret"):
            return _error(401, "invalid_client", "Client authentication failed")
        if params.get("grant_type") == "refresh_token":
            old = standins.refresh_tokens.get(str(params.get("refresh_token", "")))
            if old is None or (old.expires_at or 0) <= time.time():
                return _error(400, "invalid_request", "The provided refresh token is invalid")
            answer = standins.issue("linkedin", client_id, standins.lifetimes["linkedin"],
                                    old.account, refresh=False)
            return Reply(200, answer)  # LinkedIn keeps the refresh token until it ends
        _take_code(standins, "linkedin", params, pkce_required=False)
        return Reply(200, standins.issue("linkedin", client_id, standins.lifetimes["linkedin"],
                                         "Erika Mustermann", refresh=standins.linkedin_refresh))
    grant = standins.valid("linkedin", handler.bearer())
    if grant is None:
        return Reply(401, {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                           "message": "Invalid access token"})
    if path == "/v2/userinfo":
        return Reply(200, {"sub": "782bbtaQ", "name": grant.account})
    if (method, path) == ("POST", "/rest/posts"):
        version = handler.headers.get("linkedin-version") or ""
        if version in standins.retired or not version.isdigit():
            return Reply(426, {"status": 426, "code": "NONEXISTENT_VERSION",
                               "message": f"Requested version {version} is not active"})
        standins.posts.append({"network": "linkedin", "text": params.get("commentary")})
        return Reply(201, "", {"x-restli-id": f"urn:li:share:{7_000_000 + len(standins.posts)}"})
    return Reply(404, {"status": 404, "message": "No virtual resource found"})


def _facebook(handler: Handler, method: str, path: str, params: dict[str, Any]) -> Reply:
    standins = handler.standins
    if path == "/oauth/access_token":
        client_id = str(params.get("client_id", ""))
        if not client_id or not params.get("client_secret"):
            return Reply(400, {"error": {"message": "Missing client_secret", "code": 1}})
        if params.get("grant_type") == "fb_exchange_token":
            short = standins.valid("facebook_user", str(params.get("fb_exchange_token", "")))
            if short is None:
                return Reply(400, {"error": {"message": "Invalid OAuth access token", "code": 190}})
            return Reply(200, standins.issue("facebook_user", client_id,
                                             standins.lifetimes["facebook_user"], short.account,
                                             refresh=False))
        _take_code(standins, "facebook", params, pkce_required=False)
        return Reply(200, standins.issue("facebook_user", client_id, 2 * HOUR, "Erika",
                                         refresh=False))
    if path == "/me/accounts":
        user = standins.valid("facebook_user", str(params.get("access_token", "")))
        if user is None:
            return Reply(400, {"error": {"message": "Invalid OAuth access token", "code": 190}})
        page = standins.issue("facebook", user.client_id, None, PAGE_NAME, refresh=False)
        return Reply(200, {"data": [{"id": PAGE_ID, "name": PAGE_NAME,
                                     "access_token": page["access_token"]}]})
    if (method, path) == ("POST", f"/{PAGE_ID}/feed"):
        token = str(params.get("access_token") or handler.bearer())
        if standins.valid("facebook", token) is None:
            return Reply(400, {"error": {"message": "Invalid OAuth access token", "code": 190}})
        standins.posts.append({"network": "facebook", "text": params.get("message")})
        return Reply(200, {"id": f"{PAGE_ID}_{len(standins.posts)}"})
    return Reply(404, {"error": {"message": "Unknown path", "code": 803}})


def serve(port: int, standins: Standins | None = None,
          host: str = "127.0.0.1") -> tuple[ThreadingHTTPServer, Standins]:
    """Start the stand-ins in a thread; the caller stops them with ``shutdown()``."""
    state = standins or Standins()
    handler = type("BoundHandler", (Handler,), {"standins": state})
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("FREIGABE_OAUTH_PORT", "8003")))
    args = parser.parse_args()
    state = Standins()
    if os.environ.get("FREIGABE_STANDIN_SHORT") == "1":
        short_lifetimes(state)
    server, _ = serve(args.port, state)
    print(f"network stand-ins on http://127.0.0.1:{args.port}/ (mastodon, x, linkedin, facebook)",
          flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
