"""The compose form's brand picker, in Debian's Chromium against the local stack with the
two-brand workflow (tests/fixtures/workflow_brands.toml): a writer of both brands picks one and
is offered that brand's channels only; the stored post carries the chosen brand; a writer of one
brand sees no picker."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dev.testing import StackHandle, start_stack
from tests.e2e.test_web_page import STACK_ENV, Writer

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BRANDS_ENV = {**STACK_ENV, "FREIGABE_CONFIG": str(ROOT / "tests" / "fixtures" / "workflow_brands.toml"),
              "FREIGABE_TABLE": "freigabe-web-brands-e2e",
              "MASTODON_TOKEN": "test-token", "WEBHOOK_SECRET": "test-secret"}
# Writes for both brands: "@freigabe.example" and by name for the Kaffeebar.
BOTH = "wanda.writer@freigabe.example"
FREIGABE_CHANNELS = ["mastodon", "outbox"]
KAFFEE_CHANNELS = ["kaffee_hooks", "kaffee_outbox"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("web-brands-stack"), BRANDS_ENV)
    yield handle
    handle.stop()


def signed_in(stack: StackHandle, browser: Any, request: pytest.FixtureRequest, email: str,
              lang: str = "en") -> Iterator[Writer]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/London",
        locale="de-DE" if lang == "de" else "en-GB",
        extra_http_headers={"Accept-Language": "de-DE,de;q=0.9" if lang == "de" else "en-GB,en;q=0.9"})
    context.add_init_script(f"localStorage.setItem('freigabe.devUser', {json.dumps(email)})")
    page = context.new_page()
    page.set_default_timeout(10_000)
    writer = Writer(stack, page, email)
    page.on("pageerror", lambda error: writer.errors.append(str(error)))
    yield writer
    writer.shot(request.node.name)
    context.close()
    assert writer.errors == [], writer.errors


@pytest.fixture
def both(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Writer]:
    yield from signed_in(stack, browser, request, BOTH)


@pytest.fixture
def one(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Writer]:
    yield from signed_in(stack, browser, request, f"wanda.{uuid.uuid4().hex[:8]}@freigabe.example")


def offered(page: Any) -> list[str]:
    """The channels the form shows, by name."""
    rows = page.locator(".channel-row:visible")
    return sorted(rows.nth(i).get_attribute("data-channel") for i in range(rows.count()))


def saved_id(writer: Writer) -> str:
    writer.page.wait_for_url("**/#/posts/*")
    return writer.page.url.rsplit("/", 1)[1]


def test_two_brand_writer_picks_a_brand_and_gets_its_channels(both: Writer) -> None:
    page = both.page
    both.open("#/compose")
    picker = page.get_by_label("Brand", exact=True)
    assert picker.is_visible()
    labels = [o.strip() for o in picker.locator("option").all_inner_texts()]
    assert labels == ["Freigabe GmbH", "Kaffeebar Süd"]
    assert offered(page) == FREIGABE_CHANNELS

    # A channel of the first brand, then the other brand: its channels replace the first's,
    # and the one chosen before is no longer sent.
    page.get_by_label("Text", exact=True).fill(f"Neue Bohnen {uuid.uuid4().hex[:6]}")
    page.locator("[data-channel=outbox] input[type=checkbox]").check()
    assert page.locator("#block-reason").inner_text() == ""
    picker.select_option("kaffeebar")
    assert offered(page) == KAFFEE_CHANNELS
    assert page.locator("#block-reason").inner_text() == "Choose at least one channel."

    page.locator("[data-channel=kaffee_outbox] input[type=checkbox]").check()
    page.get_by_role("button", name="Save draft").click()
    post = both.api("GET", f"/api/posts/{saved_id(both)}")
    assert post["brand"] == "kaffeebar"
    assert post["channels"] == ["kaffee_outbox"]
    assert post["status"] == "draft"

    # Back again: the first brand's channels, and a post stored for it.
    both.open("#/compose")
    page.get_by_label("Brand", exact=True).select_option("freigabe")
    assert offered(page) == FREIGABE_CHANNELS
    page.get_by_label("Text", exact=True).fill("Für die GmbH")
    page.locator("[data-channel=mastodon] input[type=checkbox]").check()
    page.get_by_role("button", name="Save draft").click()
    stored = both.api("GET", f"/api/posts/{saved_id(both)}")
    assert (stored["brand"], stored["channels"]) == ("freigabe", ["mastodon"])


def test_an_edit_keeps_the_brand_and_shows_it(both: Writer) -> None:
    created = both.api("POST", "/api/posts", {"text": "Espresso", "channels": ["kaffee_outbox"],
                                              "brand": "kaffeebar", "submit": False})
    page = both.page
    both.open(f"#/posts/{created['id']}/edit")
    assert page.locator("select[name=brand]").count() == 0
    assert page.locator(".brand-fixed").inner_text() == "Kaffeebar Süd"
    assert offered(page) == KAFFEE_CHANNELS
    page.get_by_label("Text", exact=True).fill("Espresso doppio")
    page.get_by_role("button", name="Save", exact=True).click()
    saved_id(both)
    stored = both.api("GET", f"/api/posts/{created['id']}")
    assert (stored["brand"], stored["text"]) == ("kaffeebar", "Espresso doppio")


def test_the_picker_speaks_german(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> None:
    for writer in signed_in(stack, browser, request, BOTH, lang="de"):
        writer.open("#/compose")
        assert writer.page.get_by_label("Marke", exact=True).is_visible()


def test_one_brand_writer_sees_no_picker(one: Writer) -> None:
    page = one.page
    one.open("#/compose")
    assert page.locator("select[name=brand]").count() == 0
    assert page.locator(".brand-field").count() == 0
    assert offered(page) == FREIGABE_CHANNELS
    page.get_by_label("Text", exact=True).fill("Nur eine Marke")
    page.locator("[data-channel=outbox] input[type=checkbox]").check()
    page.get_by_role("button", name="Save draft").click()
    stored = one.api("GET", f"/api/posts/{saved_id(one)}")
    assert (stored["brand"], stored["channels"]) == ("freigabe", ["outbox"])


def test_my_posts_filter_by_brand(both: Writer) -> None:
    mark = uuid.uuid4().hex[:6]
    kaffee = both.api("POST", "/api/posts", {"text": f"Kaffee {mark}", "channels": ["kaffee_outbox"],
                                             "brand": "kaffeebar", "submit": False})
    gmbh = both.api("POST", "/api/posts", {"text": f"GmbH {mark}", "channels": ["outbox"],
                                           "brand": "freigabe", "submit": False})
    page = both.page
    both.open("#/posts")
    shown = page.locator(".post-row")
    page.locator(f"[data-post-id='{kaffee['id']}']").wait_for()
    assert page.locator(f"[data-post-id='{gmbh['id']}']").count() == 1

    page.get_by_label("Brand", exact=True).select_option("kaffeebar")
    page.locator(f"[data-post-id='{gmbh['id']}']").wait_for(state="detached")
    ids = [shown.nth(i).get_attribute("data-post-id") for i in range(shown.count())]
    assert kaffee["id"] in ids
    assert all(both.api("GET", f"/api/posts/{i}")["brand"] == "kaffeebar" for i in ids)
    assert "brand=kaffeebar" in page.url


def test_one_brand_writer_has_no_brand_filter(one: Writer) -> None:
    one.open("#/posts")
    assert one.page.locator("select[name=brand]").count() == 0


def test_the_calendar_filters_by_brand_and_keeps_it_across_months(both: Writer) -> None:
    from datetime import UTC, datetime, timedelta

    mark = uuid.uuid4().hex[:6]
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0).isoformat()
    both.api("POST", "/api/posts", {"text": f"Kaffee {mark}", "channels": ["kaffee_outbox"],
                                    "brand": "kaffeebar", "submit": False, "publish_at": at})
    both.api("POST", "/api/posts", {"text": f"GmbH {mark}", "channels": ["outbox"],
                                    "brand": "freigabe", "submit": False, "publish_at": at})
    page = both.page
    both.open("#/calendar")
    calendar = page.locator(".cal-grid")
    calendar.get_by_text(f"Kaffee {mark}").wait_for()
    assert calendar.get_by_text(f"GmbH {mark}").count() == 1

    page.get_by_label("Brand", exact=True).select_option("kaffeebar")
    page.wait_for_url("**brand=kaffeebar**")
    calendar.get_by_text(f"Kaffee {mark}").wait_for()  # the month again, for that brand only
    assert calendar.get_by_text(f"GmbH {mark}").count() == 0
    next_month = page.get_by_label("Next month").get_attribute("href") or ""
    assert "brand=kaffeebar" in next_month
