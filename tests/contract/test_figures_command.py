"""`python -m chalicelib.figures POST_ID` (make figures) against the table: a post whose
changes never reached the relay gets its facts written from its stored timeline, and a second
run counts nothing twice."""

from __future__ import annotations

import pytest

from chalicelib import bootstrap, figures
from chalicelib.services import analytics
from tests.unit.helpers import AUTHOR, BRAND, NOW, eligible, new_post, workflow


def test_a_posts_facts_are_written_again_from_its_stored_timeline(
        table: str, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a post submitted and approved, stored without the relay ever seeing its changes
    wf = workflow()
    post = new_post(post_id="uncounted")
    post.submit(wf, AUTHOR, NOW)
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", NOW, eligible(wf, "brand"))
    container = bootstrap.container()
    container.repository.save(post)
    day = NOW.date()
    assert analytics.stats(container.stats_store, day, day)["steps"] == []
    # WHEN its facts are written again, twice
    assert figures.main(["uncounted"]) == 0
    assert figures.main(["uncounted"]) == 0
    # THEN its decision and its schedule are counted, once each
    assert capsys.readouterr().out.splitlines() == ["uncounted: 2 facts written"] * 2
    figures_now = analytics.stats(container.stats_store, day, day)
    assert [(s["step"], s["decisions"]) for s in figures_now["steps"]] == [("brand", 1)]
    assert [b["scheduled"] for b in figures_now["brands"]] == [1]


def test_an_unknown_post(table: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert figures.main(["nope"]) == 1
    assert "nope: no such post" in capsys.readouterr().out
