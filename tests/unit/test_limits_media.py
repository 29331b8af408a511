"""Each network's image rules (domain/limits.py): count, bytes, type, pixels, alt text length
and whether alt text is required, as the networks document them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chalicelib.domain import media
from chalicelib.domain.limits import IMAGE_RULES, LIMITS, alt_length, image_problems, megabytes


@dataclass(frozen=True)
class Shot:
    content_type: str = media.PNG
    size: int = 50_000
    width: int = 1200
    height: int = 800
    alt: str = "Ein Team am Tisch"


def keys(channel_type: str, images: list[Shot], require_alt_text: bool = True) -> list[tuple[str, int]]:
    return [(p.key, p.image) for p in image_problems(channel_type, images, require_alt_text)]


def test_every_channel_type_has_image_rules_within_what_any_upload_may_be() -> None:
    assert set(IMAGE_RULES) == set(LIMITS)
    for rules in IMAGE_RULES.values():
        assert set(rules.types) <= set(media.IMAGE_TYPES)
        assert rules.max_images >= 1 and rules.max_alt >= 1000


@pytest.mark.parametrize("channel_type,limit", [("mastodon", 4), ("bluesky", 4), ("x", 4),
                                                ("facebook_page", 10), ("outbox", 10)])
def test_image_count(channel_type: str, limit: int) -> None:
    assert keys(channel_type, [Shot()] * limit) == []
    assert keys(channel_type, [Shot()] * (limit + 1)) == [("too_many_images", 0)]


@pytest.mark.parametrize("channel_type,largest", [("bluesky", 2_000_000), ("x", 5 * 1024 * 1024),
                                                  ("mastodon", 16 * 1024 * 1024)])
def test_bytes_per_image(channel_type: str, largest: int) -> None:
    assert keys(channel_type, [Shot(size=largest)]) == []
    assert keys(channel_type, [Shot(), Shot(size=largest + 1)]) == [("image_too_large", 2)]


def test_bluesky_says_its_limit_as_2_mb() -> None:
    (problem,) = image_problems("bluesky", [Shot(size=2_400_000)], True)
    assert problem.params == {"limit": "2"}
    assert (megabytes(2_000_000), megabytes(5 * 1024 * 1024), megabytes(1_500_000)) == ("2", "5", "1.5")


@pytest.mark.parametrize("channel_type,refused", [
    ("bluesky", [media.GIF]), ("linkedin", [media.WEBP]), ("facebook_page", [media.WEBP]),
    ("x", []), ("mastodon", []), ("webhook", [])])
def test_types(channel_type: str, refused: list[str]) -> None:
    found = [t for t in media.IMAGE_TYPES if keys(channel_type, [Shot(content_type=t)])]
    assert found == refused


def test_pixel_limits_of_x_and_linkedin() -> None:
    assert keys("x", [Shot(width=8192, height=100)]) == []
    assert keys("x", [Shot(width=8193, height=100)]) == [("image_too_wide", 1)]
    assert keys("linkedin", [Shot(width=6016, height=6009)]) == []  # 36,150,144 pixels
    assert keys("linkedin", [Shot(width=6100, height=6000)]) == [("image_too_many_pixels", 1)]
    assert keys("mastodon", [Shot(width=9000, height=9000)]) == []  # Mastodon downscales


def test_alt_text_is_required_on_bluesky_whatever_the_workflow_says() -> None:
    blank = [Shot(alt=" \n\t")]
    assert keys("bluesky", blank, require_alt_text=False) == [("alt_missing", 1)]
    assert keys("mastodon", blank, require_alt_text=False) == []
    assert keys("mastodon", blank, require_alt_text=True) == [("alt_missing", 1)]


@pytest.mark.parametrize("channel_type,limit", [("mastodon", 1500), ("x", 1000),
                                                ("linkedin", 4086), ("bluesky", 2000)])
def test_alt_text_length(channel_type: str, limit: int) -> None:
    assert keys(channel_type, [Shot(alt="a" * limit)]) == []
    (problem,) = image_problems(channel_type, [Shot(alt="a" * (limit + 1))], True)
    assert (problem.key, problem.params) == ("alt_too_long", {"count": limit + 1, "limit": limit})


def test_bluesky_counts_alt_text_in_graphemes_the_others_in_utf16_units() -> None:
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"
    assert alt_length("bluesky", family * 2000) == 2000
    assert keys("bluesky", [Shot(alt=family * 2000)]) == []
    assert alt_length("mastodon", family) == 11
    assert keys("mastodon", [Shot(alt=family * 137)]) == [("alt_too_long", 1)]


def test_unknown_channel_type_is_an_error() -> None:
    with pytest.raises(ValueError):
        image_problems("myspace", [], True)
