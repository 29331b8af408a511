"""Which review steps a post needs, and why: the workflow file's `when` rules applied to
every text variant and to the chosen channels."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.content import Content
from chalicelib.domain.normalize import for_matching
from chalicelib.domain.workflow import Workflow


@dataclass(frozen=True)
class Requirement:
    step: str
    label: str
    required: bool
    reasons: tuple[str, ...]  # "always", "keyword:rabatt", "channel:hooks"


def requirements(workflow: Workflow, content: Content, reply: bool = False) -> list[Requirement]:
    """Keywords match normalised (``normalize.for_matching``) on both sides, so invisible
    characters, fullwidth forms and look-alike letters do not dodge them; a reason names the
    keyword as the workflow file configures it. An answer (``reply``) needs its brand's reply
    steps, every one of them."""
    if reply:
        return [Requirement(rule.name, rule.label, True, ("reply",))
                for rule in workflow.reply_rules()]
    texts = [for_matching(t) for t in content.all_texts()]
    result = []
    for step in workflow.steps:
        if step.when is None:
            result.append(Requirement(step.name, step.label, True, ("always",)))
            continue
        reasons = [f"keyword:{kw}" for kw in step.when.keywords
                   if _occurs(for_matching(kw), texts)]
        reasons += [f"channel:{ch}" for ch in step.when.channels if ch in content.channels]
        result.append(Requirement(step.name, step.label, bool(reasons), tuple(reasons)))
    return result


def _occurs(keyword: str, texts: list[str]) -> bool:
    # A keyword that normalises to nothing (only invisible characters) matches nothing.
    return bool(keyword) and any(keyword in text for text in texts)
