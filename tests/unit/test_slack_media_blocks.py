"""A post's images in Slack's blocks: every image in order as a private Slack file, its alt text
visible and escaped, a marker where alt text is missing, and no Approve under an image the
reviewer could not see; Slack's block limits kept with the most images a post may carry."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.files import ShownImage, displayable
from chalicelib.domain.content import Content
from chalicelib.domain.media import MAX_ALT_CHARS, MAX_IMAGES, Image
from chalicelib.domain.post import Post
from tests.fakes.media import png, webp
from tests.unit.helpers import NOW, workflow
from tests.unit.test_slack_blocks import RAW_CONTROLS, texts_of

HOSTILE_ALT = "<!channel> *bold* <http://x|y> & mehr"


def image(n: int, alt: str = "") -> Image:
    return Image(media_id=f"m{n}", sha256=f"{n:064x}", content_type="image/png", size=1000 + n,
                 width=64, height=48, alt=alt)


def post_with(images: tuple[Image, ...], text: str = "Zwei Bilder im Advent",
              channels: tuple[str, ...] = ("outbox",), variants: dict[str, str] | None = None) -> Post:
    wf = workflow()
    content = Content(text=text, channels=channels, variants=variants or {}, media=images)
    post = Post.create("p1", "writer@freigabe.example", "Wanda Writer", content,
                       datetime(2026, 12, 1, 8, 0, tzinfo=UTC), NOW)
    post.submit(wf, post.author, NOW)
    return post


def shown(post: Post, missing: tuple[int, ...] = ()) -> list[ShownImage]:
    return [ShownImage(item, None if n in missing else f"F{n:04d}")
            for n, item in enumerate(post.content.media, start=1)]


def request(post: Post, images: list[ShownImage] | None, lang: str = "de",
            seen: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    step = post.steps[0]
    _, body = blocks.review_request(post, step, workflow(), lang, images=images, seen=seen)
    return body


def actions(body: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in body if b["type"] == "actions" for e in b["elements"]]


def image_blocks(body: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in body if b["type"] == "image"]


def test_every_image_is_shown_in_order_from_its_slack_file_with_its_alt_text() -> None:
    post = post_with((image(1, "Ein Adventskranz mit vier Kerzen"), image(2, "Das Team im Schnee")))
    body = request(post, shown(post))

    pictures = image_blocks(body)
    assert [p["slack_file"] for p in pictures] == [{"id": "F0001"}, {"id": "F0002"}]
    assert [p["title"]["text"] for p in pictures] == ["Bild 1", "Bild 2"]
    assert [p["alt_text"] for p in pictures] == ["Ein Adventskranz mit vier Kerzen",
                                                  "Das Team im Schnee"]
    assert all("image_url" not in p for p in pictures)  # never a URL of the bucket
    said = "\n".join(texts_of(body))
    assert said.index("*Bild 1* · Alternativtext: Ein Adventskranz") < said.index(
        "*Bild 2* · Alternativtext: Das Team im Schnee")
    assert said.index("Zwei Bilder im Advent") < said.index("Bild 1")
    assert actions(body) == [blocks.APPROVE, blocks.REQUEST_CHANGES, blocks.REJECT, blocks.HOLD]


def test_english_titles_and_labels() -> None:
    post = post_with((image(1, "A wreath"),))
    body = request(post, shown(post), lang="en")
    assert image_blocks(body)[0]["title"]["text"] == "Image 1"
    assert "*Image 1* · Alt text: A wreath" in texts_of(body)


def test_a_hostile_alt_text_shows_literally_and_pings_nobody() -> None:
    post = post_with((image(1, HOSTILE_ALT),))
    body = request(post, shown(post))

    said = texts_of(body)
    assert "*Bild 1* · Alternativtext: &lt;!channel&gt; *bold* &lt;http://x|y&gt; &amp; mehr" in said
    dumped = json.dumps(body)
    for raw in ("<!channel>", "<http://x|y>"):
        assert raw not in dumped
    assert image_blocks(body)[0]["alt_text"] == "&lt;!channel&gt; *bold* &lt;http://x|y&gt; &amp; mehr"
    context = next(b for b in body if b["type"] == "context" and "Bild 1" in json.dumps(b))
    assert context["elements"][0]["verbatim"] is True


def test_a_missing_alt_text_is_marked_where_the_reviewer_reads() -> None:
    post = post_with((image(1, "Kranz"), image(2, "   ")))
    body = request(post, shown(post))

    assert "*Bild 2* · _(kein Alternativtext)_" in texts_of(body)
    assert image_blocks(body)[1]["alt_text"] == "(kein Alternativtext)"  # Slack requires one
    assert blocks.APPROVE in actions(body)  # the workflow's rule decides at submission, not here


def test_an_image_that_could_not_be_shown_leaves_no_approve() -> None:
    post = post_with((image(1, "Kranz"), image(2, "Team")))
    body = request(post, shown(post, missing=(2,)))

    said = "\n".join(texts_of(body))
    assert "Bild 2 konnte hier nicht angezeigt werden. Bitte nicht freigeben" in said
    assert [p["slack_file"]["id"] for p in image_blocks(body)] == ["F0001"]
    assert "*Bild 2* · Alternativtext: Team" in said  # the alt text is still there to judge
    assert actions(body) == [blocks.REQUEST_CHANGES, blocks.REJECT, blocks.HOLD]
    assert "deshalb fehlt hier „Freigeben“" in said


def test_images_not_given_count_as_not_shown() -> None:
    post = post_with((image(1, "Kranz"),))
    body = request(post, None)
    assert image_blocks(body) == []
    assert blocks.APPROVE not in actions(body) and blocks.REVIEW not in actions(body)


def test_a_text_only_post_is_unchanged() -> None:
    post = post_with(())
    body = request(post, None)
    assert image_blocks(body) == []
    assert actions(body) == [blocks.APPROVE, blocks.REQUEST_CHANGES, blocks.REJECT, blocks.HOLD]


def test_the_most_images_with_the_longest_alt_texts_and_texts_fit_one_message() -> None:
    channels = ("outbox", "x", "mastodon", "bluesky", "linkedin", "hooks")
    variants = {c: f"{c} " + "ä<&" * 3000 for c in channels[1:]}
    items = tuple(image(n, "<" * MAX_ALT_CHARS) for n in range(1, MAX_IMAGES + 1))
    post = post_with(items, text="Lang " * 5000, channels=channels, variants=variants)
    body = request(post, shown(post))  # slack_sdk validates every block while building

    assert len(body) <= blocks.MESSAGE_BLOCKS
    assert len(image_blocks(body)) == MAX_IMAGES
    assert all(len(p["alt_text"]) <= blocks.IMAGE_ALT_LIMIT for p in image_blocks(body))
    for block in body:
        if block["type"] in ("section", "context"):
            for text in texts_of(block):
                assert len(text) <= blocks.SECTION_LIMIT
    # the text did not fit: Review opens the modal instead of Approve
    assert actions(body)[0] == blocks.REVIEW


def test_what_changed_names_the_images_that_changed() -> None:
    before = post_with((image(1, "Kranz"), image(2, "Team")))
    after = post_with((image(1, "Kranz mit Kerzen"), image(3, "Neues Teamfoto")))
    body = request(after, shown(after), seen=before.content.to_dict())

    said = "\n".join(texts_of(body))
    assert "Geändert seit Ihrer letzten Prüfung: Bilder" in said
    assert "Alternativtext von Bild 1 geändert" in said and "Bild 2 ersetzt" in said


def test_what_changed_in_english_names_a_reorder() -> None:
    before = post_with((image(1, "A"), image(2, "B")))
    after = post_with((image(2, "B"), image(1, "A")))
    body = request(after, shown(after), lang="en", seen=before.content.to_dict())
    assert "images reordered" in "\n".join(texts_of(body))


def test_the_review_modal_shows_the_images_and_approves_only_when_all_were_shown() -> None:
    post = post_with((image(1, "Kranz"), image(2, "Team")))
    step = post.steps[0]
    view = blocks.review_modal(post, step, workflow(), "de", "meta", images=shown(post))
    assert [p["slack_file"]["id"] for p in image_blocks(view["blocks"])] == ["F0001", "F0002"]
    assert view["submit"]["text"] == "Freigeben"

    unseen = blocks.review_modal(post, step, workflow(), "de", "meta", images=shown(post, (1,)))
    assert "submit" not in unseen or unseen["submit"] is None
    assert blocks.review_modal(post, step, workflow(), "de", "meta").get("submit") is None


def test_app_home_shows_each_posts_images_and_keeps_to_100_blocks() -> None:
    wf = workflow()
    items = []
    images: dict[str, list[ShownImage]] = {}
    for n in range(20):
        content = Content(text=f"Beitrag {n}", channels=("outbox",),
                          media=tuple(image(i, f"Bild {i} von {n}") for i in range(1, MAX_IMAGES + 1)))
        post = Post.create(f"p{n}", "writer@freigabe.example", "Wanda", content, None, NOW)
        post.submit(wf, post.author, NOW)
        items.append((post, post.steps[0]))
        images[post.id] = shown(post)
    view = blocks.home_view(items, wf, "de", images)

    assert len(view["blocks"]) <= blocks.HOME_BLOCKS
    listed = [b for b in view["blocks"] if b["type"] == "actions"]
    first_images = image_blocks(view["blocks"])[:MAX_IMAGES]
    assert [p["slack_file"]["id"] for p in first_images] == [f"F{i:04d}" for i in range(1, 11)]
    assert f"… und {20 - len(listed)} weitere." in texts_of(view)
    assert all(e["action_id"] == blocks.REVIEW for b in listed for e in b["elements"][:1])


def test_app_home_offers_no_review_for_a_post_whose_images_are_not_in_slack() -> None:
    post = post_with((image(1, "Kranz"),))
    view = blocks.home_view([(post, post.steps[0])], workflow(), "de", {})
    assert actions(view["blocks"]) == [blocks.REQUEST_CHANGES, blocks.REJECT, blocks.HOLD]
    assert "Bild 1 konnte hier nicht angezeigt werden" in "\n".join(texts_of(view))


def test_payloads_keep_no_raw_controls_from_alt_texts() -> None:
    post = post_with((image(1, HOSTILE_ALT), image(2, HOSTILE_ALT)))
    for body in (request(post, shown(post)), request(post, shown(post, (1,))),
                 blocks.home_view([(post, post.steps[0])], workflow(), "en",
                                  {post.id: shown(post)})["blocks"]):
        for text in texts_of(body):
            for raw in (*RAW_CONTROLS, "<http://x|y>"):
                assert raw not in text


def test_webp_is_shown_as_a_png_of_the_same_pixels_and_the_others_as_they_are() -> None:
    from PIL import Image as Pillow

    original = webp(40, 30, (10, 200, 30))
    data, extension = displayable(original, "image/webp")
    assert extension == "png" and data.startswith(b"\x89PNG")
    with Pillow.open(io.BytesIO(data)) as shown_png, Pillow.open(io.BytesIO(original)) as source:
        assert shown_png.size == (40, 30)
        assert list(shown_png.convert("RGB").getdata()) == list(source.convert("RGB").getdata())
    same = png()
    assert displayable(same, "image/png") == (same, "png")
