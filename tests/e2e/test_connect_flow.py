"""Accounts that stay connected, on the stack `make run` starts: an admin connects a Mastodon, an
X and a LinkedIn account at the stand-in networks (authorization, consent, callback), a post
approved in Slack publishes to all three, and the X token, which expires between the approval
and the publish time, is refreshed exactly once on the way. A LinkedIn token that expires
without a refresh token holds the next post back with a clear result, and the admins are told,
instead of the post failing at its time."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from dev.testing import StackHandle, start_stack

pytestmark = pytest.mark.e2e

ADMIN = "admin@freigabe.example"
WRITER = "writer@freigabe.example"
X_TOKEN_SECONDS = 8

WORKFLOW = """
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
late_publish_minutes = 120
admins = ["U0ADMIN"]
admin_emails = ["admin@freigabe.example"]

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]

[channels.outbox]
type = "outbox"
path = "{outbox}"
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    state = tmp_path_factory.mktemp("connect-stack")
    workflow = state / "workflow.toml"
    workflow.write_text(WORKFLOW.format(outbox=state / "outbox.jsonl"))
    handle = start_stack(state, {"FREIGABE_CONFIG": str(workflow), "FREIGABE_TABLE": "freigabe-connect",
                                 "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def session(user: str) -> requests.Session:
    browser = requests.Session()
    browser.headers.update({"X-Freigabe-User": user, "Accept-Language": "en"})
    return browser


def network_state(stack: StackHandle) -> dict[str, Any]:
    return requests.get(stack.networks_url + "/_dev/state", timeout=5).json()  # type: ignore[no-any-return]


def connect(stack: StackHandle, admin: requests.Session, name: str, kind: str,
            settings: dict[str, str]) -> dict[str, Any]:
    """Create the channel, then what the admin's browser does: the app's connect link, the
    network's consent page (Authorize), and the app's callback with the same browser."""
    net = stack.networks_url
    created = admin.post(stack.base_url + "/api/admin/channels", timeout=15, json={
        "name": name, "type": kind, "base_url": f"{net}/{kind}", "settings": settings})
    assert created.status_code == 201, created.text
    started = admin.get(f"{stack.base_url}/api/admin/channels/{name}/connect", timeout=15,
                        allow_redirects=False)
    assert started.status_code == 302, started.text
    authorize = urlsplit(started.headers["Location"])
    assert authorize.netloc == urlsplit(net).netloc  # the stand-in network's own page
    prefix = authorize.path[: authorize.path.index("/", 1)]
    consented = requests.get(f"{net}{prefix}/approve?{authorize.query}", timeout=15,
                             allow_redirects=False)
    assert consented.status_code == 302
    back = urlsplit(consented.headers["Location"])
    assert back.path == "/oauth/callback"
    app = urlsplit(stack.base_url)
    done = admin.get(urlunsplit((app.scheme, app.netloc, back.path, back.query, "")), timeout=15,
                     allow_redirects=False)
    assert done.status_code == 302, done.text
    assert done.headers["Location"].endswith(f"#admin/channels/{name}")
    channels = admin.get(stack.base_url + "/api/admin/channels", timeout=15).json()["channels"]
    return next(c for c in channels if c["name"] == name)  # type: ignore[no-any-return]


def approve_in_slack(stack: StackHandle, post_id: str) -> None:
    def request() -> Any:
        messages = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()["messages"]
        found = [m for m in messages.get("C0BRAND", [])
                 if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))]
        return found[-1] if found else None

    message = eventually(request, 30, "review request")
    click = requests.post(f"{stack.slack_url}/_dev/click", timeout=15, json={
        "user": "U0BRAND1", "channel": "C0BRAND", "ts": message["ts"],
        "action_id": "freigabe_approve"}).json()
    assert click["status"] == 200, click


def submit(stack: StackHandle, channels: list[str], text: str, seconds: int) -> dict[str, Any]:
    """A writer's post on the channels; a channel connected a moment ago is offered within the
    10 s the API keeps its list of run-time channels."""
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds)

    def created() -> Any:
        answer = session(WRITER).post(stack.base_url + "/api/posts", timeout=15, json={
            "text": text, "channels": channels, "publish_at": at.isoformat()})
        assert answer.status_code in (201, 422), answer.text
        return answer.json() if answer.status_code == 201 else None

    return eventually(created, 15, "the post accepted")  # type: ignore[no-any-return]


def post_of(stack: StackHandle, post_id: str) -> dict[str, Any]:
    return session(WRITER).get(f"{stack.base_url}/api/posts/{post_id}", timeout=15).json()  # type: ignore[no-any-return]


