"""Review depth on the writers' web page in Debian's Chromium, against the local stack started
as `make run` starts it: holds shown and released, reason labels with the quoted sentence
marked, checklists ticked with an approval, overdue steps, Compare versions side by side, comments
internal and shared, and the review link of a step reviewed outside the company.

Reviewers act where they act in production: in the Slack dev workspace, whose clicks and modal
submissions reach the stack signed as Slack signs them. Each test writes as a person of its
own (or as the dev workspace's admin, where the person releasing must be known to Slack) and
leaves a screenshot in test-results/web/.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dev.testing import StackHandle, start_stack
from tests.e2e.test_web_page import Writer

pytestmark = pytest.mark.e2e

LABELS = ["Tonalität", "Unbelegte Aussage", "Fehlendes Bild", "Rechtliches Risiko"]
# Legal is due a second after its request, so a test sees it overdue; brand carries the
# checklist; the client step is reviewed through a link outside the company.
WORKFLOW = f"""
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
late_publish_minutes = 120
admins = ["U0ADMIN"]
reason_labels = {json.dumps(LABELS, ensure_ascii=False)}

[[steps]]
name = "legal"
label = "Legal"
slack_channel = "C0LEGAL"
reviewers = ["U0LEGAL1", "U0LEGAL2"]
due_hours = 0.0003
escalate_to = "U0ADMIN"
[steps.when]
keywords = ["garantiert", "rabatt"]

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]
due_hours = 48

[[steps.checklist]]
id = "ad_label"
label = {{ de = "Werbung gekennzeichnet", en = "Advertising labelled" }}
required = true

[[steps.checklist]]
id = "claims"
label = {{ de = "Aussagen belegt", en = "Claims substantiated" }}
required = true

[[steps.checklist]]
id = "alt_text"
label = {{ de = "Alternativtexte aussagekräftig", en = "Alt texts meaningful" }}
required = false

[[steps]]
name = "client"
label = "Kunde"
kind = "link"
slack_channel = "C0BRAND"
link_valid_hours = 48
[steps.when]
keywords = ["kunde"]

