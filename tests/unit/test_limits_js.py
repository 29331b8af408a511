"""The web form's counter (limits.js) runs the shared vectors under node, and counts what the
server counts on texts no vector lists."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from chalicelib.domain.limits import LIMITS, count

ROOT = Path(__file__).resolve().parents[2]
LIMITS_JS = ROOT / "chalicelib" / "web" / "static" / "js" / "limits.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def test_node_runs_the_shared_vectors() -> None:
    assert NODE is not None
    result = subprocess.run(
        [NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_limits_js_carries_twitter_texts_top_level_domains() -> None:
    from twitter_text.regexp.valid_cctld import valid_cctld
    from twitter_text.regexp.valid_gtld import valid_gtld

    def listed(pattern: str) -> list[str]:
        return pattern[pattern.index("(?:(?:") + 6 : pattern.index(")(?=")].split("|")

    source = LIMITS_JS.read_text(encoding="utf-8")

    def in_js(name: str) -> list[str]:
        block = re.search(rf"const {name} = \[(.*?)\]\.join", source, re.S)
        assert block is not None, name
        return "|".join(re.findall(r"'([^']*)'", block.group(1))).split("|")

    assert in_js("GENERIC_TLDS") == listed(valid_gtld.pattern)
    assert in_js("COUNTRY_TLDS") == listed(valid_cctld.pattern)


# Pieces both counters read alike. Left out on purpose: a zero-width joiner or skin tone
# next to an emoji it does not belong to. twitter-text-parser counts only sequences on its
# Emoji 12 list as one emoji, limits.js counts any well-formed sequence as one.
PIECES = [
    "a", "Z", "ä", "ß", "é", "u\u0308", "日", "本", ".", "..", "-", "_", "/", "?", "=", "&",
    "#", "@", "＠", ":", "://", " ", "\n", "\r\n", "\t", "\u3000", "https://", "http://",
    "gemini://", "www.", "example", "com", "de", "co", "jp", "org", "t.co/", "xn--", "(",
    ")", "(x)", "[", "]", "%20", "!", "'", '"', "`", "~", "|", "$", "+", "*", ",", ";",
    "😀", "👍🏽", "🇩🇪", "👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "👨🏽\u200d💻", "©", "®",
    "1\ufe0f\u20e3", "☺\ufe0f", "☺", "„", "“", "…", "€", "–", "中国", ".рф", "москва",
    "ελ", "\u3002", "\u0301", "\u202e", "\ufeff", "İ", "ı", "ſ", "K", "Ａ", "：", "क",
    "्", "ष", "ि", "ह", "가", "@alice", "@bob@mastodon.social", "alice@example.org",
    "/path", "?q=1", "#frag", "x" * 70, "\ud800",
]  # fmt: skip


def test_limits_js_counts_what_limits_py_counts() -> None:
    assert NODE is not None
    rng = random.Random(20240611)
    texts = ["".join(rng.choices(PIECES, k=rng.randint(1, 24))) for _ in range(400)]
    cases = [[channel_type, text] for text in texts for channel_type in LIMITS]
    script = (
        "import { readFileSync } from 'node:fs';"
        f"const {{ count }} = await import({json.dumps(LIMITS_JS.as_uri())});"
        "const cases = JSON.parse(readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(cases.map(([c, t]) => count(c, t))));"
    )

    result = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )

    in_js = json.loads(result.stdout)
    differ = [
        (channel_type, text, count(channel_type, text), js)
        for (channel_type, text), js in zip(cases, in_js, strict=True)
        if count(channel_type, text) != js
    ]
    assert differ == []
