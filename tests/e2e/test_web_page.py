"""The writers' web page in Debian's Chromium, against the local stack (`chalice local`, the AWS
emulator, the ticker) started as `make run` starts it.

Each test signs in as a writer of its own, so the tests share one stack and one browser and
still never see each other's posts. Each leaves a screenshot in test-results/web/.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dev.testing import StackHandle, start_stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "tests" / "fixtures" / "workflow.toml"
SHOTS = ROOT / "test-results" / "web"
TABLE = "freigabe-web-e2e"
# Within the two years ahead that publish_at may reach: December of next year.
NEXT_YEAR = datetime.now(UTC).year + 1
DEC_1 = datetime(NEXT_YEAR, 12, 1, 9, 30)
DEC_24 = datetime(NEXT_YEAR, 12, 24, 9, 0)
WEEKDAY_DE = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."]
HOSTILE_TITLE = '<img src=x onerror="alert(\'title\')">'
HOSTILE_TEXT = '<script>alert("text")</script><b>fett</b> <img src=x onerror=alert(1)> {{7*7}}'
STACK_ENV = {
    "FREIGABE_CONFIG": str(WORKFLOW),
    "FREIGABE_AUTH": "dev",
    "FREIGABE_TABLE": TABLE,
    "FREIGABE_TICK_SECONDS": "1",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("web-stack"), STACK_ENV)
    yield handle
    handle.stop()


class Writer:
    """One signed-in writer: a browser page and the same identity for direct API calls."""

    def __init__(self, stack: StackHandle, page: Any, email: str) -> None:
        self.stack, self.page, self.email = stack, page, email
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def api(self, method: str, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            self.stack.base_url + path, data=data, method=method,
            headers={"X-Freigabe-User": self.email, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def create(self, text: str = "Hallo Welt", **fields: Any) -> dict[str, Any]:
        payload = {"text": text, "channels": ["outbox"], "publish_at": tomorrow(), **fields}
        return self.api("POST", "/api/posts", payload)  # type: ignore[no-any-return]

    def open(self, route: str) -> None:
        self.page.goto(f"{self.stack.base_url}/{route}")
        self.page.locator("#page-title").wait_for()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def new_writer(stack: StackHandle, browser: Any, request: pytest.FixtureRequest,
               lang: str = "en", signed_in: bool = True) -> Iterator[Writer]:
    email = f"wanda.{uuid.uuid4().hex[:8]}@freigabe.example"
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/London",
        locale="de-DE" if lang == "de" else "en-GB",
        extra_http_headers={"Accept-Language": "de-DE,de;q=0.9" if lang == "de" else "en-GB,en;q=0.9"})
    if signed_in:
        # The dev picker's choice, as if made earlier; the picker itself has its own test.
        context.add_init_script(f"localStorage.setItem('freigabe.devUser', {json.dumps(email)})")
    page = context.new_page()
    page.set_default_timeout(10_000)
    writer = Writer(stack, page, email)
    def refuse(dialog: Any) -> None:
        writer.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.on("pageerror", lambda error: writer.errors.append(str(error)))
    yield writer
    writer.shot(request.node.name)
    context.close()
    assert writer.errors == [], writer.errors
    assert writer.dialogs == [], writer.dialogs


@pytest.fixture
def writer(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Writer]:
    yield from new_writer(stack, browser, request)


@pytest.fixture
def german_writer(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Writer]:
    yield from new_writer(stack, browser, request, lang="de", signed_in=False)


def tomorrow(hours: int = 24) -> str:
    moment = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=hours)
    return moment.isoformat()


def approve(stack: StackHandle, post_id: str, step: str = "brand", reviewer: str = "U0BRAND1") -> None:
    """A reviewer (Bruno Brand of the dev workspace) clicks Approve on the review request the
    stack posted to Slack: the dev workspace delivers the signed click as Slack would."""
    import requests

    channel = {"brand": "C0BRAND", "legal": "C0LEGAL"}[step]
    deadline = time.monotonic() + 30
    request = None
    while request is None and time.monotonic() < deadline:
        state = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()
        found = [m for m in state["messages"].get(channel, [])
                 if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))
                 and "freigabe_approve" in json.dumps(m.get("blocks"))]
        request = found[-1] if found else None
        if request is None:
            time.sleep(0.3)
    assert request is not None, f"no review request for {post_id} in {channel}"
    answer = requests.post(f"{stack.slack_url}/_dev/click", timeout=15, json={
        "user": reviewer, "channel": channel, "ts": request["ts"], "action_id": "freigabe_approve"})
    assert answer.json()["status"] == 200, answer.text


# -- compose -------------------------------------------------------------------------------------


def test_text_over_a_limit_turns_the_counter_red_and_cannot_be_submitted(writer: Writer) -> None:
    page = writer.page
    writer.open("#/compose")
    page.get_by_label("Text", exact=True).fill("a" * 281)
    page.locator("[data-channel=x] input[type=checkbox]").check()
    page.locator("[data-channel=bluesky] input[type=checkbox]").check()

    counter = page.locator("[data-channel=x] .counter")
    submit = page.get_by_role("button", name="Submit for review")
    assert counter.inner_text() == "281 / 280"
    assert "over" in (counter.get_attribute("class") or "")
    assert page.locator("[data-channel=bluesky] .counter").inner_text() == "281 / 300"
    assert "over" not in (page.locator("[data-channel=bluesky] .counter").get_attribute("class") or "")
    assert page.locator("#limit-status").inner_text() == "Too long for x: 281 of 280."
    assert page.locator("#limit-status").get_attribute("aria-live") == "polite"
    assert submit.is_disabled() and page.get_by_role("button", name="Save draft").is_disabled()
    submit.click(force=True)
    page.wait_for_timeout(300)
    assert writer.api("GET", "/api/posts")["posts"] == []
    assert page.locator("#page-title").inner_text() == "Write a post"
    writer.shot("limit-over")

    # A channel's own, shorter text takes the counter back under the limit.
    page.locator("[data-channel=x] button").click()
    page.get_by_label("Own text for x").fill("Kurz und gut für X.")
    assert page.locator("[data-channel=x] .counter").inner_text() == "19 / 280"
    assert page.locator("#limit-status").inner_text() == ""
    assert submit.is_enabled()


# -- my posts, review, edit -----------------------------------------------------------------------


def test_submitted_post_is_in_my_posts_as_in_review(writer: Writer) -> None:
    page = writer.page
    writer.open("#/compose")
    page.get_by_label("Title (optional)").fill("Adventskalender")
    page.get_by_label("Text", exact=True).fill("Türchen 1: heute gibt es Kekse. https://example.com/advent")
    page.locator("[data-channel=outbox] input[type=checkbox]").check()
    page.locator("[data-channel=bluesky] input[type=checkbox]").check()
    page.get_by_label("At a set time").check()
    page.get_by_label("Date and time of publication").fill(DEC_1.strftime("%Y-%m-%dT%H:%M"))
    when = page.locator("fieldset.when").inner_text()
    assert f"for the team (Europe/Berlin): {DEC_1:%a}, 1 Dec {NEXT_YEAR}, 10:30" in when
    page.locator(".tabs [role=tab]", has_text="bluesky").click()
    assert "Türchen 1" in page.locator(".preview-card").inner_text()

    page.get_by_role("button", name="Submit for review").click()

    page.locator(".section-review").wait_for()
    assert page.locator("#page-title").inner_text() == "Adventskalender"
    assert page.locator(".page-head .badge").inner_text() == "In review"
    assert f"{DEC_1:%a}, 1 Dec {NEXT_YEAR}, 09:30" in page.locator(".facts").inner_text()
    stored = writer.api("GET", "/api/posts")["posts"]
    assert [(p["status"], p["publish_at"]) for p in stored] == [
        ("in_review", f"{NEXT_YEAR}-12-01T09:30:00Z")]

    page.get_by_role("link", name="My posts").first.click()
    row = page.locator(".post-row", has_text="Adventskalender")
    row.wait_for()
    assert row.locator(".badge").get_attribute("data-status") == "in_review"
    page.get_by_label("Status").select_option("draft")
    page.get_by_text("No posts with this status.").wait_for()
    page.get_by_label("Status").select_option("in_review")
    row.wait_for()
    assert page.url.endswith("#/posts?status=in_review")


def test_approval_shows_the_post_scheduled_and_in_the_calendar(writer: Writer) -> None:
    page = writer.page
    publish_at = tomorrow(hours=30)
    post = writer.create("Neue Öffnungszeiten ab Montag.", title="Öffnungszeiten", publish_at=publish_at)
    writer.open(f"#/posts/{post['id']}")
    assert page.locator(".page-head .badge").inner_text() == "In review"

    approve(writer.stack, post["id"])
    page.reload()
    page.locator(".section-review").wait_for()

    assert page.locator(".page-head .badge").inner_text() == "Scheduled"
    brand = page.locator("[data-step=brand]")
    assert "Approved" in brand.inner_text()
    assert "brand@freigabe.example" in brand.inner_text()
    assert "Brand: brand@freigabe.example approved" in page.locator(".timeline").inner_text()

    # A colleague's post the same day: shown in place, since its page is only its author's.
    colleague = Writer(writer.stack, page, "otto.other@freigabe.example")
    theirs = colleague.create(HOSTILE_TEXT, title="Ottos Beitrag", publish_at=publish_at)
    approve(writer.stack, theirs["id"])
    day = datetime.fromisoformat(publish_at).astimezone(ZoneInfo("Europe/London"))
    writer.open(f"#/calendar?month={day:%Y-%m}")
    page.locator(f".cal-chip[data-post-id='{theirs['id']}']").click()
    popover = page.locator(".cal-popover")
    assert "Ottos Beitrag" in popover.inner_text() and "By Otto Other" in popover.inner_text()
    assert popover.locator(".preview-text").inner_text() == HOSTILE_TEXT
    chip = page.locator(f".cal-chip[data-post-id='{post['id']}']")
    assert "Öffnungszeiten" in chip.inner_text()
    chip.click()
    page.locator(".section-review").wait_for()
    assert page.url.endswith(f"#/posts/{post['id']}")


def test_edit_voids_approvals_and_resubmits_and_a_stale_edit_offers_a_reload(writer: Writer) -> None:
    page = writer.page
    post = writer.create("Sommerfest am Freitag.", title="Sommerfest")
    approve(writer.stack, post["id"])
    writer.open(f"#/posts/{post['id']}")
    assert page.locator(".page-head .badge").inner_text() == "Scheduled"

    page.get_by_role("link", name="Edit").click()
    page.locator(".notice-warn", has_text="Approvals will be voided.").wait_for()
    page.get_by_label("Text", exact=True).fill("Sommerfest am Samstag.")
    page.get_by_role("button", name="Save and resubmit for review").click()

    page.locator(".section-review").wait_for()
    assert page.locator(".page-head .badge").inner_text() == "In review"
    assert "Waiting" in page.locator("[data-step=brand]").inner_text()
    history = page.locator(".timeline").inner_text()
    assert "Edited: text" in history and "Approvals voided by the change" in history

    # Someone changes the post while the form is open: saving explains and offers a reload.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Text", exact=True).fill("Sommerfest am Sonntag.")
    current = writer.api("GET", f"/api/posts/{post['id']}")
    writer.api("PATCH", f"/api/posts/{post['id']}",
               {"version": current["version"], "text": "Sommerfest fällt aus."})
    page.get_by_role("button", name="Save and resubmit for review").click()
    stale = page.locator(".notice.stale")
    stale.wait_for()
    assert "changed" in stale.inner_text()
    page.get_by_role("button", name="Reload the post").click()
    page.locator(".notice.stale").wait_for(state="detached")
    assert page.get_by_label("Text", exact=True).input_value() == "Sommerfest fällt aus."


def test_draft_is_saved_submitted_later_and_withdrawn(writer: Writer) -> None:
    page = writer.page
    writer.open("#/compose")
    page.get_by_label("Text", exact=True).fill("Ein Entwurf, der noch reifen muss.")
    page.locator("[data-channel=mastodon] input[type=checkbox]").check()
    page.get_by_role("button", name="Save draft").click()
    page.locator(".page-head .badge", has_text="Draft").wait_for()
    assert page.get_by_role("heading", name="Review").is_visible()

    page.get_by_role("button", name="Submit for review").click()
    page.locator(".page-head .badge", has_text="In review").wait_for()
    page.get_by_role("button", name="Withdraw").click()
    page.get_by_role("button", name="Yes, withdraw").click()

    page.locator(".page-head .badge", has_text="Withdrawn").wait_for()
    (post,) = writer.api("GET", "/api/posts")["posts"]
    assert post["status"] == "withdrawn"
    assert page.get_by_role("link", name="Edit").count() == 0


# -- language -----------------------------------------------------------------------------------


def test_german_page_from_accept_language_and_the_switch_is_remembered(german_writer: Writer) -> None:
    page = german_writer.page
    page.goto(german_writer.stack.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("heading", name="Wer schreibt?").wait_for()
    page.get_by_label("Jemand anderes:").check()
    page.get_by_label("E-Mail-Adresse einer anderen Person").fill(german_writer.email)
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("heading", name="Meine Beiträge").wait_for()

    german_writer.create("Frohe Weihnachten!", title="Weihnachtsgruß",
                         publish_at=f"{NEXT_YEAR}-12-24T09:00:00+00:00")
    page.reload()
    row = page.locator(".post-row", has_text="Weihnachtsgruß")
    assert row.locator(".badge").inner_text() == "In Prüfung"
    assert "Erscheint 24. Dez., 09:00" in row.inner_text()
    row.click()
    page.locator(".section-review").wait_for()
    facts = page.locator(".facts").inner_text()
    assert f"{WEEKDAY_DE[DEC_24.weekday()]}, 24. Dez. {NEXT_YEAR}, 09:00" in facts
    assert page.get_by_role("heading", name="Verlauf").is_visible()
    page.get_by_role("link", name="Schreiben").click()
    page.get_by_role("button", name="Zur Prüfung einreichen").wait_for()
    german_writer.shot("german-compose")

    page.get_by_role("button", name="EN", exact=True).click()
    page.get_by_role("heading", name="Write a post").wait_for()
    page.reload()
    page.get_by_role("heading", name="Write a post").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"


# -- safety -------------------------------------------------------------------------------------


def test_script_and_html_in_a_post_render_as_plain_text(writer: Writer) -> None:
    page = writer.page
    writer.open("#/compose")
    page.get_by_label("Title (optional)").fill(HOSTILE_TITLE)
    page.get_by_label("Text", exact=True).fill(HOSTILE_TEXT)
    page.locator("[data-channel=outbox] input[type=checkbox]").check()
    assert page.locator(".preview-text").inner_text() == HOSTILE_TEXT

    page.get_by_role("button", name="Submit for review").click()
    page.locator(".section-review").wait_for()

    assert page.locator("#page-title").inner_text() == HOSTILE_TITLE
    assert page.locator(".preview-text").inner_text() == HOSTILE_TEXT
    assert page.evaluate("document.title").startswith(HOSTILE_TITLE)
    page.get_by_role("link", name="My posts").first.click()
    assert page.locator(".row-title").first.inner_text() == HOSTILE_TITLE
    page.wait_for_timeout(300)
    assert writer.dialogs == []
    assert page.locator("main img, main script, main b").count() == 0


def test_page_is_served_with_a_policy_that_forbids_inline_script(writer: Writer) -> None:
    page = writer.page
    response = page.goto(writer.stack.base_url + "/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert re.search(r"script-src 'self';", policy) and "unsafe-inline" not in policy
    page.locator("#page-title").wait_for()

    # The browser itself refuses an inline script, whatever might smuggle one in.
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline_ran = true';
        document.body.append(s);
    }""")
    assert page.evaluate("window.__inline_ran === true") is False


# -- evidence --------------------------------------------------------------------------------------

def test_the_evidence_file_downloads_signed_and_verifies_offline_and_the_print_view_opens(
        writer: Writer, tmp_path: Path) -> None:
    import subprocess
    import sys

    post = writer.create("Nachweis bitte")
    approve(writer.stack, post["id"])
    writer.open(f"#/posts/{post['id']}")
    panel = writer.page.locator("section.evidence")
    panel.get_by_role("heading", name="Evidence").wait_for()

    with writer.page.expect_download() as downloaded:
        panel.get_by_role("button", name="Download evidence (JSON)").click()
    download = downloaded.value
    assert download.suggested_filename == f"freigabe-evidence-{post['id']}.json"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["post"]["id"] == post["id"] and document["signature"]
    # the offline verifier, in a fresh interpreter, with no AWS at all
    checked = subprocess.run([sys.executable, "-m", "freigabe_verify", str(saved)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr

    with writer.page.context.expect_page() as opened:
        panel.get_by_role("button", name="Printable view").click()
    view = opened.value
    view.wait_for_url(re.compile(r"^blob:"))  # the tab opens at once, the view arrives after
    view.wait_for_load_state()
    assert post["id"] in view.content() and "Nachweis bitte" in view.content()
    view.close()
