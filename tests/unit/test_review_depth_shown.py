"""What the web page needs to name things (issue 15): who holds a post, by e-mail as well as by
Slack id; each step's checklist items with their labels in both languages; and a decision made
through a review link says so in the signed record, with the link's expiry."""

from __future__ import annotations

from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.http.representation import post_to_api
from chalicelib.services import review
from tests.unit.helpers import LEGAL1, NOW
from tests.unit.test_review_depth import events_of, in_review, rig


def test_the_post_json_names_the_holder_and_the_checklist_items() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    review.hold(ctx, post.id, "legal", LEGAL1, "Rechtliche Prüfung", post.content_hash)
    stored = post_from_document(post_to_document(repo.get(post.id)))  # kept across a save

    shown = post_to_api(stored, workflow=ctx.workflow, now=NOW)

    (hold,) = shown["holds"]
    assert (hold["by"], hold["by_email"], hold["reason"]) == (
        "U0LEGAL1", LEGAL1.email, "Rechtliche Prüfung")
    steps = {s["name"]: s for s in shown["steps"]}
    assert steps["brand"]["checklist_items"] == [
        {"id": "ad_label", "label": {"de": "Werbung gekennzeichnet", "en": "Advertising labelled"},
         "required": True},
        {"id": "claims", "label": {"de": "Aussagen belegt", "en": "Claims substantiated"},
         "required": False}]
    assert steps["legal"]["checklist_items"] == []


def test_a_decision_through_a_link_records_that_it_came_through_the_link() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow, text="Für unseren Kunden: Herbstaktion")
    stored = repo.get(post.id)
    assert stored.decide_external(ctx.workflow, "client", "Kim Kunde", "approve",
                                  post.content_hash, "", NOW, link_expires_at="2026-12-01T10:00:00Z")
    repo.save(stored)
    (decision,) = [e for e in events_of(repo, post.id, "decision") if e["step"] == "client"]
    assert decision["actor"] == "external:Kim Kunde"
    assert (decision["via"], decision["link_expires_at"]) == ("link", "2026-12-01T10:00:00Z")
