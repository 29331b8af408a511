"""The printable evidence view compares each version with the one before, word by word (issue
15: "a real diff ... the evidence"), escaped, with the image changes."""

from __future__ import annotations

from pathlib import Path

from chalicelib.http.evidence_routes import render
from tests.unit.evidence_rig import history


def test_each_later_version_shows_what_changed_from_the_one_before(tmp_path: Path) -> None:
    document = history(tmp_path).document()
    assert len(document["versions"]) == 2

    shown = render(document, "en", "evidence.css")

    assert shown.count("Changes from version 1") == 1
    assert "<del>" in shown and "<ins>" in shown
    assert "image 1 alt text changed" in shown
    assert "Änderungen gegenüber Version 1" in render(document, "de", "evidence.css")


def test_hostile_text_in_a_diff_is_escaped(tmp_path: Path) -> None:
    document = history(tmp_path).document()
    later = document["versions"][1]["content"]
    later["text"] = later["text"] + " <script>alert(1)</script>"
    shown = render(document, "en", "evidence.css")
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;" in shown
