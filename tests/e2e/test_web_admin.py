"""The admin section of the web page and the X cost beside the counter, in Debian's Chromium
against the local stack (`make run`'s), with the networks' stand-in authorization servers
(dev/oauth_standins.py) as the networks an admin connects.

An admin (admin_emails in tests/fixtures/workflow.toml) sees every channel with its status,
adds a run-time channel, connects it by clicking through the stand-in's authorization page,
disconnects and deletes it; a writer sees no admin section and the admin API refuses them.
Each test leaves a screenshot in test-results/web/.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dev.testing import StackHandle, free_port, start_stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "tests" / "fixtures" / "workflow.toml"
SHOTS = ROOT / "test-results" / "web"
ADMIN = "admin@freigabe.example"
FILE_CHANNELS = ["outbox", "hooks", "x", "mastodon", "bluesky"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("admin-stack"), {
        "FREIGABE_CONFIG": str(WORKFLOW), "FREIGABE_AUTH": "dev",
        "FREIGABE_TABLE": "freigabe-web-admin-e2e", "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def networks() -> Iterator[tuple[str, Any]]:
    """The stand-in authorization servers: (base URL, their state)."""
    from dev.oauth_standins import serve

    port = free_port()
    server, state = serve(port)
    yield f"http://127.0.0.1:{port}", state
    server.shutdown()


class Person:
    """One signed-in person: a browser page and the same identity for direct API calls."""

    def __init__(self, stack: StackHandle, page: Any, email: str) -> None:
        self.stack, self.page, self.email = stack, page, email
        self.errors: list[str] = []

    def api(self, method: str, path: str, payload: Any = None,
            accept: str = "application/json") -> tuple[int, Any, dict[str, str]]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            self.stack.base_url + path, data=data, method=method,
            headers={"X-Freigabe-User": self.email, "Content-Type": "application/json",
                     "Accept": accept})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=10) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None, dict(answer.headers)
        except urllib.error.HTTPError as err:
            raw = err.read()
            body = json.loads(raw) if raw and raw[:1] in b"{[" else raw.decode("utf-8", "replace")
            return err.code, body, dict(err.headers)

    def open(self, route: str) -> None:
        self.page.goto(f"{self.stack.base_url}/{route}")
        self.page.locator("#page-title").wait_for()

    def card(self, name: str) -> Any:
        return self.page.locator(f".admin-channel[data-channel='{name}']")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def signed_in(stack: StackHandle, browser: Any, request: pytest.FixtureRequest, email: str,
              lang: str = "en") -> Iterator[Person]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin",
        locale="de-DE" if lang == "de" else "en-GB",
        extra_http_headers={"Accept-Language": "de-DE,de;q=0.9" if lang == "de" else "en-GB,en;q=0.9"})
    context.add_init_script(f"localStorage.setItem('freigabe.devUser', {json.dumps(email)})")
    context.add_init_script(f"localStorage.setItem('freigabe.lang', {json.dumps(lang)})")
    page = context.new_page()
    page.set_default_timeout(10_000)
    person = Person(stack, page, email)
    page.on("dialog", lambda dialog: dialog.accept())  # deleting asks first
    page.on("pageerror", lambda error: person.errors.append(str(error)))
    yield person
    person.shot(request.node.name)
    context.close()
    assert person.errors == [], person.errors


@pytest.fixture
def admin(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Person]:
    yield from signed_in(stack, browser, request, ADMIN)


@pytest.fixture
def writer(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Person]:
    yield from signed_in(stack, browser, request, f"wanda.{uuid.uuid4().hex[:8]}@freigabe.example")


def test_an_admin_sees_every_channel_with_its_status(admin: Person) -> None:
    admin.open("#/posts")
    admin.page.get_by_role("link", name="Channels").click()
    admin.page.get_by_role("heading", name="Channels and accounts").wait_for()
    for name in FILE_CHANNELS:
        card = admin.card(name)
        assert card.count() == 1, name
        assert card.locator(".account-status").get_attribute("data-status") in (
            "connected", "expiring", "expired", "error", "not_connected")
        assert "workflow file" in card.inner_text()
    # file channels are changed in the file: no buttons to connect or delete them
    assert admin.card("x").get_by_role("button").count() == 0


def test_an_admin_adds_connects_disconnects_and_deletes_a_channel(
        admin: Person, networks: tuple[str, Any]) -> None:
    base, standins = networks
    name = f"social-{uuid.uuid4().hex[:6]}"
    page = admin.page
    admin.open("#/admin")
    # GIVEN a Mastodon channel added on the page, pointing at the stand-in instance
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Network").select_option("mastodon")
    page.get_by_label("Server address").fill(f"{base}/mastodon")
    page.get_by_role("button", name="Add channel").click()
    card = admin.card(name)
    card.wait_for()
    assert card.locator(".account-status").get_attribute("data-status") == "not_connected"
    assert "Not connected" in card.inner_text()
    status, listed, _ = admin.api("GET", "/api/admin/channels")
    assert status == 200
    assert {c["name"]: (c["source"], c["status"]) for c in listed["channels"]}[name] == (
        "runtime", "not_connected")
    # AND the connect call itself is the 302 to the instance's authorization page
    status, _, headers = admin.api("GET", f"/api/admin/channels/{name}/connect", accept="text/html")
    assert status == 302
    location = headers.get("Location") or headers.get("location") or ""
    assert location.startswith(f"{base}/mastodon/oauth/authorize?")
    assert "state=" in location and "code_challenge=" in location
    # WHEN the admin clicks Connect and authorizes at the stand-in
    card.get_by_role("button", name="Connect").click()
    page.get_by_role("heading", name="mastodon (stand-in)").wait_for()
    page.get_by_role("button", name="Authorize").click()
    # THEN the page is back with the channel connected
    page.get_by_role("heading", name="Channels and accounts").wait_for()
    card = admin.card(name)
    card.locator(".account-status[data-status='connected']").wait_for()
    assert "Connected" in card.inner_text()
    admin.shot("admin-connected")
    # WHEN the admin disconnects it
    card.get_by_role("button", name="Disconnect").click()
    admin.card(name).locator(".account-status[data-status='not_connected']").wait_for()
    # AND deletes it (the page asks first)
    admin.card(name).get_by_role("button", name="Delete").click()
    page.locator(f".admin-channel[data-channel='{name}']").wait_for(state="detached")
    status, listed, _ = admin.api("GET", "/api/admin/channels")
    assert name not in [c["name"] for c in listed["channels"]]
    del standins


def test_an_admin_adding_a_name_in_use_reads_why_and_nothing_is_added(admin: Person) -> None:
    admin.open("#/admin")
    before = admin.page.locator(".admin-channel").count()
    admin.page.get_by_label("Name", exact=True).fill("x")  # a channel of the workflow file
    admin.page.get_by_role("button", name="Add channel").click()
    admin.page.locator(".admin-create .form-problem:not(:empty)").wait_for()
    assert admin.page.locator(".admin-channel").count() == before
    admin.page.get_by_label("Name", exact=True).fill("Not A Name")
    admin.page.get_by_role("button", name="Add channel").click()
    assert "lowercase" in admin.page.locator(".admin-create .form-problem").inner_text()


def test_a_writer_sees_no_admin_section_and_the_admin_api_refuses_them(writer: Person) -> None:
    writer.open("#/posts")
    assert writer.page.get_by_role("link", name="Channels").count() == 0
    writer.open("#/admin")
    assert "Only the workflow's admins" in writer.page.locator("main").inner_text()
    assert writer.page.locator(".admin-channel").count() == 0
    for method, path, payload in (
            ("GET", "/api/admin/channels", None),
            ("POST", "/api/admin/channels", {"name": "mine", "type": "mastodon",
                                             "base_url": "https://mastodon.example"}),
            ("GET", "/api/admin/channels/x/connect", None),
            ("DELETE", "/api/admin/channels/mine", None)):
        status, body, _ = writer.api(method, path, payload)
        assert status == 403, (method, path, status, body)
        assert isinstance(body, dict) and body.get("message"), body


def test_the_x_cost_sits_beside_the_counter_and_rises_with_a_link(writer: Person) -> None:
    page = writer.page
    writer.open("#/compose")
    page.get_by_label("Text", exact=True).fill("Hallo Welt")
    page.locator("[data-channel=x] input[type=checkbox]").check()
    cost = page.locator("[data-channel=x] .cost")
    assert cost.inner_text() == "$0.015 on X"
    assert "$0.20" in (cost.get_attribute("title") or "")
    page.get_by_label("Text", exact=True).fill("Hallo Welt https://example.com/neu")
    assert cost.inner_text() == "$0.20 on X (with a link)"
    # other networks cost nothing per post: no figure beside them
    page.locator("[data-channel=mastodon] input[type=checkbox]").check()
    assert page.locator("[data-channel=mastodon] .cost").count() == 0
    # an X text of its own counts for X
    page.locator("[data-channel=x] button").click()
    page.get_by_label("Own text for x").fill("Kurz, ohne Link.")
    assert cost.inner_text() == "$0.015 on X"
