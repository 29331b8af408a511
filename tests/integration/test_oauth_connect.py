"""Connecting run-time channels by OAuth through the app's HTTP routes and the network
stand-ins `make run` starts (dev/oauth_standins.py), on the local AWS emulator: the admin's
browser goes to the network, consents, comes back with code and state; tokens land in SSM,
never in the table."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from chalicelib import bootstrap
from chalicelib.domain.accounts import ChannelAccount
from dev.oauth_standins import PAGE_ID, Standins, serve
from tests.conftest import free_port

ADMIN = "admin@freigabe.example"
WRITER = "writer@freigabe.example"


@pytest.fixture
def standins(table: str) -> Iterator[tuple[str, Standins]]:
    server, state = serve(free_port())
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()


def raw(url: str, method: str = "GET", body: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """One request without following redirects (as a browser's network tab shows it)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=5)
    data = urlencode(body).encode() if body is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if data else {}
    connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), data, headers)
    answer = connection.getresponse()
    payload = answer.read()
    try:
        parsed: Any = json.loads(payload)
    except ValueError:
        parsed = payload.decode("utf-8", "replace")
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, parsed


def runtime_channel(name: str, kind: str, base_url: str, settings: dict[str, str],
                    client_secret: str | None = None) -> None:
    container = bootstrap.container()
    container.channel_store.save(ChannelAccount(name=name, type=kind, base_url=base_url,
                                                settings=settings), ADMIN, "created")
    if client_secret:
        container.token_vault.put(name, {"client_secret": client_secret})


def channel_settings(kind: str, base: str) -> tuple[str, dict[str, str], str | None]:
    if kind == "mastodon":
        return f"{base}/mastodon", {}, None
    if kind == "x":
        return f"{base}/x", {"client_id": "x-client", "auth_url": f"{base}/x/i/oauth2/authorize"}, "x-secret"
    if kind == "linkedin":
        return f"{base}/linkedin", {
            "client_id": "li-client", "auth_url": f"{base}/linkedin/oauth/v2/authorization",
            "token_url": f"{base}/linkedin/oauth/v2/accessToken", "linkedin_version": "202510"}, "li-secret"
    return f"{base}/facebook/v23.0", {
        "client_id": "fb-app", "auth_url": f"{base}/facebook/v23.0/dialog/oauth"}, "fb-secret"


def start_connect(client: Any, name: str, user: str = ADMIN) -> Any:
    return client.http.get(f"/api/admin/channels/{name}/connect",
                           headers={"X-Freigabe-User": user, "Accept-Language": "en"})


def consent(location: str) -> dict[str, str]:
    """The admin clicks Authorize at the network: its redirect back, as query parameters."""
    parts = urlsplit(location)
    prefix = parts.path[: parts.path.index("/", 1)]
    status, headers, _ = raw(f"{parts.scheme}://{parts.netloc}{prefix}/approve?{parts.query}")
    assert status == 302
    back = urlsplit(headers["location"])
    assert back.path == "/oauth/callback"
    return {key: values[-1] for key, values in parse_qs(back.query).items()}


def header(response: Any, name: str) -> str:
    found = {str(k).lower(): str(v) for k, v in response.headers.items()}
    return found[name.lower()]


def cookie_of(response: Any) -> str:
    return header(response, "set-cookie").split(";")[0]


