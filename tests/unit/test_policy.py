"""Which steps a post needs: keyword rules match what a reader sees, not the code points a
writer typed. Soft hyphens, zero-width and other invisible characters, fullwidth forms and
Cyrillic/Greek look-alikes of Latin letters do not dodge a keyword, on either side."""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any

import pytest

from chalicelib.config import parse_config
from chalicelib.domain.content import Content
from chalicelib.domain.normalize import _IGNORABLE_RANGES, _LOOKALIKES, for_matching, is_ignorable
from chalicelib.domain.policy import Requirement, requirements
from chalicelib.domain.workflow import Workflow
from tests.unit.helpers import content, workflow, workflow_file


def keyword_workflow(*keywords: str) -> Workflow:
    """The test workflow with the legal step's keywords replaced and no channel rule."""
    source: dict[str, Any] = workflow_file()
    steps = [dict(step) for step in source["steps"]]
    steps[0] = {**steps[0], "when": {"keywords": list(keywords), "channels": []}}
    return parse_config({**source, "steps": steps}).workflow


def legal(wf: Workflow, post: Content) -> Requirement:
    return next(r for r in requirements(wf, post) if r.step == "legal")


@pytest.mark.parametrize("text", [
    "Ra\u00adbatt auf alles",                  # soft hyphen
    "Ra\u200bbatt auf alles",                  # zero-width space
    "Ra\u200dbatt auf alles",                  # zero-width joiner
    "Ra\u2060batt auf alles",                  # word joiner
    "Rab\ufeffatt auf alles",                  # byte order mark / ZWNBSP
    "Ra\u034fbatt auf alles",                  # combining grapheme joiner
    "Ra\ufe0fbatt auf alles",                  # variation selector
    "Ra\U000e0062batt auf alles",              # tag character
    "\uff32\uff21\uff22\uff21\uff34\uff34!",   # fullwidth RABATT
    "R\u0430batt auf alles",                   # Cyrillic a
    "R\u0410\u0412\u0410\u0422\u0422",          # Cyrillic А, В, А, Т, Т
    "R\u03b1b\u03b1tt",                        # Greek alpha
    "rAbAtT-Aktion",                           # mixed case
    "Sommerrabattaktion",                      # part of a word, as before
])
def test_a_disguised_keyword_still_requires_the_step(text: str) -> None:
    req = legal(keyword_workflow("rabatt"), content(text))
    assert req.required
    assert req.reasons == ("keyword:rabatt",)


@pytest.mark.parametrize("text", ["50\uff05 auf alles", "50\ufe6a", "50 % auf alles"])
def test_a_fullwidth_or_small_percent_sign_matches_the_percent_keyword(text: str) -> None:
    req = legal(keyword_workflow("%"), content(text))
    assert req.reasons == ("keyword:%",)


@pytest.mark.parametrize("text", [
    "Rabbit", "Ra batt", "Ra-batt", "Rabat", "Hallo Welt",
    "\u0420\u0430\u0431\u0430\u0442\u0442",  # Russian "Рабатт": б and т are no Latin letters
    "\u0420\u0410\u0412\u0410TT",              # reads "PABATT": Cyrillic Р is a P
])
def test_a_text_without_the_keyword_does_not_match(text: str) -> None:
    req = legal(keyword_workflow("rabatt"), content(text))
    assert not req.required
    assert req.reasons == ()


@pytest.mark.parametrize("keyword", [
    "Ra\u00adbatt", "RA\u200bBATT", "\uff32\uff41\uff42\uff41\uff54\uff54", "R\u0430batt",
])
def test_keywords_written_with_odd_characters_normalise_the_same_way(keyword: str) -> None:
    wf = keyword_workflow(keyword)
    for text in ("Rabatt", "Ra\u00adbatt", "\uff32\uff21\uff22\uff21\uff34\uff34", "R\u0430batt"):
        req = legal(wf, content(text))
        # The reviewer sees the keyword as the workflow file configures it.
        assert req.reasons == (f"keyword:{keyword}",), text
    assert not legal(wf, content("Rabbit")).required


