"""The figures page in Debian's Chromium against the local stack (`make run`'s): a post written
through the API, approved with a click in the Slack dev workspace and published by the stack's
own ticker and relay; then #/stats draws its charts (Chart.js, vendored, under the page's CSP)
with exactly the figures `GET /api/stats` gives, in English and German. A screenshot of each
page is left in test-results/web/."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from dev.testing import StackHandle, start_stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "tests" / "fixtures" / "workflow.toml"
SHOTS = ROOT / "test-results" / "web"
WRITER = "writer@freigabe.example"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("stats-stack"), {
        "FREIGABE_CONFIG": str(WORKFLOW), "FREIGABE_AUTH": "dev",
        "FREIGABE_TABLE": "freigabe-web-stats-e2e", "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


def api(stack: StackHandle, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        stack.base_url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "X-Freigabe-User": WRITER})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def review_request(stack: StackHandle, channel: str, post_id: str) -> dict[str, Any] | None:
    state = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()
    found = [m for m in state["messages"].get(channel, [])
             if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))]
    return found[-1] if found else None


@pytest.fixture(scope="module")
def figures(stack: StackHandle) -> dict[str, Any]:
    """A post approved in Slack and published; the figures once the relay has recorded it."""
    post = api(stack, "POST", "/api/posts", {"text": "Hallo Welt", "channels": ["outbox"]})
    request = eventually(lambda: review_request(stack, "C0BRAND", post["id"]), 20,
                         "review request in C0BRAND")
    click = requests.post(f"{stack.slack_url}/_dev/click", timeout=15, json={
        "user": "U0BRAND1", "channel": "C0BRAND", "ts": request["ts"],
        "action_id": "freigabe_approve"}).json()
    assert click["status"] == 200, click
    eventually(lambda: api(stack, "GET", f"/api/posts/{post['id']}")["status"] == "published",
               30, "post published")
    return eventually(  # type: ignore[no-any-return]
        lambda: (f := api(stack, "GET", "/api/stats"))["published"] == 1 and f, 20,
        "the publication counted")


def open_stats(stack: StackHandle, browser: Any, lang: str) -> tuple[Any, list[str]]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 1400}, locale="de-DE" if lang == "de" else "en-GB")
    context.add_init_script(f"localStorage.setItem('freigabe.devUser', {json.dumps(WRITER)})")
    context.add_init_script(f"localStorage.setItem('freigabe.lang', {json.dumps(lang)})")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{stack.base_url}/#/stats")
    page.locator("#stats-lead canvas").wait_for()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('#stats-lead canvas'))")
    return page, problems


def chart(page: Any, section: str) -> dict[str, Any]:
    return page.evaluate(  # type: ignore[no-any-return]
        """(id) => { const c = Chart.getChart(document.querySelector(`#${id} canvas`));
                     return {labels: c.data.labels,
                             data: c.data.datasets.map((d) => ({label: d.label, data: d.data})),
                             width: c.width, height: c.height}; }""", section)


def test_the_page_draws_the_figures_of_the_post_in_charts(stack: StackHandle, browser: Any,
                                                         figures: dict[str, Any]) -> None:
    page, problems = open_stats(stack, browser, "en")
    [brand] = figures["steps"]
    assert brand["step"] == "brand" and brand["decisions"] == 1

    lead = chart(page, "stats-lead")
    assert lead["labels"] == ["brand"]
    assert [d["label"] for d in lead["data"]] == ["Median (h)", "90th percentile (h)"]
    assert lead["data"][0]["data"] == [brand["median_hours_to_decision"]]
    assert lead["data"][1]["data"] == [brand["p90_hours_to_decision"]]
    assert lead["width"] > 0 and lead["height"] > 0  # drawn, not just configured
    changes = chart(page, "stats-changes")
    assert changes["labels"] == ["brand"] and changes["data"][0]["data"] == [0]
    assert chart(page, "stats-failures")["labels"] == []

    assert page.locator("[data-figure=published] dd").inner_text() == "1"
    assert page.locator("[data-figure=on-time] dd").inner_text() == "100 %"
    assert page.locator(".stats-reviewers td").nth(1).inner_text() == "U0BRAND1"
    # Chart.js came from the page's own origin: nothing broke the CSP.
    assert page.evaluate("() => [...document.scripts].some((s) => s.src.endsWith('/static/vendor/chart.js'))")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "stats-en.png"), full_page=True)
    page.context.close()
    assert problems == [], problems


def test_the_page_speaks_german(stack: StackHandle, browser: Any, figures: dict[str, Any]) -> None:
    page, problems = open_stats(stack, browser, "de")
    assert page.locator("#page-title").inner_text() == "Kennzahlen"
    assert page.locator("#stats-lead h2").inner_text() == (
        "Stunden von der Einreichung bis zur ersten Entscheidung, je Schritt")
    assert [d["label"] for d in chart(page, "stats-lead")["data"]] == [
        "Median (Std.)", "90. Perzentil (Std.)"]
    assert page.locator("[data-figure=on-time] dd").inner_text() == "100 %"
    page.screenshot(path=str(SHOTS / "stats-de.png"), full_page=True)
    page.context.close()
    assert problems == [], problems