def test_three_networks_connected_in_the_admin_flow_publish_and_x_refreshes_once(
        stack: StackHandle) -> None:
    net = stack.networks_url
    # X's access tokens last 2 hours; here a few seconds, so one expires before the post's time.
    assert requests.post(net + "/_dev/lifetimes", json={"x": X_TOKEN_SECONDS}, timeout=5).ok
    admin = session(ADMIN)
    mastodon = connect(stack, admin, "social", "mastodon", {})
    x = connect(stack, admin, "xchannel", "x", {
        "client_id": "x-client", "client_secret": "x-secret",
        "auth_url": f"{net}/x/i/oauth2/authorize", "token_url": f"{net}/x/2/oauth2/token"})
    linkedin = connect(stack, admin, "company", "linkedin", {
        "client_id": "li-client", "client_secret": "li-secret",
        "auth_url": f"{net}/linkedin/oauth/v2/authorization",
        "token_url": f"{net}/linkedin/oauth/v2/accessToken", "linkedin_version": "202510"})
    assert [c["status"] for c in (mastodon, x, linkedin)] == ["connected"] * 3
    assert x["expires_at"]  # X says when its token ends
    refreshes_before = _x_refreshes(network_state(stack))

    post = submit(stack, ["social", "xchannel", "company"], "Adventsgrüße an alle!",
                  X_TOKEN_SECONDS + 12)
    approve_in_slack(stack, post["id"])
    published = eventually(lambda: (p := post_of(stack, post["id"]))["status"] == "published" and p,
                           X_TOKEN_SECONDS + 60, "post published to all three")
    assert {name: r["status"] for name, r in published["results"].items()} == {
        "social": "published", "xchannel": "published", "company": "published"}
    state = network_state(stack)
    assert sorted(p["network"] for p in state["posts"]) == ["linkedin", "mastodon", "x"]
    assert all(p["text"] == "Adventsgrüße an alle!" for p in state["posts"])
    assert _x_refreshes(state) - refreshes_before == 1  # expired on the way, refreshed once
    time.sleep(3)
    assert len(network_state(stack)["posts"]) == 3  # nothing twice


def test_an_expired_linkedin_token_holds_the_post_back_and_tells_the_admins(
        stack: StackHandle) -> None:
    net = stack.networks_url
    # LinkedIn grants refresh tokens only to approved apps: this one gets none, and its token
    # runs out before the post's time.
    assert requests.post(net + "/_dev/lifetimes", json={"linkedin": 4,
                                                        "linkedin_refresh_tokens": False},
                         timeout=5).ok
    admin = session(ADMIN)
    connect(stack, admin, "pages", "linkedin", {
        "client_id": "li-client", "client_secret": "li-secret",
        "auth_url": f"{net}/linkedin/oauth/v2/authorization",
        "token_url": f"{net}/linkedin/oauth/v2/accessToken", "linkedin_version": "202510"})
    posts_before = len(network_state(stack)["posts"])
    post = submit(stack, ["pages"], "Neues aus der Kaffeebar", 12)
    approve_in_slack(stack, post["id"])

    def held() -> Any:
        result = post_of(stack, post["id"])["results"].get("pages") or {}
        return result if "held" in str(result.get("error") or "") else None

    result = eventually(held, 60, "the post held back")
    assert "not connected" in result["error"] or "expired" in result["error"]
    assert post_of(stack, post["id"])["status"] == "scheduled"  # not failed: waiting for a reconnect
    assert len(network_state(stack)["posts"]) == posts_before  # nothing went out
    # Held at the claim, which looks at the post's time; the admin page says "expired" once
    # the token has run out (it is "expiring" until then).

    def expired() -> Any:
        channels = admin.get(stack.base_url + "/api/admin/channels", timeout=15).json()["channels"]
        return next(c for c in channels if c["name"] == "pages")["status"] == "expired" or None

    assert eventually(expired, 30, "the channel shown expired")
    assert post_of(stack, post["id"])["status"] == "scheduled"

    def admins_told() -> Any:
        messages = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()["messages"]
        said = json.dumps(messages.get("D0ADMIN", []), ensure_ascii=False)
        return "pages" in said and "#admin/channels/pages" in said

    assert eventually(admins_told, 30, "the admins told, with a link to reconnect")


def _x_refreshes(state: dict[str, Any]) -> int:
    """Calls of X's token endpoint: after the connect's code exchange, only refreshes."""
    return int((state.get("calls") or {}).get("POST /x/2/oauth2/token", 0))
