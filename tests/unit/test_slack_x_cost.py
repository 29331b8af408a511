"""The review request names what the post costs on each X channel (domain/pricing.py), in the
reviewer's language, dearer when X sees a link in the text that goes there."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.adapters.slack import blocks
from chalicelib.config import parse_config
from chalicelib.domain.content import Content
from chalicelib.domain.post import Post
from tests.unit.helpers import NOW, workflow, workflow_file
from tests.unit.test_slack_blocks import texts_of


def request_texts(text: str, channels: tuple[str, ...], lang: str = "en",
                  variants: dict[str, str] | None = None, **x_keys: object) -> str:
    data = workflow_file()
    data["channels"]["x"].update(x_keys)
    wf = parse_config(data).workflow if x_keys else workflow()
    post = Post.create("p1", "writer@freigabe.example", "Wanda", Content(
        text=text, channels=channels, variants=variants or {}),
        datetime(2026, 12, 1, 8, 0, tzinfo=UTC), NOW)
    post.submit(wf, post.author, NOW)
    step = next(s for s in post.steps if s.required)
    _, payload = blocks.review_request(post, step, wf, lang)
    return "\n".join(texts_of(payload))


def test_the_request_says_what_the_post_costs_on_x() -> None:
    said = request_texts("Hallo Welt", ("outbox", "x"))
    assert "x: costs $0.015 on X" in said
    assert "(with a link)" not in said


def test_a_link_makes_it_dearer_and_the_request_says_so_in_german_too() -> None:
    text = "Neu: https://example.com/blog"
    assert "x: costs $0.20 on X (with a link)" in request_texts(text, ("x",))
    assert "x: kostet $0.20 bei X (mit Link)" in request_texts(text, ("x",), lang="de")


def test_the_x_variant_and_the_configured_prices_count() -> None:
    said = request_texts("Neu: https://example.com/blog", ("outbox", "x"),
                         variants={"x": "Kurz und ohne Link"}, x_prices={"post": 0.02})
    assert "x: costs $0.02 on X" in said


def test_a_post_without_x_names_no_cost() -> None:
    assert "on X" not in request_texts("Neu: https://example.com/blog", ("outbox", "mastodon"))
