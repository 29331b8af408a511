"""Images on the writers' web page, in Debian's Chromium against the local stack: uploads go from
the browser straight to the emulator's bucket by presigned POST, are completed through the API,
and what the page submits is checked in the stored post (order, alt texts, sha256)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest

from dev.testing import StackHandle, start_stack
from tests.e2e.test_web_page import STACK_ENV, Writer, new_writer
from tests.fakes.media import png

pytestmark = pytest.mark.e2e

MEDIA_ENV = {**STACK_ENV, "FREIGABE_TABLE": "freigabe-web-media-e2e"}
RED = png(64, 48, (200, 30, 30))
BLUE = png(64, 48, (30, 30, 200))
TALL = png(48, 192, (30, 160, 60))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("web-media-stack"), MEDIA_ENV)
    yield handle
    handle.stop()


@pytest.fixture
def writer(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Writer]:
    yield from new_writer(stack, browser, request)


def noise_png(width: int, height: int) -> bytes:
    """A real PNG that does not compress: about width × height × 3 bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compose(writer: Writer, text: str, *channels: str) -> Any:
    page = writer.page
    writer.open("#/compose")
    page.get_by_label("Text", exact=True).fill(text)
    for channel in channels:
        page.locator(f"[data-channel={channel}] input[type=checkbox]").check()
    return page


def choose(page: Any, *files: tuple[str, bytes]) -> None:
    page.locator(".media input[type=file]").set_input_files(
        [{"name": name, "mimeType": "image/png", "buffer": data} for name, data in files])


def item(page: Any, position: int) -> Any:
    return page.locator(f".media-item[data-position='{position}']")


def wait_ready(page: Any, count: int) -> None:
    page.locator(".media-item[data-status=ready]").nth(count - 1).wait_for()
    assert page.locator(".media-item").count() == count


def stored_media(writer: Writer) -> list[tuple[str, str]]:
    (post,) = writer.api("GET", "/api/posts")["posts"]
    full = writer.api("GET", f"/api/posts/{post['id']}")
    return [(m["sha256"], m["alt"]) for m in full["media"]]


def box_ratio(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None and box["height"] > 0
    return float(box["width"] / box["height"])


# -- upload ------------------------------------------------------------------------------------


def test_an_image_chosen_by_picker_uploads_with_progress_and_shows_in_the_preview(writer: Writer) -> None:
    page = compose(writer, "Unser neues Logo.", "outbox")
    # Every state the image passes through, with the progress bar's value at that moment.
    page.evaluate("""() => {
        window.__states = [];
        new MutationObserver((changes) => {
            for (const change of changes) {
                const el = change.target;
                const bar = el.querySelector('progress');
                window.__states.push([el.dataset.status, bar ? bar.value : null]);
            }
        }).observe(document.querySelector('.media-list'),
                   { subtree: true, attributes: true, attributeFilter: ['data-status'] });
    }""")

    choose(page, ("logo.png", RED))
    wait_ready(page, 1)

    states = page.evaluate("window.__states")
    assert states[0][0] == "uploading" and states[-1] == ["ready", 100]
    assert ["checking", 100] in states
    first = item(page, 1)
    assert first.locator(".media-state-text").inner_text() == "Uploaded · 64 × 48"
    assert first.locator("progress").is_hidden()
    thumb = first.locator("img")
    thumb.evaluate("img => img.decode()")
    assert thumb.evaluate("img => img.naturalWidth") == 64
    # Shown from the bucket (a presigned GET), not from the file on the writer's device.
    bucket = f"http://127.0.0.1:{writer.stack.env['FREIGABE_AWS_PORT']}/"
    assert (thumb.get_attribute("src") or "").startswith(bucket)

    page.get_by_label("Alt text for image 1").fill("Rotes Quadrat, unser neues Logo")
    preview = page.locator(".preview-card img")
    assert preview.get_attribute("alt") == "Rotes Quadrat, unser neues Logo"
    assert preview.evaluate("img => img.decode().then(() => img.naturalHeight)") == 48

    page.get_by_role("button", name="Submit for review").click()
    page.locator(".section-images").wait_for()
    assert stored_media(writer) == [(sha(RED), "Rotes Quadrat, unser neues Logo")]
    caption = page.locator(".section-images figcaption").inner_text()
    assert "Image 1" in caption and "Rotes Quadrat, unser neues Logo" in caption
    assert page.locator(".section-images img").get_attribute("alt") == "Rotes Quadrat, unser neues Logo"


def test_reordering_by_keyboard_changes_the_order_that_is_submitted(writer: Writer) -> None:
    page = compose(writer, "Zwei Farben.", "mastodon")
    choose(page, ("red.png", RED), ("blue.png", BLUE))
    wait_ready(page, 2)
    page.get_by_label("Alt text for image 1").fill("Rot")
    page.get_by_label("Alt text for image 2").fill("Blau")

    move = page.get_by_role("button", name="Move image 2 left (earlier)")
    move.focus()
    page.keyboard.press("Enter")

    assert page.get_by_label("Alt text for image 1").input_value() == "Blau"
    assert page.get_by_label("Alt text for image 2").input_value() == "Rot"
    # Focus stays with the moved image: at the front, on its other arrow.
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move image 1 right (later)"
    assert [img.get_attribute("alt") for img in page.locator(".preview-card img").all()] == ["Blau", "Rot"]

    page.get_by_role("button", name="Submit for review").click()
    page.locator(".section-images").wait_for()
    assert stored_media(writer) == [(sha(BLUE), "Blau"), (sha(RED), "Rot")]


def test_an_edit_keeps_the_images_and_can_remove_one(writer: Writer) -> None:
    page = compose(writer, "Drei Bilder.", "outbox")
    choose(page, ("red.png", RED), ("blue.png", BLUE), ("tall.png", TALL))
    wait_ready(page, 3)
    for position, alt in enumerate(["Rot", "Blau", "Grün"], start=1):
        page.get_by_label(f"Alt text for image {position}").fill(alt)
    page.get_by_role("button", name="Save draft").click()
    page.locator(".section-images").wait_for()

    page.get_by_role("link", name="Edit").click()
    wait_ready(page, 3)
    assert page.get_by_label("Alt text for image 3").input_value() == "Grün"
    page.get_by_role("button", name="Remove image 2").click()
    page.get_by_label("Alt text for image 2").fill("Grün, hochkant")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".section-images").wait_for()

    assert stored_media(writer) == [(sha(RED), "Rot"), (sha(TALL), "Grün, hochkant")]
    assert page.locator(".section-images .image-alt").all_inner_texts() == ["Rot", "Grün, hochkant"]


