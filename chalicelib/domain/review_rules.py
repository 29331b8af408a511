"""The rules of review depth that need no post: who is listed as a reviewer (own workspace or
Slack Connect), which reason labels and quote a decision may carry, which checklist items an
approval must tick, and when a review request is due."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from chalicelib.domain.errors import NotEligible
from chalicelib.domain.workflow import StepRule, Workflow


def listed(slack_id: str, team_id: str | None, eligible: Iterable[str]) -> bool:
    """Whether a Slack user is among a step's reviewers: "U…" names a user (any workspace: user
    ids do not repeat), "T…:U…" a user of that workspace only (Slack Connect, where the e-mail
    may be hidden, so the ids are the binding)."""
    for entry in eligible:
        team, _, user = entry.rpartition(":")
        if user == slack_id and (not team or team == team_id):
            return True
    return False


def user_ids(eligible: Iterable[str]) -> frozenset[str]:
    """The user ids of a reviewer list, with any team prefix dropped."""
    return frozenset(entry.rpartition(":")[2] for entry in eligible)


def reasons(workflow: Workflow, decision: str, labels: Sequence[str], quote: str | None,
            texts: Sequence[str]) -> tuple[tuple[str, ...], str | None]:
    """The labels and quote a decision records, or NotEligible: Request changes and Reject need
    at least one of the workflow's labels when it lists any; a quote must occur in the post."""
    chosen = tuple(dict.fromkeys(label.strip() for label in labels if label.strip()))
    unknown = [label for label in chosen if label not in workflow.reason_labels]
    if unknown:
        raise NotEligible("unknown_label", label=unknown[0])
    if decision != "approve" and workflow.reason_labels and not chosen:
        raise NotEligible("label_required", labels=", ".join(workflow.reason_labels))
    quoted = (quote or "").strip() or None
    if quoted is not None and not any(quoted in text for text in texts):
        raise NotEligible("quote_not_in_text")
    return chosen, quoted


def ticked(rule: StepRule | None, decision: str, checklist: Sequence[str]) -> tuple[str, ...]:
    """The checklist items an approval records, or NotEligible: every required item of the step
    ticked, no item the step does not have."""
    items = rule.checklist if rule is not None else ()
    known = {item.id for item in items}
    chosen = tuple(dict.fromkeys(checklist))
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise NotEligible("unknown_checklist_item", item=unknown[0])
    if decision == "approve":
        missing = [item for item in items if item.required and item.id not in chosen]
        if missing:
            # Named in both languages: the message is put in the reader's.
            raise NotEligible("checklist_incomplete",
                              items_de=", ".join(item.label_in("de") for item in missing),
                              items_en=", ".join(item.label_in("en") for item in missing))
    return chosen if decision == "approve" else ()


def due_at(rule: StepRule | None, requested_at: datetime,
           publish_at: datetime | None) -> datetime | None:
    """When a review request is due: ``due_hours`` after it went out, never later than the
    post's publish time; None when the step sets no due time."""
    if rule is None or rule.due_hours is None:
        return None
    due = requested_at + timedelta(hours=rule.due_hours)
    return min(due, publish_at) if publish_at is not None else due
