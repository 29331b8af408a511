"""Slash commands arrive escaped (the manifest's should_escape: true): people as <@U…|name>,
which `/freigabe away` reads, and &, <, > as entities, which words meant as text (a pause's
reason, an unknown command echoed back) read as the person typed them."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.adapters.slack.commands import plain

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("sent", "typed"), [
    ("Krise &amp; Co &lt;heute&gt;", "Krise & Co <heute>"),
    ("frag <@U0LEGAL1|lena>", "frag @lena"),
    ("frag <@U0LEGAL1>", "frag @U0LEGAL1"),
    ("in <#C0NEWS|news>", "in #news"),
    ("siehe <https://example.com/a?b=1&amp;c=2>", "siehe https://example.com/a?b=1&c=2"),
    ("siehe <https://example.com|die Seite>", "siehe die Seite"),
    ("an <!subteam^S0LEGAL|@legal> und <!here>", "an @legal und @here"),
    ("&amp;lt; bleibt &amp;lt;", "&lt; bleibt &lt;"),  # unescaped once, not twice
    ("nichts Besonderes", "nichts Besonderes"),
])
def test_an_escaped_command_reads_as_typed(sent: str, typed: str) -> None:
    assert plain(sent) == typed


def test_the_manifest_asks_slack_to_escape_the_command() -> None:
    manifest = (ROOT / "infra" / "slack-manifest.yaml").read_text(encoding="utf-8")
    assert "should_escape: true" in manifest and "should_escape: false" not in manifest