[channels.outbox]
type = "outbox"
path = ".freigabe/review-depth-outbox.jsonl"
"""
CHANNELS = {"legal": "C0LEGAL", "brand": "C0BRAND"}
ADMIN = "admin@freigabe.example"  # Ada Admin, U0ADMIN in the dev workspace


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    folder = tmp_path_factory.mktemp("review-depth-stack")
    workflow = folder / "workflow.toml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    handle = start_stack(folder, {
        "FREIGABE_CONFIG": str(workflow), "FREIGABE_AUTH": "dev",
        "FREIGABE_TABLE": "freigabe-review-depth-e2e", "FREIGABE_TICK_SECONDS": "1",
    })
    yield handle
    handle.stop()


class People:
    """Opens signed-in browser pages; every page is closed and checked for script errors."""

    def __init__(self, stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> None:
        self.stack, self.browser, self.request = stack, browser, request
        self.opened: list[tuple[Any, Writer]] = []

    def writer(self, email: str | None = None, width: int = 1280) -> Writer:
        email = email or f"rita.{uuid.uuid4().hex[:8]}@freigabe.example"
        context = self.browser.new_context(
            viewport={"width": width, "height": 900}, timezone_id="Europe/London", locale="en-GB",
            extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
        context.add_init_script(f"localStorage.setItem('freigabe.devUser', {json.dumps(email)})")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self.stack.base_url)
        page = context.new_page()
        page.set_default_timeout(10_000)
        writer = Writer(self.stack, page, email)
        page.on("pageerror", lambda error: writer.errors.append(str(error)))
        self.opened.append((context, writer))
        return writer

    def close(self) -> None:
        for index, (context, writer) in enumerate(self.opened):
            writer.shot(self.request.node.name + (f"-{index}" if index else ""))
            context.close()
        for _, writer in self.opened:
            assert writer.errors == [], writer.errors


@pytest.fixture
def people(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[People]:
    crowd = People(stack, browser, request)
    yield crowd
    crowd.close()


# -- Slack, as reviewers use it ---------------------------------------------------------------


def slack(stack: StackHandle, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    import requests

    return requests.post(f"{stack.slack_url}{path}", json=payload, timeout=30).json()  # type: ignore[no-any-return]


def review_request(stack: StackHandle, post_id: str, step: str) -> dict[str, Any]:
    import requests

    channel, deadline = CHANNELS[step], time.monotonic() + 30
    while time.monotonic() < deadline:
        state = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()
        found = [m for m in state["messages"].get(channel, [])
                 if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))
                 and "freigabe_approve" in json.dumps(m.get("blocks"))]
        if found:
            return found[-1]  # type: ignore[no-any-return]
        time.sleep(0.3)
    raise AssertionError(f"no review request for {post_id} in {channel}")


def decide_in_modal(stack: StackHandle, post_id: str, step: str, reviewer: str, action_id: str,
                    values: dict[str, dict[str, Any]]) -> None:
    """Clicks a button of the review request and submits the modal it opens."""
    import requests

    message = review_request(stack, post_id, step)
    click = slack(stack, "/_dev/click", {"user": reviewer, "channel": CHANNELS[step],
                                         "ts": message["ts"], "action_id": action_id})
    assert click["status"] == 200, click
    views = requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()["views"].get(reviewer, [])
    modal = [v for v in views if v["open"]][-1]
    answer = slack(stack, "/_dev/submit_view", {"user": reviewer, "view_id": modal["id"], "values": values})
    assert answer["status"] == 200 and answer["view_open"] is False, answer


def hold(stack: StackHandle, post_id: str, reason: str, step: str = "brand",
         reviewer: str = "U0BRAND1") -> None:
    decide_in_modal(stack, post_id, step, reviewer, "freigabe_hold", {"comment": {"comment": reason}})


def wait_for(check: Any, what: str, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"not within {seconds} s: {what}")


# The text of an element's own text nodes, without the words only screen readers hear.
OWN_TEXT = "el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('')"


def comments(writer: Writer, post_id: str) -> list[dict[str, Any]]:
    """The comments as stored: each comment event's data, oldest first."""
    timeline = writer.api("GET", f"/api/posts/{post_id}")["timeline"]
    return [event["data"] for event in timeline if event["type"] == "comment"]


