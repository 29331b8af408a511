"""The README's pictures of reviewing in Slack, taken from the local stack as `make run` starts
it (the sample workflow, the Slack dev workspace) with a browser: a checklist before Approve,
Request changes with reason labels and a quoted sentence, a request on hold, and a client's
link step (its request in Slack and the page behind the signed link).

    .venv/bin/python -m dev.screenshots [folder]     # default: docs/images

Needs Debian's chromium (/usr/bin/chromium) and the playwright package (`make test` installs
both). Each picture is cropped to the modal or the message it shows.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dev.environment import REPO_ROOT
from dev.testing import StackHandle, start_stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WRITER = "writer@freigabe.example"


def create_post(stack: StackHandle, text: str, title: str) -> str:
    body = json.dumps({"text": text, "title": title, "channels": ["outbox"]}).encode()
    request = urllib.request.Request(stack.base_url + "/api/posts", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "X-Freigabe-User": WRITER})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return str(json.loads(answer.read())["id"])


def review_link(stack: StackHandle, post_id: str) -> str:
    """The signed link the author hands to the client (POST /api/posts/{id}/review-links)."""
    request = urllib.request.Request(f"{stack.base_url}/api/posts/{post_id}/review-links", data=b"{}",
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "X-Freigabe-User": WRITER})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return str(json.loads(answer.read())["url"])


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise TimeoutError(f"waited {timeout:g} s for {what}")


def request_posted(stack: StackHandle, channel: str, post_id: str) -> bool:
    with urllib.request.urlopen(stack.slack_url + "/_dev/state", timeout=10) as answer:
        state = json.loads(answer.read())
    return any(post_id in json.dumps(m.get("blocks")) for m in state["messages"].get(channel, []))


class Workspace:
    """The dev workspace's page, as one person at a time."""

    def __init__(self, page: Any, stack: StackHandle) -> None:
        self.page, self.stack = page, stack

    def open(self, user: str, channel: str) -> None:
        self.page.goto(f"{self.stack.slack_url}/?conv={channel}")
        self.page.select_option("#who", user)
        self.page.wait_for_selector("article.thread")

    def request(self, post_id: str) -> Any:
        return self.page.locator("article.thread", has_text=post_id).first

    def click(self, post_id: str, action_id: str) -> Any:
        self.request(post_id).locator(f'[data-action-id="{action_id}"]').first.click()
        self.page.wait_for_selector("form.modal")
        # A locator, not an element: the page redraws itself whenever the workspace changes.
        return self.page.locator("form.modal")

    def submit(self) -> None:
        self.page.click("form.modal button[type=submit]")
        self.page.wait_for_selector("form.modal", state="detached")


def take(folder: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from chalicelib.adapters.slack import blocks

    folder.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as state:
        stack = start_stack(Path(state), {"FREIGABE_AUTH": "dev", "FREIGABE_TICK_SECONDS": "1",
                                          "FREIGABE_TABLE": "freigabe-screenshots"})
        try:
            checked = create_post(stack, "Gewinnspiel zum Advent: 20 % Rabatt auf alle Kalender, "
                                  "nur bis Sonntag. Teilnahmebedingungen im Profil.", "Adventsaktion")
            labelled = create_post(stack, "Unsere Kalender sind garantiert die besten der Welt. "
                                   "Jetzt bestellen!", "Kalender 2027")
            client = create_post(stack, "Für unseren Kunden, die Kaffeebar am Markt: ab Montag "
                                 "frisch gerösteter Adventskaffee.", "Kaffeebar im Advent")
            wait_for(lambda: request_posted(stack, "C0LEGAL", checked), "the legal request")
            wait_for(lambda: request_posted(stack, "C0BRAND", labelled), "the brand request")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="de-DE")
                slack = Workspace(page, stack)

                slack.open("U0LEGAL1", "C0LEGAL")
                modal = slack.click(checked, blocks.APPROVE)
                page.check('input[value="ad_label"]')
                page.check('input[value="impressum"]')
                shots.append(folder / "review-checklist.png")
                modal.screenshot(path=str(shots[-1]))
                page.click("[data-close-view]")

                slack.open("U0BRAND1", "C0BRAND")
                modal = slack.click(labelled, blocks.REQUEST_CHANGES)
                page.select_option('select[name="labels::labels"]',
                                   ["Unbelegte Aussage", "Rechtliches Risiko"])
                page.fill('textarea[name="comment::comment"]',
                          "„garantiert die besten“ lässt sich nicht belegen. Bitte abschwächen.")
                page.fill('input[name="quote::quote"]',
                          "Unsere Kalender sind garantiert die besten der Welt.")
                shots.append(folder / "review-labels.png")
                modal.screenshot(path=str(shots[-1]))
                slack.submit()

                slack.open("U0LEGAL2", "C0LEGAL")
                slack.click(checked, blocks.HOLD)
                page.fill('textarea[name="comment::comment"]',
                          "Teilnahmebedingungen fehlen noch im Profil; bitte erst verlinken.")
                slack.submit()
                wait_for(lambda: "Angehalten" in slack.request(checked).inner_text(),
                         "the request to show the hold")
                shots.append(folder / "review-hold.png")
                slack.request(checked).screenshot(path=str(shots[-1]))

                slack.open("U0BRAND1", "C0BRAND")
                wait_for(lambda: request_posted(stack, "C0BRAND", client), "the client request")
                shots.append(folder / "review-link-request.png")
                # the client step's request: no buttons, the review happens through the link
                page.locator("article.thread", has_text=client).filter(
                    has_text="signierten Link").first.screenshot(path=str(shots[-1]))
                page.goto(review_link(stack, client))
                page.wait_for_selector("form")
                shots.append(folder / "review-link-page.png")
                page.screenshot(path=str(shots[-1]), full_page=True)
                browser.close()
        finally:
            stack.stop()
    return shots


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT / "docs" / "images"
    for path in take(folder):
        print(path)


if __name__ == "__main__":
    main()
