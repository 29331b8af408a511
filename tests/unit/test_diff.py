"""The word diff: parts that rebuild both versions exactly, merged runs, and a post's changes
over every text variant and its images."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.content import Content
from chalicelib.domain.diff import content_changes, word_diff
from chalicelib.domain.media import Image


def image(sha: str, alt: str = "ein Bild") -> Image:
    return Image(media_id=f"m-{sha}", sha256=sha * 64, content_type="image/png", size=10,
                 width=10, height=10, alt=alt)


def test_a_changed_word_is_removed_and_added_in_place() -> None:
    assert word_diff("Jetzt 50% Rabatt sichern", "Jetzt 30% Rabatt sichern") == [
        ("same", "Jetzt "), ("removed", "50%"), ("added", "30%"), ("same", " Rabatt sichern")]


def test_identical_texts_are_one_same_part_and_empty_texts_none() -> None:
    assert word_diff("Hallo Welt", "Hallo Welt") == [("same", "Hallo Welt")]
    assert word_diff("", "") == []
    assert word_diff("", "neu") == [("added", "neu")]


@given(st.text(alphabet="ab \n", max_size=30), st.text(alphabet="ab \n", max_size=30))
def test_the_parts_rebuild_both_versions(old: str, new: str) -> None:
    parts = word_diff(old, new)
    assert "".join(t for kind, t in parts if kind != "added") == old
    assert "".join(t for kind, t in parts if kind != "removed") == new
    kinds = [kind for kind, _ in parts]
    assert all(a != b for a, b in pairwise(kinds))


def test_content_changes_cover_every_variant_and_the_images() -> None:
    old = Content(text="Neu im Shop", channels=("outbox", "x"), title="Herbst",
                  variants={"x": "Neu im Shop #herbst"}, media=(image("a"), image("b")))
    new = Content(text="Neu im Shop", channels=("outbox", "x", "mastodon"), title="Herbst",
                  variants={"x": "Jetzt neu im Shop #herbst", "mastodon": "Neu bei uns"},
                  media=(image("a", "ein anderes Bild"), image("c")))
    changes = content_changes(old, new)
    by_field = {t["field"]: t for t in changes["texts"]}
    assert list(by_field) == ["title", "text", "variant:x", "variant:mastodon"]
    assert by_field["text"] == {"field": "text", "changed": False,
                                "diff": [["same", "Neu im Shop"]]}
    assert by_field["variant:x"]["diff"] == [["removed", "Neu"], ["added", "Jetzt neu"],
                                            ["same", " im Shop #herbst"]]
    assert by_field["variant:mastodon"] == {"field": "variant:mastodon", "changed": True,
                                            "diff": [["added", "Neu bei uns"]]}
    assert changes["images"] == ["image 1 alt text changed", "image 2 replaced"]


def test_a_phrase_replaced_word_by_word_reads_as_one_change() -> None:
    old, new = "Wir sehen uns morgen früh.", "Wir sehen uns heute abend."
    parts = word_diff(old, new)
    assert parts == [("same", "Wir sehen uns "), ("removed", "morgen früh."), ("added", "heute abend.")]
    assert "".join(t for k, t in parts if k != "added") == old
    assert "".join(t for k, t in parts if k != "removed") == new