def api_status(writer: Writer, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    try:
        return 200, writer.api(method, path, payload)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


# -- holds ------------------------------------------------------------------------------------


def test_a_hold_is_shown_with_who_and_why_and_only_someone_allowed_releases_it(people: People) -> None:
    # The author is no reviewer: the page shows the hold and the server's refusal.
    author = people.writer()
    post = author.create("Hallo Welt, bald geht es los.")
    hold(author.stack, post["id"], "Kampagne verschoben, bitte warten")
    author.open(f"#/posts/{post['id']}")
    page = author.page
    banner = page.locator(".hold-banner[data-step=brand]")
    assert banner.locator(".hold-title strong").inner_text() == "On hold: Brand"
    assert banner.locator(".hold-reason").inner_text() == "Kampagne verschoben, bitte warten"
    assert "U0BRAND1" in banner.locator(".hold-who").inner_text() or \
        "brand@freigabe.example" in banner.locator(".hold-who").inner_text()
    assert page.locator(".page-head .badge-hold").inner_text() == "On hold"
    assert page.locator(".status-line").inner_text().startswith("On hold:")
    assert "put the post on hold" in page.locator(".timeline .event-hold").inner_text()

    author.open("#/posts")
    row = page.locator(f".post-row[data-post-id='{post['id']}']")
    assert row.locator(".badge-hold").inner_text() == "On hold"
    author.open(f"#/posts/{post['id']}")
    banner.get_by_role("button", name="Release the hold of Brand").click()
    refusal = page.locator(".notices [role=alert]")
    refusal.wait_for()
    assert "That did not work." in refusal.inner_text()
    assert banner.is_visible()
    assert [h["reason"] for h in author.api("GET", f"/api/posts/{post['id']}")["holds"]] == \
        ["Kampagne verschoben, bitte warten"]

    # Ada Admin (known to Slack as an admin) writes too: she may release from the page.
    ada = people.writer(ADMIN)
    own = ada.create("Ada schreibt: Sommerfest am Freitag.")
    hold(ada.stack, own["id"], "Termin noch offen")
    ada.open(f"#/posts/{own['id']}")
    ada.page.get_by_role("button", name="Release the hold of Brand").click()
    ada.page.locator(".toast.is-visible").wait_for()
    assert ada.page.locator(".toast").inner_text() == "Hold released."
    assert ada.page.locator(".hold-banner").count() == 0
    assert ada.page.locator(".page-head .badge-hold").count() == 0
    assert "released the hold" in ada.page.locator(".timeline .event-hold_released").inner_text()
    stored = ada.api("GET", f"/api/posts/{own['id']}")
    assert stored["holds"] == [] and stored["status"] == "in_review"


# -- reason labels and the quoted sentence ----------------------------------------------------


def test_request_changes_shows_labels_and_marks_the_quoted_sentence_in_the_text(people: People) -> None:
    author = people.writer()
    quote = "Garantiert der beste Rabatt."
    post = author.create(f"{quote} Nur heute im Laden.")
    decide_in_modal(author.stack, post["id"], "legal", "U0LEGAL1", "freigabe_request_changes", {
        "labels": {"labels": ["Unbelegte Aussage", "Rechtliches Risiko"]},
        "comment": {"comment": "Bitte belegen oder streichen."},
        "quote": {"quote": quote},
    })
    wait_for(lambda: author.api("GET", f"/api/posts/{post['id']}")["status"] == "changes_requested",
             "changes requested")
    author.open(f"#/posts/{post['id']}")
    page = author.page

    step = page.locator(".steps [data-step=legal]")
    assert step.locator(".chips .chip").all_inner_texts() == ["Unbelegte Aussage", "Rechtliches Risiko"]
    assert step.locator(".comment").inner_text() == "Bitte belegen oder streichen."
    assert step.locator(".quoted").inner_text() == quote

    # The sentence is marked where it stands in the text, with the step and labels beside it.
    card = page.locator(".section-content .preview-card").first
    mark = card.locator("mark.quote-mark")
    assert mark.count() == 1
    # Only the quoted words are marked; screen readers hear where the mark starts and ends.
    assert mark.evaluate(OWN_TEXT) == quote
    assert mark.locator(".sr-only").all_inner_texts() == [
        "Marked by Legal · Unbelegte Aussage · Rechtliches Risiko:", "(end of marked passage)"]
    assert mark.get_attribute("title") == "Legal · Unbelegte Aussage · Rechtliches Risiko"
    assert card.locator(".preview-text").evaluate(OWN_TEXT) == " Nur heute im Laden."
    legend = card.locator(".quote-legend")
    assert "Legal" in legend.inner_text()
    assert legend.locator(".chip").all_inner_texts() == ["Unbelegte Aussage", "Rechtliches Risiko"]

    event = page.locator(".timeline .event-decision")
    assert event.locator(".chip").all_inner_texts() == ["Unbelegte Aussage", "Rechtliches Risiko"]
    assert event.locator(".quoted").inner_text() == quote


# -- checklists --------------------------------------------------------------------------------


def test_an_approval_lists_the_ticked_checklist_items(people: People) -> None:
    author = people.writer()
    post = author.create("Neue Filiale in Köln eröffnet.")
    decide_in_modal(author.stack, post["id"], "brand", "U0BRAND1", "freigabe_approve",
                    {"checklist": {"checklist": ["ad_label", "claims"]}})
    wait_for(lambda: author.api("GET", f"/api/posts/{post['id']}")["status"] == "scheduled", "scheduled")
    author.open(f"#/posts/{post['id']}")
    page = author.page
    step = page.locator(".steps [data-step=brand]")
    assert step.locator(".badge-step-approved").inner_text() == "Approved"
    ticked = step.locator(".checklist li")
    assert [i.get_attribute("data-item") for i in ticked.all()] == ["ad_label", "claims"]
    event = page.locator(".timeline .event-decision")
    items = event.locator(".checklist li").all()
    assert [i.get_attribute("data-item") for i in items] == ["ad_label", "claims"]
    assert event.locator(".checklist-done").inner_text().startswith("Checked:")


# -- deadlines ---------------------------------------------------------------------------------


def test_an_overdue_step_is_marked_in_words_in_the_post_and_in_my_posts(people: People) -> None:
    author = people.writer()
    post = author.create("Rabatt auf alle Kekse.")
    wait_for(lambda: any(s["overdue"] for s in author.api("GET", f"/api/posts/{post['id']}")["steps"]),
             "legal overdue")
    author.open("#/posts")
    page = author.page
    row = page.locator(f".post-row[data-post-id='{post['id']}']")
    assert row.locator(".badge-overdue").inner_text() == "⚠ Overdue"

    author.open(f"#/posts/{post['id']}")
    legal = page.locator(".steps [data-step=legal] .due")
    assert legal.get_attribute("data-overdue") == "true"
    assert legal.inner_text().startswith("⚠ Overdue Was due ")
    # Colour says it too: the danger red of the page, not the muted grey of a due time.
    assert legal.evaluate("el => getComputedStyle(el).color") == "rgb(180, 35, 24)"
    brand = page.locator(".steps [data-step=brand] .due")
    assert brand.get_attribute("data-overdue") == "false"
    assert brand.inner_text().startswith("Due ")


# -- a real diff -------------------------------------------------------------------------------


def test_compare_versions_shows_the_earlier_version_beside_the_current_one(people: People) -> None:
    author = people.writer()
    post = author.create("Unser Adventskalender startet morgen früh.",
                         variants={"outbox": "Kalender ab morgen."})
    edited = author.api("PATCH", f"/api/posts/{post['id']}", {
        "version": post["version"], "text": "Unser Adventskalender startet heute mit Keksen.",
        "variants": {"outbox": "Kalender ab morgen."}})
    assert edited["content_hash"] != post["content_hash"]
    author.open(f"#/posts/{post['id']}")
    page = author.page
    page.get_by_role("button", name="Compare versions").click()
    field = page.locator(".diff-field[data-field=text]")
    field.wait_for()
    before, after = field.locator("[data-side=before]"), field.locator("[data-side=after]")
    # Marked as <del>/<ins>, each with the word screen readers say before it.
    assert before.locator("del").all_text_contents() == ["removed: morgen früh."]
    assert after.locator("ins").all_text_contents() == ["added: heute mit Keksen."]
    assert before.locator(".diff-text").evaluate(OWN_TEXT) == "Unser Adventskalender startet "
    assert after.locator(".diff-text").text_content() == \
        "Unser Adventskalender startet added: heute mit Keksen."
    # The unchanged variant is not listed as a change; the images did not change either.
    assert page.locator(".diff-field").count() == 1
    assert page.locator(".diff-images").inner_text().endswith("No image changed.")
    left, right = before.bounding_box(), after.bounding_box()
    assert left and right and right["x"] > left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2
    author.shot("compare-versions-desk")

    # On a phone the two versions are stacked, the earlier one first.
    page.set_viewport_size({"width": 390, "height": 844})
    left, right = before.bounding_box(), after.bounding_box()
    assert left and right and right["y"] >= left["y"] + left["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# -- comments ----------------------------------------------------------------------------------


def test_a_shared_and_an_internal_comment_are_stored_and_listed_with_their_visibility(people: People) -> None:
    author = people.writer()
    post = author.create("Sommerfest: alle sind eingeladen.")
    author.open(f"#/posts/{post['id']}")
    page = author.page
    section = page.locator(".section-comments")
    assert section.locator(".muted").first.inner_text() == "No comments yet."

    section.get_by_label("Comment", exact=True).fill("Bitte Foto vom letzten Jahr nehmen.")
    section.get_by_role("button", name="Add comment").click()
    page.locator(".toast.is-visible").wait_for()
    assert page.locator(".toast").inner_text() == "Comment added (internal)."

    section = page.locator(".section-comments")
    section.get_by_label("Comment", exact=True).fill("Wir freuen uns auf Ihr Feedback.")
    section.locator("input[value=shared]").check()
    section.get_by_role("button", name="Add comment").click()
    page.locator(".section-comments .comment-entry[data-visibility=shared]").wait_for()

    entries = page.locator(".section-comments .comment-entry")
    assert [e.get_attribute("data-visibility") for e in entries.all()] == ["internal", "shared"]
    assert entries.locator(".comment").all_inner_texts() == [
        "Bitte Foto vom letzten Jahr nehmen.", "Wir freuen uns auf Ihr Feedback."]
    assert entries.locator(".badge").all_inner_texts() == ["Internal", "Shared"]
    assert comments(author, post["id"]) == [
        {"text": "Bitte Foto vom letzten Jahr nehmen.", "visibility": "internal"},
        {"text": "Wir freuen uns auf Ihr Feedback.", "visibility": "shared"}]

    # An empty comment is refused on the page; nothing more is stored.
    page.locator(".section-comments").get_by_role("button", name="Add comment").click()
    assert page.locator(".section-comments .field-error").inner_text() == "Write a comment first."
    assert len(comments(author, post["id"])) == 2


# -- reviewers outside the company -------------------------------------------------------------


def test_a_review_link_is_created_copied_and_opens_the_page_with_only_shared_comments(people: People) -> None:
    author = people.writer()
    post = author.create("Für unseren Kunden: die neue Kollektion ist da.")
    for text, visibility in (("Intern: Preis noch offen", "internal"),
                             ("Gern Feedback bis Freitag", "shared")):
        author.api("POST", f"/api/posts/{post['id']}/comments", {"text": text, "visibility": visibility})
    author.open(f"#/posts/{post['id']}")
    page = author.page
    assert page.locator(".steps [data-step=client]").get_attribute("data-kind") == "link"
    page.get_by_role("button", name="Create review link").click()
    field = page.get_by_label("Review link for Kunde")
    field.wait_for()
    url = field.input_value()
    assert url.startswith(author.stack.base_url + "/review/")
    assert page.locator(".link-expiry").inner_text().startswith("Valid until ")
    page.get_by_role("button", name="Copy link").click()
    page.locator(".toast.is-visible").wait_for()
    assert page.locator(".toast").inner_text() == "Link copied."
    assert page.evaluate("navigator.clipboard.readText()") == url

    # Someone outside opens it without an account: the content and the shared comment only.
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200
        shown = answer.read().decode()
    assert "die neue Kollektion ist da." in shown
    assert "Gern Feedback bis Freitag" in shown and "Preis noch offen" not in shown


def test_no_review_link_is_offered_without_a_link_step(people: People) -> None:
    author = people.writer()
    post = author.create("Ganz normaler Beitrag.")
    author.open(f"#/posts/{post['id']}")
    assert author.page.locator(".section-link").count() == 0
    status, answer = api_status(author, "POST", f"/api/posts/{post['id']}/review-links", {})
    assert 400 <= status < 500 and answer["message"]