@pytest.mark.parametrize("kind", ["mastodon", "x", "linkedin", "facebook_page"])
def test_an_admin_connects_each_network_and_the_token_lands_in_ssm(
        client: Any, standins: tuple[str, Standins], kind: str) -> None:
    base, state = standins
    base_url, settings, secret = channel_settings(kind, base)
    runtime_channel("demo", kind, base_url, settings, secret)

    started = start_connect(client, "demo")
    assert started.status_code == 302
    location = header(started, "location")
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == ["http://localhost/oauth/callback"]
    if kind in ("x", "mastodon"):
        assert query["code_challenge_method"] == ["S256"]
    assert "HttpOnly" in header(started, "set-cookie")
    back = consent(location)

    done = client.http.get("/oauth/callback?" + urlencode(back),
                           headers={"Cookie": cookie_of(started)})
    assert done.status_code == 302, done.body
    assert header(done, "location").endswith("#admin/channels/demo")

    container = bootstrap.container()
    account = container.channel_store.get("demo")
    assert account is not None and account.status == "connected" and account.account
    tokens = container.token_vault.get("demo") or {}
    assert tokens["access_token"] in state.tokens
    if kind == "x":
        assert tokens["refresh_token"] in state.refresh_tokens and account.refreshable
        assert account.expires_at is not None
    if kind == "facebook_page":
        assert account.settings["page_id"] == PAGE_ID and account.expires_at is None
    if kind == "linkedin":
        assert account.settings["author"] == "urn:li:person:782bbtaQ" and not account.refreshable
    # The record in the table holds no token.
    item = json.dumps(container.aws("dynamodb").scan(TableName=container.table)["Items"])
    assert tokens["access_token"] not in item

    # The same callback again (a replay) is refused and changes nothing.
    again = client.http.get("/oauth/callback?" + urlencode(back),
                            headers={"Cookie": cookie_of(started), "Accept-Language": "en"})
    assert again.status_code == 400 and "not valid" in again.body.decode()
    assert container.token_vault.get("demo") == tokens


def test_a_callback_from_another_browser_or_a_made_up_state_is_a_400(
        client: Any, standins: tuple[str, Standins]) -> None:
    base, state = standins
    base_url, settings, secret = channel_settings("x", base)
    runtime_channel("demo-x", "x", base_url, settings, secret)
    started = start_connect(client, "demo-x")
    back = consent(header(started, "location"))

    foreign = client.http.get("/oauth/callback?" + urlencode(back),
                              headers={"Cookie": "freigabe_connect=someone-else"})
    assert foreign.status_code == 400
    made_up = client.http.get("/oauth/callback?code=abc&state=forged",
                              headers={"Cookie": cookie_of(started)})
    assert made_up.status_code == 400
    account = bootstrap.container().channel_store.get("demo-x")
    assert account is not None and account.status == "not_connected"
    assert not any(key.startswith("POST /x/2/oauth2/token") for key in state.calls)


def test_only_admins_may_connect(client: Any, standins: tuple[str, Standins]) -> None:
    base, _ = standins
    base_url, settings, secret = channel_settings("x", base)
    runtime_channel("demo-x", "x", base_url, settings, secret)
    refused = start_connect(client, "demo-x", user=WRITER)
    assert refused.status_code == 403 and "admins" in refused.json_body["message"]
    missing = start_connect(client, "nothing-here")
    assert missing.status_code == 404


def test_the_web_page_can_ask_for_the_url_as_json(client: Any, standins: tuple[str, Standins]) -> None:
    base, _ = standins
    runtime_channel("demo-m", "mastodon", f"{base}/mastodon", {})
    answer = client.http.get("/api/admin/channels/demo-m/connect",
                             headers={"X-Freigabe-User": ADMIN, "Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json_body["url"].startswith(f"{base}/mastodon/oauth/authorize?")
    # Mastodon registered the app on the instance: its id is a setting, its secret in SSM.
    container = bootstrap.container()
    account = container.channel_store.get("demo-m")
    assert account is not None and account.settings["client_id"]
    assert (container.token_vault.get("demo-m") or {}).get("client_secret")


def test_the_x_stand_in_checks_pkce(standins: tuple[str, Standins]) -> None:
    base, state = standins
    state.codes["c1"] = {"network": "x", "client_id": "x", "redirect_uri": "http://cb",
                         "scope": "offline.access", "challenge": "expected-challenge"}
    status, _, body = raw(f"{base}/x/2/oauth2/token", "POST", {
        "grant_type": "authorization_code", "code": "c1", "redirect_uri": "http://cb",
        "client_id": "x", "code_verifier": "wrong-verifier"})
    assert status == 400 and "verifier" in body["error_description"]