# -- rules -------------------------------------------------------------------------------------


def test_missing_alt_text_for_bluesky_blocks_submission_beside_the_image(writer: Writer) -> None:
    page = compose(writer, "Ohne Beschreibung.", "bluesky")
    choose(page, ("red.png", RED))
    wait_ready(page, 1)

    errors = item(page, 1).locator(".media-errors")
    submit = page.get_by_role("button", name="Submit for review")
    assert errors.inner_text() == "bluesky: image 1 needs an alt text."
    assert submit.is_disabled()
    assert page.locator("#block-reason").inner_text() == "Fix what is marked at the images to continue."
    submit.click(force=True)
    page.wait_for_timeout(300)
    assert writer.api("GET", "/api/posts")["posts"] == []

    page.get_by_label("Alt text for image 1").fill("Ein rotes Quadrat")
    assert errors.count() == 1 and errors.is_hidden()
    assert submit.is_enabled()


def test_an_image_over_the_upload_limit_is_refused_with_the_servers_message(writer: Writer) -> None:
    page = compose(writer, "Zu groß.", "outbox")
    huge = RED[:64] + bytes(11 * 1024 * 1024)
    choose(page, ("huge.png", huge))

    failed = page.locator(".media-item[data-status=failed]")
    failed.wait_for()
    message = failed.locator(".media-errors").inner_text()
    assert "10" in message and "MB" in message, message
    assert page.get_by_role("button", name="Submit for review").is_disabled()
    assert page.locator("#block-reason").inner_text() == "Remove the images that could not be uploaded."

    failed.get_by_role("button", name="Remove image 1").click()
    assert page.locator(".media-item").count() == 0
    assert page.get_by_role("button", name="Submit for review").is_enabled()


def test_an_image_over_blueskys_two_megabytes_is_marked_for_bluesky_only(writer: Writer) -> None:
    page = compose(writer, "Ein großes Foto.", "bluesky", "mastodon")
    large = noise_png(1000, 700)
    assert len(large) > 2_000_000
    choose(page, ("foto.png", large))
    wait_ready(page, 1)
    page.get_by_label("Alt text for image 1").fill("Rauschen")

    assert item(page, 1).locator(".media-errors").inner_text() == "bluesky: image 1 is larger than 2 MB."
    assert page.get_by_role("button", name="Submit for review").is_disabled()
    page.locator("[data-channel=bluesky] input[type=checkbox]").uncheck()
    assert item(page, 1).locator(".media-errors").is_hidden()
    assert page.get_by_role("button", name="Submit for review").is_enabled()


