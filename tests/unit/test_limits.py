"""Channel text limits: the shared vectors, twitter-text-parser as the reference for X, and
properties that hold for any text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.limits import BYTE_LIMITS, LIMITS, LimitCheck, byte_check, check, count

VECTORS_PATH = Path(__file__).parent.parent / "vectors" / "text_limits.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))["vectors"]


def text_of(vector: dict[str, Any]) -> str:
    if "text" in vector:
        return str(vector["text"])
    pieces = vector["text_repeat"]
    if isinstance(pieces[0], str):
        pieces = [pieces]
    return "".join(piece * times for piece, times in pieces)


def sent(text: str) -> str:
    """As the server receives it: lone surrogates become U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['channel_type']}-{i}" for i, v in enumerate(VECTORS)])
def test_vector(vector: dict[str, Any]) -> None:
    channel_type = vector["channel_type"]
    text = text_of(vector)
    limit = LIMITS[channel_type]

    result = check(channel_type, text)

    assert count(channel_type, text) == vector["count"], vector["note"]
    assert result == LimitCheck(
        channel_type, vector["count"], limit, limit is None or vector["count"] <= limit
    )


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS if "bytes" in v],
    ids=lambda v: f"{v['channel_type']}-{v['bytes']}",
)
def test_byte_vector(vector: dict[str, Any]) -> None:
    channel_type = vector["channel_type"]
    limit = BYTE_LIMITS.get(channel_type)

    result = byte_check(channel_type, text_of(vector))

    assert result == LimitCheck(
        channel_type, vector["bytes"], limit, limit is None or vector["bytes"] <= limit
    ), vector["note"]


def test_a_text_within_the_byte_limit_can_still_be_over_the_count() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"

    assert byte_check("bluesky", family * 120).ok
    assert not byte_check("bluesky", family * 120 + "a").ok
    assert check("bluesky", family * 120 + "a").ok
    assert not check("bluesky", "a" * 301).ok
    assert byte_check("bluesky", "a" * 301).ok


@pytest.mark.parametrize("channel_type", sorted(set(LIMITS) - set(BYTE_LIMITS)))
def test_a_network_without_a_byte_limit_takes_any_size(channel_type: str) -> None:
    result = byte_check(channel_type, "\U0001f600" * 70_000)

    assert result == LimitCheck(channel_type, 280_000, None, True)


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS if v["channel_type"] == "x"],
    ids=lambda v: v["note"][:40],
)
def test_x_vectors_are_what_twitter_text_parser_counts(vector: dict[str, Any]) -> None:
    from twitter_text import parse_tweet

    assert parse_tweet(sent(text_of(vector))).weightedLength == vector["count"]


def test_vectors_cover_every_channel_type_and_both_sides_of_every_limit() -> None:
    by_channel: dict[str, set[int]] = {}
    for vector in VECTORS:
        by_channel.setdefault(vector["channel_type"], set()).add(vector["count"])

    assert set(by_channel) == set(LIMITS)
    for channel_type, limit in LIMITS.items():
        if limit is not None:
            assert {limit, limit + 1} <= by_channel[channel_type], channel_type
    by_bytes: dict[str, set[int]] = {}
    for vector in VECTORS:
        if "bytes" in vector:
            by_bytes.setdefault(vector["channel_type"], set()).add(vector["bytes"])
    assert set(BYTE_LIMITS) <= set(LIMITS)
    for channel_type, limit in BYTE_LIMITS.items():
        assert {limit, limit + 1} <= by_bytes.get(channel_type, set()), channel_type


def test_unknown_channel_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown channel type"):
        count("myspace", "hello")
    with pytest.raises(ValueError, match="unknown channel type"):
        byte_check("myspace", "hello")


def test_a_text_too_costly_to_scan_for_urls_keeps_them_at_full_length() -> None:
    # 30 000 "a." defeat twitter-text's URL expression (minutes of backtracking); past
    # the scan budget every character counts, which only ever overstates the length.
    text = "a." * 30_000 + " https://example.com"

    assert count("x", text) == len(text)
    assert count("mastodon", text) == len(text)


# URL, mention and emoji fragments that the counting rules treat specially.
FRAGMENTS = [
    "a", "Z", "ä", "ß", "u\u0308", "日", ".", "-", "_", "/", "?", "=", "&", "#", "@", ":",
    " ", "\n", "\r\n", "https://", "http://", "www.", "example", "com", "de", "t.co/", "xn--",
    "(", ")", "😀", "👍🏽", "🇩🇪", "👨\u200d👩\u200d👧\u200d👦", "©", "1\ufe0f\u20e3", "\ufe0f", "€",
    "…", "„", "@alice@example.social", "москва.рф", "\u3002", "\u202e", "\ufeff", "İ", "ı",
]  # fmt: skip


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_x_counts_what_twitter_text_parser_counts(text: str) -> None:
    from twitter_text import parse_tweet

    assert count("x", text) == parse_tweet(text).weightedLength


# Any code point, and a denser mix of the awkward ones: lone surrogates (json.loads makes
# them from "\ud800"), combining and enclosing marks, symbols, controls, separators.
any_text = (
    st.text(st.characters(exclude_categories=()), max_size=200)
    | st.text(st.characters(categories=["Cs", "M", "So", "Sk", "Cc", "Cf", "Z", "Lo"]))
    | st.lists(st.sampled_from(FRAGMENTS)).map("".join)
)


@given(channel_type=st.sampled_from(sorted(LIMITS)), text=any_text)
@settings(deadline=None)
def test_any_text_has_a_count(channel_type: str, text: str) -> None:
    result = check(channel_type, text)

    assert result.count >= 0
    assert result.count == count(channel_type, text)
    assert result.ok == (result.limit is None or result.count <= result.limit)


@given(channel_type=st.sampled_from(sorted(LIMITS)), text=any_text)
@settings(deadline=None)
def test_any_text_has_a_byte_size_as_sent(channel_type: str, text: str) -> None:
    result = byte_check(channel_type, text)

    assert result.count == len(sent(text).encode("utf-8"))
    assert result.limit == BYTE_LIMITS.get(channel_type)
    assert result.ok == (result.limit is None or result.count <= result.limit)
