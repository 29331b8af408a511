"""Signing in with Cognito's hosted UI (authorization code + PKCE) in Chromium.

`chalice local` serves the page with FREIGABE_AUTH=cognito; the hosted UI and the API (which in
AWS sits behind the Cognito authorizer that chalice local does not run) are played by the
browser's request interception, so the test sees exactly what the page sends to each.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from dev.testing import free_port, kill_tree
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "web"
DOMAIN = "auth.freigabe.example"
CLIENT_ID = "freigabe-web-client"
EMAIL = "wanda.writer@freigabe.example"


@pytest.fixture(scope="module")
def cognito_page_server() -> Iterator[str]:
    port = free_port()
    # No AWS at all: the page falls back to the packaged workflow file at once (with the test
    # session's credentials it would wait for a DynamoDB it cannot reach).
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("FREIGABE_", "AWS_"))}
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_DEFAULT_REGION="eu-central-1")
    env.update(FREIGABE_AUTH="cognito", FREIGABE_COGNITO_DOMAIN=DOMAIN,
               FREIGABE_COGNITO_CLIENT_ID=CLIENT_ID,
               FREIGABE_CONFIG=str(ROOT / "tests" / "fixtures" / "workflow.toml"))
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
         "local", "--no-autoreload", "--host", "127.0.0.1", "--port", str(port), "--stage", "local"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/config.json", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        kill_tree(process.pid)
        process.wait(timeout=10)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_id_token() -> str:
    """Signed by nobody: the page only reads it; checking it is the authorizer's job."""
    claims = {"email": EMAIL, "name": "Wanda Writer", "exp": int(time.time()) + 3600}
    return ".".join([b64url(b'{"alg":"none"}'), b64url(json.dumps(claims).encode()), "sig"])


class HostedUi:
    """Cognito's /oauth2/authorize, /oauth2/token and /logout as the page reaches them."""

    def __init__(self, page_origin: str) -> None:
        self.origin = page_origin
        self.authorize: dict[str, str] = {}
        self.token_form: dict[str, str] = {}
        self.logout: dict[str, str] = {}
        self.api_auth: list[str] = []

    def handle(self, route: Any) -> None:
        request = route.request
        url = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/oauth2/authorize":
            self.authorize = query
            back = f"{query['redirect_uri']}?{urlencode({'code': 'the-code', 'state': query['state']})}"
            route.fulfill(status=302, headers={"Location": back})
        elif url.path == "/oauth2/token":
            self.token_form = {k: v[0] for k, v in parse_qs(request.post_data or "").items()}
            route.fulfill(status=200, content_type="application/json",
                          headers={"Access-Control-Allow-Origin": self.origin},
                          body=json.dumps({"id_token": fake_id_token(), "token_type": "Bearer"}))
        elif url.path == "/logout":
            self.logout = query
            route.fulfill(status=200, content_type="text/plain", body="signed out")
        else:
            route.fulfill(status=404, body="")

    def api(self, route: Any) -> None:
        self.api_auth.append(route.request.headers.get("authorization", ""))
        path = urlsplit(route.request.url).path
        bodies = {
            "/api/me": {"email": EMAIL, "name": "Wanda Writer", "language": "en",
                        "timezone": "Europe/Berlin"},
            "/api/channels": {"channels": [{"name": "outbox", "type": "outbox", "limit": None}]},
            "/api/posts": {"posts": []},
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(bodies.get(path, {})))


def test_hosted_ui_sign_in_with_pkce_sends_the_id_token_as_bearer(cognito_page_server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
        page = context.new_page()
        page.set_default_timeout(10_000)
        ui = HostedUi(cognito_page_server)
        page.route(f"https://{DOMAIN}/**", ui.handle)
        page.route("**/api/**", ui.api)
        try:
            response = page.goto(cognito_page_server + "/#/posts")
            assert response is not None
            policy = dict(part.strip().split(" ", 1) for part in
                          response.headers["content-security-policy"].split(";") if part.strip())
            # the hosted UI's token endpoint, beside the image bucket's origin for uploads
            assert f"https://{DOMAIN}" in policy["connect-src"].split()
            assert policy["connect-src"].split()[0] == "'self'"
            page.get_by_role("heading", name="Sign in to Freigabe").wait_for()
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="My posts").wait_for()
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "cognito-signed-in.png"), full_page=True)

            redirect = cognito_page_server + "/"
            assert ui.authorize["response_type"] == "code"
            assert ui.authorize["client_id"] == CLIENT_ID
            assert ui.authorize["redirect_uri"] == redirect
            assert ui.authorize["code_challenge_method"] == "S256"
            verifier = ui.token_form["code_verifier"]
            assert ui.authorize["code_challenge"] == b64url(hashlib.sha256(verifier.encode()).digest())
            assert ui.token_form["grant_type"] == "authorization_code"
            assert ui.token_form["code"] == "the-code"
            assert ui.token_form["redirect_uri"] == redirect
            # The code is gone from the address bar, the writer is back where they started.
            assert page.url == cognito_page_server + "/#/posts"
            assert ui.api_auth and all(h.startswith("Bearer ey") for h in ui.api_auth)
            assert page.evaluate("Object.keys(localStorage)") == []

            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(f"https://{DOMAIN}/logout**")
            assert ui.logout == {"client_id": CLIENT_ID, "logout_uri": redirect}
        finally:
            context.close()
            browser.close()