def test_a_fifth_image_for_mastodon_is_marked_on_a_phone_and_can_be_removed(writer: Writer) -> None:
    writer.page.set_viewport_size({"width": 390, "height": 844})
    page = compose(writer, "Fünf Bilder.", "mastodon")
    colours = [(200, 30, 30), (30, 30, 200), (30, 160, 60), (90, 90, 90), (240, 200, 0)]
    choose(page, *[(f"{n}.png", png(64, 48, colour)) for n, colour in enumerate(colours, start=1)])
    wait_ready(page, 5)
    for position in range(1, 6):
        page.get_by_label(f"Alt text for image {position}").fill(f"Bild {position}")

    too_many = "mastodon: at most 4 images; this post has 5."
    assert item(page, 5).locator(".media-errors").inner_text() == too_many
    assert item(page, 4).locator(".media-errors").is_hidden()
    assert page.get_by_role("button", name="Submit for review").is_disabled()
    remove = page.get_by_role("button", name="Remove image 5")
    box = remove.bounding_box()
    assert box is not None and box["height"] >= 44  # a finger's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    writer.shot("media-phone")

    remove.click()
    assert page.locator(".media-item").count() == 4
    assert page.get_by_role("button", name="Submit for review").is_enabled()


# -- previews ----------------------------------------------------------------------------------


def test_previews_crop_the_images_as_each_network_shows_them(writer: Writer) -> None:
    page = compose(writer, "Vorschau.", "mastodon", "bluesky", "linkedin")
    choose(page, ("red.png", RED))
    wait_ready(page, 1)
    page.get_by_label("Alt text for image 1").fill("Rot")

    def shown(channel: str) -> Any:
        page.locator(".tabs [role=tab]", has_text=channel).click()
        media = page.locator(".preview-card .preview-media")
        media.locator("img").evaluate_all("imgs => Promise.all(imgs.map((img) => img.decode()))")
        return media

    mastodon = shown("mastodon")
    assert mastodon.get_attribute("data-layout") == "single"
    assert box_ratio(mastodon.locator(".preview-cell")) == pytest.approx(16 / 9, abs=0.02)
    assert mastodon.locator("img").evaluate("img => getComputedStyle(img).objectFit") == "cover"
    bluesky = shown("bluesky")
    assert box_ratio(bluesky.locator(".preview-cell")) == pytest.approx(64 / 48, abs=0.02)
    assert bluesky.locator("img").evaluate("img => getComputedStyle(img).objectFit") == "contain"

    # A tall image alone on LinkedIn: cut to 4:5. Two images on Mastodon: side by side.
    page.get_by_role("button", name="Remove image 1").click()
    choose(page, ("tall.png", TALL))
    wait_ready(page, 1)
    assert box_ratio(shown("linkedin").locator(".preview-cell")) == pytest.approx(4 / 5, abs=0.02)
    choose(page, ("red.png", RED))
    wait_ready(page, 2)
    grid = shown("mastodon")
    assert grid.get_attribute("data-layout") == "grid" and grid.get_attribute("data-count") == "2"
    assert box_ratio(grid) == pytest.approx(16 / 9, abs=0.02)
    for cell in grid.locator(".preview-cell").all():
        assert box_ratio(cell) == pytest.approx(8 / 9, abs=0.05)
    writer.shot("media-preview-grid")


# -- paste and drop ----------------------------------------------------------------------------

SYNTHETIC = """async ([kind, name, b64]) => {
    const init = (key) => ({ [key]: data, bubbles: true, cancelable: true });
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type: 'image/png' }));
    if (kind === 'paste') {
        const text = document.querySelector('textarea[name=text]');
        text.focus();
        text.dispatchEvent(new ClipboardEvent('paste', init('clipboardData')));
    } else {
        const form = document.querySelector('form.compose');
        form.dispatchEvent(new DragEvent('dragover', init('dataTransfer')));
        form.dispatchEvent(new DragEvent('drop', init('dataTransfer')));
    }
}"""


def test_images_can_be_pasted_and_dropped_onto_the_form(writer: Writer) -> None:
    page = compose(writer, "Eingefügt und abgelegt.", "outbox")

    page.evaluate(SYNTHETIC, ["paste", "pasted.png", base64.b64encode(RED).decode()])
    wait_ready(page, 1)
    page.evaluate(SYNTHETIC, ["drop", "dropped.png", base64.b64encode(BLUE).decode()])
    wait_ready(page, 2)

    # A pasted image is not also pasted into the text as its file name.
    assert page.get_by_label("Text", exact=True).input_value() == "Eingefügt und abgelegt."
    page.get_by_label("Alt text for image 1").fill("Eingefügt")
    page.get_by_label("Alt text for image 2").fill("Abgelegt")
    page.get_by_role("button", name="Submit for review").click()
    page.locator(".section-images").wait_for()
    assert stored_media(writer) == [(sha(RED), "Eingefügt"), (sha(BLUE), "Abgelegt")]
