"""A real diff between two versions of a post: word by word for every text (title, text, each
channel's variant), and the image changes in a reviewer's words ("image 2 replaced")."""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from chalicelib.domain.content import Content
from chalicelib.domain.media import image_changes

Change = Literal["same", "added", "removed"]
# Words and the whitespace between them, so joining the parts gives the text back exactly.
TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[Change, str]]:
    """The parts of ``old`` and ``new`` in order: joining "same" and "removed" gives ``old``,
    joining "same" and "added" gives ``new``. Neighbouring parts of one kind are merged."""
    before, after = TOKEN.findall(old), TOKEN.findall(new)
    parts: list[tuple[Change, str]] = []

    def add(kind: Change, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if parts and parts[-1][0] == kind:
            parts[-1] = (kind, parts[-1][1] + text)
        else:
            parts.append((kind, text))

    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    opcodes = matcher.get_opcodes()
    removed: list[str] = []
    added: list[str] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        # Only whitespace kept between two changes reads as a change of the whole phrase
        # ("morgen früh." -> "heute abend." is one replacement, not two).
        between = 0 < index < len(opcodes) - 1 and all(not t.strip() for t in before[i1:i2])
        if op == "equal" and not between:
            add("removed", removed)
            add("added", added)
            removed, added = [], []
            add("same", before[i1:i2])
        else:
            removed += before[i1:i2]
            added += after[j1:j2]
    add("removed", removed)
    add("added", added)
    return parts


def _texts(content: Content) -> dict[str, str]:
    fields = {"title": content.title, "text": content.text}
    fields.update({f"variant:{channel}": text for channel, text in sorted(content.variants.items())})
    return fields


def content_changes(old: Content, new: Content) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: every text field either version has, each with its
    word diff and whether it changed, and the image changes."""
    before, after = _texts(old), _texts(new)
    texts = []
    for field in [*before, *(name for name in after if name not in before)]:
        a, b = before.get(field, ""), after.get(field, "")
        if not a and not b:
            continue
        texts.append({"field": field, "changed": a != b,
                      "diff": [list(part) for part in word_diff(a, b)]})
    return {"texts": texts, "images": image_changes(old.media, new.media)}