def test_every_text_variant_and_the_title_are_matched_normalised() -> None:
    wf = keyword_workflow("gewinnspiel")
    assert legal(wf, content("Hallo", title="GEWINN\u00adSPIEL")).required
    assert legal(wf, content("Hallo", channels=("x", "outbox"),
                             variants={"x": "Gew\u0456nnspiel"})).required  # Cyrillic i


def test_the_reasons_keep_their_kind_value_format_and_order() -> None:
    wf = keyword_workflow("rabatt", "%", "garantiert")
    req = legal(wf, content("G\u0430rantiert 50\uff05 R\u0430batt"))
    assert req.reasons == ("keyword:rabatt", "keyword:%", "keyword:garantiert")


def test_matching_does_not_change_the_content_or_its_hash() -> None:
    plain, disguised = content("Rabatt"), content("Ra\u00adbatt")
    before = disguised.hash
    requirements(workflow(), disguised)
    assert disguised.hash == before
    assert disguised.text == "Ra\u00adbatt"
    assert disguised.hash != plain.hash


def test_a_keyword_of_only_invisible_characters_matches_nothing() -> None:
    req = legal(keyword_workflow("\u00ad\u200b"), content("Rabatt"))
    assert not req.required


# normalize.for_matching itself


@pytest.mark.parametrize(("written", "seen"), [
    ("Ra\u00adbatt", "rabatt"),
    ("\uff32\uff21\uff22\uff21\uff34\uff34", "rabatt"),
    ("50\uff05", "50%"),
    ("Stra\u00dfe", "strasse"),
    ("\ufb01nal", "final"),                       # ligature
    ("\u0392\u0395\u03a4\u0391", "beta"),          # Greek capitals
    ("\u0441\u043e\u0440\u0443", "copy"),          # Cyrillic small letters
    ("Gew\u0399nnspiel", "gewinnspiel"),          # Greek capital iota is an I
    ("\U0001d42b\U0001d41a\U0001d41b\U0001d41a\U0001d42d\U0001d42d", "rabatt"),  # math bold
])
def test_for_matching(written: str, seen: str) -> None:
    assert for_matching(written) == seen


@pytest.mark.parametrize("char", [
    "\u00ad", "\u034f", "\u061c", "\u115f", "\u1160", "\u180e", "\u200b", "\u200c", "\u200d",
    "\u200e", "\u202e", "\u2060", "\u2066", "\u3164", "\ufe00", "\ufe0f", "\ufeff", "\uffa0",
    "\U000e0001", "\U000e0100", "\U0001d173",
])
def test_default_ignorable_and_format_characters_are_dropped(char: str) -> None:
    assert is_ignorable(char)
    assert for_matching(f"a{char}b") == "ab"


@pytest.mark.parametrize("char", ["a", " ", "-", "%", "\u00e4", "\u0431", "\U0001f600"])
def test_visible_characters_are_kept(char: str) -> None:
    assert not is_ignorable(char)


def test_the_ignorable_ranges_are_ordered_and_disjoint() -> None:
    for (low, high), (next_low, _) in itertools.pairwise(_IGNORABLE_RANGES):
        assert low <= high < next_low


def test_the_lookalike_table_maps_cyrillic_and_greek_letters_to_one_latin_letter() -> None:
    for source, target in _LOOKALIKES.items():
        assert unicodedata.name(source).startswith(("CYRILLIC", "GREEK")), source
        assert len(target) == 1 and target.isascii() and target.isalpha(), source
        assert for_matching(source) == target.casefold(), source


def test_for_matching_is_idempotent() -> None:
    for text in ("R\u0430\u00adbatt \uff05", "\u0420\u0410\u0412\u0410TT", "Gr\u00fc\u00dfe \u03a3\u03c2"):
        once = for_matching(text)
        assert for_matching(once) == once
