"""The external review page in Debian's Chromium, against the local stack started as `make run`
starts it (its own link key included): a client opens the link the author made, sees the post
and its previews, and approves or requests changes with their name; an expired or replaced
link shows why it opens nothing. Each test leaves a screenshot in test-results/web/."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.services import external_review as ext
from dev.environment import PRODUCT_DEFAULTS
from dev.testing import StackHandle, start_stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "web"
# `make run`'s own key, which the stack is given when the caller sets none.
LOCAL_KEY = PRODUCT_DEFAULTS["FREIGABE_LOCAL_LINK_KEY"].encode()
WORKFLOW = '''
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
admins = ["U0ADMIN"]

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]
[steps.when]
keywords = ["rabatt"]

[[steps]]
name = "client"
label = "Kunde"
slack_channel = "C0BRAND"
kind = "link"
link_valid_hours = 24

[channels.outbox]
type = "outbox"
path = ".freigabe/e2e-review-outbox.jsonl"

[channels.mastodon]
type = "mastodon"
base_url = "https://mastodon.example"
access_token = "env:MASTODON_TOKEN"
'''


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    folder = tmp_path_factory.mktemp("review-stack")
    config = folder / "workflow.toml"
    config.write_text(WORKFLOW, encoding="utf-8")
    handle = start_stack(folder / "state", {
        "FREIGABE_CONFIG": str(config), "FREIGABE_AUTH": "dev",
        "FREIGABE_TABLE": "freigabe-review-e2e", "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


class Client:
    """Someone outside the company with a browser and no account."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []


@pytest.fixture
def client(browser: Any, request: pytest.FixtureRequest) -> Iterator[Client]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="de-DE",
                                  timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    visitor = Client(page)
    page.on("pageerror", lambda error: visitor.problems.append(str(error)))
    page.on("console", lambda message: visitor.problems.append(message.text)
            if message.type == "error" and "status of 410" not in message.text else None)
    yield visitor
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert visitor.problems == [], visitor.problems


def call(stack: StackHandle, method: str, path: str, user: str, payload: Any = None) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(stack.base_url + path, data=data, method=method, headers={
        "X-Freigabe-User": user, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def post_with_link(stack: StackHandle, text: str = "Adventskalender: Türchen 1 öffnet heute.",
                   ) -> tuple[str, dict[str, Any], str]:
    """A writer of its own, a post in review for the client, and the link the author made."""
    writer = f"wanda.{uuid.uuid4().hex[:8]}@freigabe.example"
    publish_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    post = call(stack, "POST", "/api/posts", writer, {
        "text": text, "title": "Advent", "channels": ["mastodon", "outbox"],
        "variants": {"mastodon": "Türchen 1 #advent"}, "publish_at": publish_at})
    assert post["status"] == "in_review"
    made = call(stack, "POST", f"/api/posts/{post['id']}/review-links", writer, {})
    assert made["url"].startswith(stack.base_url + "/review/")
    return writer, post, made["url"]


def test_a_client_approves_through_the_link_and_the_post_is_scheduled(
        stack: StackHandle, client: Client) -> None:
    writer, post, url = post_with_link(stack)
    page = client.page

    shown = page.goto(url)

    assert shown is not None and shown.status == 200
    assert page.locator("h1").first.inner_text() == "Freigabe erbeten"
    assert "Türchen 1 #advent" in page.locator("[data-channel=mastodon]").inner_text()
    assert "Adventskalender" in page.locator("[data-channel=outbox]").inner_text()
    # The previews come from the web page's own preview module: one card per channel.
    assert page.locator("#review-previews .preview-card").count() == 2
    page.locator("#review-form[data-ready]").wait_for()  # the page's script handles the form
    page.get_by_label("Ihr Name").fill("Carla Client")
    page.get_by_role("button", name="Freigeben").click()

    page.get_by_text("Danke, Carla Client: Ihre Freigabe ist gespeichert.").wait_for()
    stored = call(stack, "GET", f"/api/posts/{post['id']}", writer)
    assert stored["status"] == "scheduled"
    step = next(s for s in stored["steps"] if s["name"] == "client")
    assert step["status"] == "approved" and step["decided_by"] == "external:Carla Client"
    # Opened again, the link says who approved and offers nothing more to click.
    page.reload()
    assert "Freigegeben von Carla Client" in page.locator("main").inner_text()
    assert page.locator("#review-form").count() == 0


def test_a_client_requests_changes_in_english_and_must_say_what(
        stack: StackHandle, client: Client) -> None:
    writer, post, url = post_with_link(stack)
    page = client.page
    page.goto(url)
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Review requested").wait_for()
    page.locator("#review-form[data-ready]").wait_for()  # the page's script handles the form

    page.get_by_label("Your name").fill("Carla Client")
    page.get_by_role("button", name="Request changes").click()
    status = page.locator("#review-status")
    status.get_by_text("Please say in the comment what should change.").wait_for()
    assert status.inner_text() == "Please say in the comment what should change."
    assert call(stack, "GET", f"/api/posts/{post['id']}", writer)["status"] == "in_review"

    page.get_by_label("Comment (required when you request changes)").fill("Bitte Datum ergänzen.")
    page.get_by_role("button", name="Request changes").click()
    page.get_by_text("Thank you, Carla Client: your request for changes is recorded.",
                     exact=False).wait_for()
    stored = call(stack, "GET", f"/api/posts/{post['id']}", writer)
    assert stored["status"] == "changes_requested"
    step = next(s for s in stored["steps"] if s["name"] == "client")
    assert step["comment"] == "Bitte Datum ergänzen."


def test_an_expired_or_replaced_link_says_why_it_opens_nothing(
        stack: StackHandle, client: Client) -> None:
    writer, post, url = post_with_link(stack)
    token = ext.decode(url.rsplit("/", 1)[1], LOCAL_KEY)
    expired = ext.encode(ext.LinkToken(token.post_id, token.step, token.content_hash,
                                       int(datetime.now(UTC).timestamp()) - 60), LOCAL_KEY)
    page = client.page

    shown = page.goto(f"{stack.base_url}/review/{expired}")

    assert shown is not None and shown.status == 410
    assert page.locator("h1").inner_text() == "Dieser Link ist abgelaufen"
    assert "Adventskalender" not in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "external-review-expired.png"), full_page=True)

    # The author edits the post: the link handed out before is replaced.
    call(stack, "PATCH", f"/api/posts/{post['id']}", writer,
         {"version": post["version"], "text": "Adventskalender: Türchen 1, neu."})
    shown = page.goto(url)
    assert shown is not None and shown.status == 410
    assert page.locator("h1").inner_text() == "Dieser Link wurde durch eine neuere Fassung ersetzt"
    with pytest.raises(urllib.error.HTTPError) as refused:
        call(stack, "POST", "/review/" + url.rsplit("/", 1)[1] + "/decision", writer,
             {"decision": "approve", "name": "Carla Client"})
    assert refused.value.code == 409
