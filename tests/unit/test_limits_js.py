"""The web form's counter (limits.js) runs the shared vectors under node, and counts what the
server counts on texts no vector lists, bytes included."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from chalicelib.domain.limits import LIMITS, byte_check, check, count

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


def run_limits_js(expression: str, cases: list[list[str]]) -> list[object]:
    """``expression`` (over the module's exports, ``c`` the channel type and ``t`` the text)
    for every case, evaluated by limits.js under node."""
    assert NODE is not None
    script = (
        "import { readFileSync } from 'node:fs';"
        f"const limits = await import({json.dumps(LIMITS_JS.as_uri())});"
        "const cases = JSON.parse(readFileSync(0, 'utf8'));"
        f"process.stdout.write(JSON.stringify(cases.map(([c, t]) => {expression})));"
    )
    result = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    answers: list[object] = json.loads(result.stdout)
    return answers


def test_limits_js_counts_what_limits_py_counts() -> None:
    rng = random.Random(20240611)
    texts = ["".join(rng.choices(PIECES, k=rng.randint(1, 24))) for _ in range(400)]
    cases = [[channel_type, text] for text in texts for channel_type in LIMITS]

    in_js = run_limits_js("limits.count(c, t)", cases)

    differ = [
        (channel_type, text, count(channel_type, text), js)
        for (channel_type, text), js in zip(cases, in_js, strict=True)
        if count(channel_type, text) != js
    ]
    assert differ == []


def test_limits_js_measures_bytes_as_limits_py_and_blocks_what_the_server_refuses() -> None:
    # Long runs of the pieces that take many bytes for few graphemes, around Bluesky's limits.
    heavy = ["a", "ä", "日", "😀", "👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "\ud800", " "]
    rng = random.Random(20240612)
    texts = ["".join(rng.choices(heavy, k=rng.randint(1, 400))) for _ in range(300)]
    texts += ["👨\u200d👩\u200d👧\u200d👦" * n + "a" * k for n in (119, 120, 121) for k in (0, 1)]
    cases = [[channel_type, text] for text in texts for channel_type in LIMITS]

    in_js = run_limits_js("[limits.byteCheck(c, t).count, limits.check(c, t).ok]", cases)

    expected = [[byte_check(c, t).count, check(c, t).ok and byte_check(c, t).ok] for c, t in cases]
    differ = [(c, t[:30], e, js) for (c, t), e, js in zip(cases, expected, in_js, strict=True) if e != js]
    assert differ == []
    assert any(check("bluesky", t).ok and not byte_check("bluesky", t).ok for t in texts)


def test_limits_js_carries_limits_pys_image_rules() -> None:
    from dataclasses import asdict

    from chalicelib.domain.limits import IMAGE_RULES, TYPE_NAMES

    (in_js,) = run_limits_js("[limits.IMAGE_RULES, limits.TYPE_NAMES]", [["", ""]])

    assert in_js == [{kind: {**asdict(rules), "types": list(rules.types)}
                      for kind, rules in IMAGE_RULES.items()}, TYPE_NAMES]


def test_limits_js_finds_the_image_problems_limits_py_finds() -> None:
    from chalicelib.domain.limits import image_problems
    from chalicelib.domain.media import IMAGE_TYPES

    rng = random.Random(20261129)
    alts = ["", " ", "\u3000\x1c", "\ufeff", "Ein Bild", "a" * 1001, "a" * 1501, "ä" * 2001,
            "👨\u200d👩\u200d👧\u200d👦" * 300, "😀" * 1000, "\ud800" * 1001]

    def shot() -> dict[str, object]:
        return {"content_type": rng.choice([*IMAGE_TYPES, "image/bmp"]),
                "size": rng.choice([1, 2_000_000, 2_000_001, 5 * 1024 * 1024 + 1, 17_000_000]),
                "width": rng.choice([10, 6100, 8193]), "height": rng.choice([10, 6000]),
                "alt": rng.choice(alts)}

    class Shot:
        def __init__(self, data: dict[str, object]) -> None:
            self.__dict__.update(data)

    posts = [[shot() for _ in range(rng.randint(0, 11))] for _ in range(60)]
    cases = [[kind, json.dumps([images, required])] for images in posts
             for kind in LIMITS for required in (True, False)]

    in_js = run_limits_js("limits.imageProblems(c, ...JSON.parse(t))", cases)

    expected = [
        [{"key": p.key, "image": p.image, "params": p.params}
         for p in image_problems(kind, [Shot(i) for i in json.loads(pair)[0]],
                                 json.loads(pair)[1])]
        for kind, pair in cases]
    differ = [(c, e, js) for c, e, js in zip(cases, expected, in_js, strict=True) if e != js]
    assert differ == []
    assert sum(len(e) for e in expected) > 100
