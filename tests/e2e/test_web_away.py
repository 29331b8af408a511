"""The web page's Away form in Debian's Chromium against the local stack (`make run`'s): a
reviewer the Slack dev workspace knows by e-mail (Lena Legal, dev/slack_workspace/seed.py) sets
an absence with Ada Admin as deputy, sees it listed, and ends it; a deputy that will not do is
refused beside its field and nothing is stored; a writer who reviews nothing is not offered the
form. Each test leaves a screenshot in test-results/web/."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.adapters.slack.blocks import APPROVE
from dev.testing import StackHandle, start_stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "tests" / "fixtures" / "workflow.toml"
SHOTS = ROOT / "test-results" / "web"
LEGAL = "legal1@freigabe.example"  # U0LEGAL1, a reviewer of the legal step
ADMIN = "admin@freigabe.example"  # U0ADMIN
WRITER = "writer@freigabe.example"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("away-stack"), {
        "FREIGABE_CONFIG": str(WORKFLOW), "FREIGABE_AUTH": "dev",
        "FREIGABE_TABLE": "freigabe-web-away-e2e", "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


def away_of(stack: StackHandle, email: str) -> Any:
    request = urllib.request.Request(stack.base_url + "/api/me/away",
                                     headers={"X-Freigabe-User": email})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def page_for(browser: Any, stack: StackHandle, email: str, lang: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin",
        locale="de-DE" if lang == "de" else "en-GB")
    context.add_init_script(f"localStorage.setItem('freigabe.devUser', {json.dumps(email)})")
    context.add_init_script(f"localStorage.setItem('freigabe.lang', {json.dumps(lang)})")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{stack.base_url}/#/posts")
    return context, page, errors


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_reviewer_sets_an_absence_sees_it_and_ends_it(stack: StackHandle, browser: Any) -> None:
    context, page, errors = page_for(browser, stack, LEGAL, "en")
    page.get_by_role("link", name="Away").click()  # offered in the header to a reviewer
    page.locator("#page-title").wait_for()
    last_day = date.today() + timedelta(days=5)
    page.get_by_label("Away until (inclusive)").fill(last_day.isoformat())
    page.get_by_label("Deputy's e-mail").fill(ADMIN)
    page.get_by_role("button", name="Set absence").click()
    current = page.locator(".away-current")
    current.wait_for()
    assert ADMIN in current.inner_text() and "decides for you" in current.inner_text()
    shot(page, "away-set")
    stored = away_of(stack, LEGAL)["away"]
    assert stored["deputy"] == "U0ADMIN" and stored["deputy_email"] == ADMIN
    assert stored["until"].startswith((last_day + timedelta(days=1)).isoformat()[:8])
    # the deputy sees whom they stand in for
    assert away_of(stack, ADMIN)["covering"][0]["reviewer"] == "U0LEGAL1"
    page.get_by_role("button", name="I am back").click()
    page.get_by_text("Set an absence").wait_for()
    assert page.locator(".away-current").count() == 0
    assert away_of(stack, LEGAL)["away"] is None
    context.close()
    assert errors == [], errors


def test_a_deputy_that_will_not_do_is_refused_beside_its_field(stack: StackHandle,
                                                                browser: Any) -> None:
    context, page, errors = page_for(browser, stack, LEGAL, "de")
    page.goto(f"{stack.base_url}/#/away")
    page.locator("#page-title").wait_for()
    page.get_by_label("Abwesend bis einschließlich").fill((date.today() + timedelta(days=2)).isoformat())
    deputy = page.get_by_label("E-Mail der Vertretung")
    said: list[str] = []
    for typed in ("niemand@freigabe.example", LEGAL):
        deputy.fill(typed)
        page.get_by_role("button", name="Abwesenheit eintragen").click()
        error = page.locator(f"#{deputy.get_attribute('id')}-error")
        expect(error).to_have_text(re.compile(r"\S"))  # the server's words, beside the field
        assert deputy.get_attribute("aria-invalid") == "true"
        said.append(error.inner_text())
        assert away_of(stack, LEGAL)["away"] is None, "nothing is stored"
        page.get_by_role("button", name="Abwesenheit eintragen").wait_for()
        expect(page.get_by_role("button", name="Abwesenheit eintragen")).to_be_enabled()
    assert said[0] != said[1], said  # an unknown person, then oneself: each said as it is
    # an empty date is named beside the date field, before anything is sent
    page.get_by_label("Abwesend bis einschließlich").fill("")
    page.get_by_role("button", name="Abwesenheit eintragen").click()
    assert "letzten Tag" in page.locator(".field-error").first.inner_text()
    shot(page, "away-refused")
    context.close()
    assert errors == [], errors


def test_a_writer_who_reviews_nothing_is_not_offered_the_form(stack: StackHandle,
                                                              browser: Any) -> None:
    context, page, errors = page_for(browser, stack, WRITER, "en")
    page.locator("#mainnav a").first.wait_for()
    page.wait_for_timeout(500)  # the header asks GET /api/me/away once
    assert page.locator("a.away-link").is_hidden()
    page.goto(f"{stack.base_url}/#/away")
    page.get_by_text("You review no step").wait_for()
    assert page.locator("form.away-form").count() == 0
    context.close()
    assert errors == [], errors


def test_the_timeline_says_as_deputy_for(stack: StackHandle, browser: Any) -> None:
    import time

    import requests

    def call(method: str, path: str, email: str, body: Any = None) -> Any:
        answer = requests.request(method, stack.base_url + path, json=body, timeout=10,
                                  headers={"X-Freigabe-User": email})
        assert answer.status_code < 300, answer.text
        return answer.json()

    call("PUT", "/api/me/away", LEGAL, {"until": "2d", "deputy": ADMIN})
    post = call("POST", "/api/posts", WRITER, {"text": "Rabatt", "channels": ["outbox"]})
    deadline, request = time.monotonic() + 20, None
    while request is None and time.monotonic() < deadline:
        state = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()
        found = [m for m in state["messages"].get("C0LEGAL", [])
                 if m.get("thread_ts") in (None, m["ts"]) and post["id"] in json.dumps(m.get("blocks"))]
        request = found[-1] if found else None
        time.sleep(0.3)
    assert request is not None, "the legal request was not posted"
    clicked = requests.post(f"{stack.slack_url}/_dev/click", timeout=30, json={
        "user": "U0ADMIN", "channel": "C0LEGAL", "ts": request["ts"], "action_id": APPROVE})
    assert clicked.json()["status"] == 200, clicked.text
    context, page, errors = page_for(browser, stack, WRITER, "en")
    page.goto(f"{stack.base_url}/#/posts/{post['id']}")
    deputy = page.locator(".event-decision .event-deputy")
    deputy.wait_for()
    assert "as deputy for U0LEGAL1" in deputy.inner_text()
    shot(page, "away-timeline")
    context.close()
    call("DELETE", "/api/me/away", LEGAL)
    assert errors == [], errors
