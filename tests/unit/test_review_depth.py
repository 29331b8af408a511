"""Review depth (issue 15) through the use cases and the tick, against the memory repository:
holds stop publishing until released, reason labels and quotes, checklists in the signed
record, due times escalated once, "all" approvals, link steps decided from outside, comments,
and all of it kept across a save."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.config import WorkflowError, parse_config
from chalicelib.domain import events as ev
from chalicelib.domain.errors import InvalidContent, InvalidTransition, NotEligible
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.domain.status import Status, StepStatus
from chalicelib.domain.workflow import Workflow
from chalicelib.services import review, review_desk
from tests.fakes import Clock, FakeDirectory, MemoryPostRepository
from tests.fakes.builders import context, submitted
from tests.fakes.publishing import PublishingPorts
from tests.unit.helpers import BRAND, LEGAL1, LEGAL2, NOW, new_post, workflow_file

LABELS = ["Tonalität", "Unbelegte Aussage", "Fehlendes Bild", "Rechtliches Risiko"]
CHECKLIST = [
    {"id": "ad_label", "label": {"de": "Werbung gekennzeichnet", "en": "Advertising labelled"}},
    {"id": "claims", "label": {"de": "Aussagen belegt", "en": "Claims substantiated"},
     "required": False},
]
ADMIN = "U0ADMIN"
TEXT = "50% Rabatt auf alles. Garantiert die beste Qualität."


def depth_file(**step_overrides: Any) -> dict[str, Any]:
    """The test workflow with labels, a checklist on brand, a due time on legal and a link
    step for client posts."""
    data = workflow_file()
    legal, brand = data["steps"]
    data["reason_labels"] = LABELS
    data["steps"] = [
        {**legal, "due_hours": 4, "escalate_to": "S0LEADS", **step_overrides.get("legal", {})},
        {**brand, "checklist": CHECKLIST, **step_overrides.get("brand", {})},
        {"name": "client", "label": "Kunde", "slack_channel": "C0BRAND", "kind": "link",
         "link_valid_hours": 48, "when": {"keywords": ["kunde"]}},
    ]
    return data


def rig(**step_overrides: Any) -> tuple[MemoryPostRepository, Any, Clock]:
    repo, clock = MemoryPostRepository(), Clock(NOW)
    return repo, context(repo, parse_config(depth_file(**step_overrides)).workflow, clock), clock


def in_review(repo: MemoryPostRepository, wf: Workflow, text: str = TEXT,
              publish_at: Any = None) -> Post:
    post = submitted(repo, wf, new_post(text, publish_at=publish_at), NOW)
    repo.outbox.clear()
    return post


def events_of(repo: MemoryPostRepository, post_id: str, type_: str) -> list[dict[str, Any]]:
    _, events, _ = repo.get_full(post_id)
    return [{"actor": e.actor, **e.data} for e in events if e.type == type_]


def approve_all(ctx: Any, post: Post) -> None:
    review.decide(ctx, post.id, "legal", LEGAL1, "approve", post.content_hash)
    review.decide(ctx, post.id, "brand", BRAND, "approve", post.content_hash,
                  checklist=["ad_label"])


# -- hold ----------------------------------------------------------------------------------


def test_a_hold_keeps_an_approved_post_from_publishing_until_released() -> None:
    # GIVEN a post approved by every step, held by a legal reviewer before it is due
    ports = PublishingPorts()
    post = ports.approved()
    held = ports.repo.get(post.id)
    held.hold(ports.wf, "brand", BRAND, "Warten auf die Freigabe des Fotos", ports.clock(),
              frozenset({"U0BRAND1"}))
    ports.repo.save(held)
    # WHEN its time comes
    ports.clock.now = NOW + timedelta(hours=1)
    counts = ports.tick()
    # THEN it is not claimed: nothing queued, still scheduled, the hold stands
    assert counts["claimed"] == 0 and ports.queue.messages == []
    stored = ports.repo.get(post.id)
    assert stored.status is Status.SCHEDULED
    assert [(h.step, h.by, h.reason) for h in stored.holds] == [
        ("brand", "U0BRAND1", "Warten auf die Freigabe des Fotos")]
    # WHEN an admin releases it, THEN the next tick claims it
    ctx = context(ports.repo, ports.wf, ports.clock)
    released = review.release(ctx, post.id, "brand", ADMIN)
    assert released.holds == []
    assert ports.tick()["claimed"] == 1
    assert ports.repo.get(post.id).status is Status.PUBLISHING


def test_hold_is_recorded_announced_and_released_by_the_holder() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    outcome = review.hold(ctx, post.id, "legal", LEGAL1, "  Rechtliche Prüfung läuft ", post.content_hash)
    assert outcome.recorded
    assert events_of(repo, post.id, "hold") == [{"actor": "U0LEGAL1", "step": "legal",
                                                 "reason": "Rechtliche Prüfung läuft",
                                                 "content_hash": post.content_hash}]
    assert repo.sent(ev.HoldPlaced) == [ev.HoldPlaced(post.id, "legal", "U0LEGAL1",
                                                          "Rechtliche Prüfung läuft")]
    # a double click records nothing more
    assert not review.hold(ctx, post.id, "legal", LEGAL1, "nochmal", post.content_hash).recorded
    assert len(events_of(repo, post.id, "hold")) == 1
    review.release(ctx, post.id, "legal", "U0LEGAL1")
    assert repo.get(post.id).holds == []
    assert events_of(repo, post.id, "hold_released") == [
        {"actor": "U0LEGAL1", "step": "legal", "holders": ["U0LEGAL1"]}]
    assert repo.sent(ev.HoldReleased) == [ev.HoldReleased(post.id, "legal", "U0LEGAL1")]


@pytest.mark.parametrize(("who", "reason", "key"), [
    (BRAND, "Grund", "not_a_reviewer"),  # not a legal reviewer
    (LEGAL1, "   ", "reason_required"),
    (Reviewer("U0LEGAL2", "wanda.writer@freigabe.example"), "Grund", "own_post"),
])
def test_a_hold_refused_changes_nothing(who: Reviewer, reason: str, key: str) -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    with pytest.raises(NotEligible) as refusal:
        review.hold(ctx, post.id, "legal", who, reason, post.content_hash)
    assert refusal.value.key == key
    stored = repo.get(post.id)
    assert stored.holds == [] and stored.version == post.version and repo.outbox == []


def test_a_hold_on_stale_content_or_a_settled_post_is_refused() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    with pytest.raises(NotEligible, match="stale_content"):
        review.hold(ctx, post.id, "legal", LEGAL1, "Grund", "0" * 64)
    stored = repo.get(post.id)
    stored.withdraw(stored.author, NOW)
    repo.save(stored)
    with pytest.raises(InvalidTransition, match="cannot_hold"):
        review.hold(ctx, post.id, "legal", LEGAL1, "Grund", post.content_hash)


def test_only_the_holder_a_reviewer_of_the_step_or_an_admin_releases() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    review.hold(ctx, post.id, "legal", LEGAL1, "Grund", post.content_hash)
    with pytest.raises(NotEligible, match="may_not_release"):
        review.release(ctx, post.id, "legal", "U0BRAND1")
    assert len(repo.get(post.id).holds) == 1
    review.release(ctx, post.id, "legal", "U0LEGAL2")  # another reviewer of the step
    assert repo.get(post.id).holds == []
    with pytest.raises(NotEligible, match="no_hold"):
        review.release(ctx, post.id, "legal", "U0LEGAL2")


def test_claim_refuses_a_held_post() -> None:
    ports = PublishingPorts()
    post = ports.approved()
    post.hold(ports.wf, "brand", BRAND, "Grund", NOW, frozenset({"U0BRAND1"}))
    with pytest.raises(InvalidTransition, match="held"):
        post.claim(NOW)


# -- labels, quotes ------------------------------------------------------------------------


def test_request_changes_records_labels_and_the_quoted_sentence() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    review.decide(ctx, post.id, "legal", LEGAL1, "request_changes", post.content_hash,
                  "Bitte belegen", labels=["Unbelegte Aussage", "Rechtliches Risiko"],
                  quote="Garantiert die beste Qualität.")
    stored = repo.get(post.id)
    step = stored.step("legal")
    assert stored.status is Status.CHANGES_REQUESTED
    assert step.labels == ["Unbelegte Aussage", "Rechtliches Risiko"]
    assert step.quote == "Garantiert die beste Qualität."
    (event,) = events_of(repo, post.id, "decision")
    assert event["labels"] == ["Unbelegte Aussage", "Rechtliches Risiko"]
    assert event["quote"] == "Garantiert die beste Qualität."
    (message,) = repo.sent(ev.DecisionRecorded)
    assert message.labels == ("Unbelegte Aussage", "Rechtliches Risiko")


@pytest.mark.parametrize(("labels", "quote", "key"), [
    ([], None, "label_required"),
    (["Langweilig"], None, "unknown_label"),
    (["Tonalität"], "Dieser Satz steht nicht im Text.", "quote_not_in_text"),
])
def test_bad_labels_or_quotes_are_refused_and_store_nothing(labels: list[str], quote: str | None,
                                                            key: str) -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    with pytest.raises(NotEligible) as refusal:
        review.decide(ctx, post.id, "legal", LEGAL1, "reject", post.content_hash, "Nein",
                      labels=labels, quote=quote)
    assert refusal.value.key == key
    assert repo.get(post.id).version == post.version
    assert events_of(repo, post.id, "decision") == []


def test_without_configured_labels_none_is_asked() -> None:
    data = depth_file()
    del data["reason_labels"]
    repo, clock = MemoryPostRepository(), Clock(NOW)
    ctx = context(repo, parse_config(data).workflow, clock)
    post = in_review(repo, ctx.workflow)
    review.decide(ctx, post.id, "legal", LEGAL1, "reject", post.content_hash, "Nein")
    assert repo.get(post.id).status is Status.REJECTED


# -- checklists ----------------------------------------------------------------------------


def test_approve_needs_the_required_checklist_items_and_records_the_ticks() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    with pytest.raises(NotEligible) as refusal:
        review.decide(ctx, post.id, "brand", BRAND, "approve", post.content_hash,
                      checklist=["claims"])
    assert refusal.value.key == "checklist_incomplete"
    assert refusal.value.params == {"items_de": "Werbung gekennzeichnet",
                                    "items_en": "Advertising labelled"}
    with pytest.raises(NotEligible, match="unknown_checklist_item"):
        review.decide(ctx, post.id, "brand", BRAND, "approve", post.content_hash,
                      checklist=["ad_label", "vibes"])
    assert events_of(repo, post.id, "decision") == []
    review.decide(ctx, post.id, "brand", BRAND, "approve", post.content_hash,
                  checklist=["ad_label", "claims"])
    step = repo.get(post.id).step("brand")
    assert step.status is StepStatus.APPROVED
    assert step.checklist == ["ad_label", "claims"]
    assert step.approvals[0].checklist == ["ad_label", "claims"]
    (event,) = events_of(repo, post.id, "decision")
    assert event["checklist"] == ["ad_label", "claims"]


def test_the_check_before_a_modal_opens_passes_without_labels_or_ticks() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow)
    _, would = review_desk.check_decision(ctx, post.id, "brand", BRAND, "approve",
                                          post.content_hash)
    assert would
    _, would = review_desk.check_decision(ctx, post.id, "legal", LEGAL1, "reject",
                                          post.content_hash)
    assert would
    assert [s.name for _, s in review_desk.pending_for(ctx, BRAND)] == ["brand"]


# -- deadlines -----------------------------------------------------------------------------


def test_a_request_is_due_after_due_hours_but_never_after_publish_at() -> None:
    repo, ctx, _ = rig()
    early = in_review(repo, ctx.workflow, publish_at=NOW + timedelta(hours=2))
    assert early.step("legal").due_at == "2026-11-26T11:00:00Z"
    late = submitted(repo, ctx.workflow, new_post(TEXT, post_id="p2",
                                                  publish_at=NOW + timedelta(days=2)), NOW)
    assert late.step("legal").due_at == "2026-11-26T13:00:00Z"
    assert late.step("brand").due_at is None  # brand sets no due time


def test_an_overdue_request_is_escalated_once_and_listed_due_soon_first() -> None:
    repo, ctx, clock = rig()
    first = in_review(repo, ctx.workflow, publish_at=NOW + timedelta(days=2))
    second = submitted(repo, ctx.workflow, new_post(TEXT, post_id="p2",
                                                    publish_at=NOW + timedelta(hours=1)), NOW)
    repo.outbox.clear()
    assert [p.id for p, _ in review_desk.due_soon(ctx, "U0LEGAL1")] == ["p2", "p1"]
    assert review_desk.escalate_overdue(ctx) == 0
    clock.now = NOW + timedelta(hours=5)
    assert [(p.id, s.name) for p, s in review_desk.overdue(ctx)] == [("p2", "legal"),
                                                                    ("p1", "legal")]
    assert review_desk.escalate_overdue(ctx) == 2
    assert review_desk.escalate_overdue(ctx) == 0  # once
    assert repo.sent(ev.ReviewOverdue) == [ev.ReviewOverdue(second.id, "legal", "S0LEADS"),
                                           ev.ReviewOverdue(first.id, "legal", "S0LEADS")]
    assert events_of(repo, first.id, "review_overdue") == [
        {"actor": "freigabe", "step": "legal", "due_at": "2026-11-26T13:00:00Z",
         "escalate_to": "S0LEADS"}]


def test_an_expired_post_tells_every_required_step() -> None:
    ports = PublishingPorts()
    post = ports.approved()
    ports.clock.now = NOW + timedelta(hours=5)
    assert ports.tick()["expired"] == 1
    assert ports.repo.sent(ev.PostExpired) == [ev.PostExpired(post.id, ("brand",))]


# -- any or all ----------------------------------------------------------------------------


def test_all_named_reviewers_must_approve() -> None:
    repo, ctx, _ = rig(legal={"approvals_required": "all"})
    post = in_review(repo, ctx.workflow)
    review.decide(ctx, post.id, "legal", LEGAL1, "approve", post.content_hash)
    assert repo.get(post.id).step("legal").status is StepStatus.PENDING
    review.decide(ctx, post.id, "legal", LEGAL2, "approve", post.content_hash)
    assert repo.get(post.id).step("legal").status is StepStatus.APPROVED


def test_all_of_a_group_means_every_member_at_decision_time() -> None:
    legal = {"approvals_required": "all", "reviewers": None, "reviewer_group": "S0LEGAL"}
    data = depth_file(legal=legal)
    data["steps"][0].pop("reviewers")
    repo, clock = MemoryPostRepository(), Clock(NOW)
    ctx = context(repo, parse_config(data).workflow, clock)
    directory = FakeDirectory(groups={"S0LEGAL": ["U0LEGAL1", "U0LEGAL2"]})
    post = in_review(repo, ctx.workflow)
    review.decide(ctx, post.id, "legal", LEGAL1, "approve", post.content_hash, directory=directory)
    assert repo.get(post.id).step("legal").status is StepStatus.PENDING
    review.decide(ctx, post.id, "brand", BRAND, "approve", post.content_hash,
                  directory=directory, checklist=["ad_label"])
    review.decide(ctx, post.id, "legal", LEGAL2, "approve", post.content_hash, directory=directory)
    stored = repo.get(post.id)
    assert stored.step("legal").status is StepStatus.APPROVED
    assert stored.step("legal").approvals_required == 2
    assert stored.status is Status.SCHEDULED and stored.is_fully_approved(ctx.workflow)


def test_a_slack_connect_reviewer_is_bound_by_team_and_user_id() -> None:
    repo, ctx, _ = rig(legal={"reviewers": ["T0CLIENT:U0EXT1"]})
    post = in_review(repo, ctx.workflow)
    with pytest.raises(NotEligible, match="not_a_reviewer"):
        review.decide(ctx, post.id, "legal", Reviewer("U0EXT1", None, "T0OTHER"), "approve",
                      post.content_hash)
    review.decide(ctx, post.id, "legal", Reviewer("U0EXT1", None, "T0CLIENT"), "approve",
                  post.content_hash)
    assert repo.get(post.id).step("legal").status is StepStatus.APPROVED


# -- link steps, comments ------------------------------------------------------------------


def test_a_link_step_is_decided_by_name_from_outside_and_voided_by_an_edit() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow, text="Für unseren Kunden: Herbstaktion")
    assert post.step("client").kind == "link" and post.step("client").required
    stored = repo.get(post.id)
    with pytest.raises(NotEligible, match="name_required"):
        stored.decide_external(ctx.workflow, "client", "  ", "approve", post.content_hash, "", NOW)
    with pytest.raises(NotEligible, match="not_a_link_step"):
        stored.decide_external(ctx.workflow, "legal", "Kim", "approve", post.content_hash, "", NOW)
    assert stored.decide_external(ctx.workflow, "client", "Kim Kunde", "approve",
                                  post.content_hash, "", NOW)
    assert stored.step("client").status is StepStatus.APPROVED
    assert stored.step("client").approvals[0].reviewer_id == "external:Kim Kunde"
    # Slack reviewers cannot decide a link step
    with pytest.raises(NotEligible):
        review.decide(ctx, post.id, "client", LEGAL1, "approve", post.content_hash)
    # a content change voids the outside approval
    from chalicelib.domain.content import Content
    stored.edit(ctx.workflow, stored.author, NOW, Content(text="Für unseren Kunden: neu",
                                                          channels=("outbox",)), None)
    assert stored.step("client").status is StepStatus.PENDING
    with pytest.raises(NotEligible, match="stale_content"):
        stored.decide_external(ctx.workflow, "client", "Kim Kunde", "approve",
                               post.content_hash, "", NOW)


def test_comments_are_recorded_with_their_visibility() -> None:
    post = new_post()
    post.comment("wanda.writer@freigabe.example", " Bild folgt ", "shared", NOW)
    assert post.new_events[-1].type == "comment"
    assert post.new_events[-1].data == {"text": "Bild folgt", "visibility": "shared"}
    with pytest.raises(InvalidContent, match="comment_empty"):
        post.comment("wanda.writer@freigabe.example", " ", "internal", NOW)
    with pytest.raises(InvalidContent, match="unknown_visibility"):
        post.comment("wanda.writer@freigabe.example", "x", "public", NOW)


def test_review_depth_survives_a_save() -> None:
    repo, ctx, _ = rig()
    post = in_review(repo, ctx.workflow, publish_at=NOW + timedelta(days=1))
    review.hold(ctx, post.id, "legal", LEGAL1, "Grund", post.content_hash)
    review.decide(ctx, post.id, "brand", BRAND, "approve", post.content_hash,
                  checklist=["ad_label"])
    stored = repo.get(post.id)
    again = post_from_document(post_to_document(stored))
    assert again.holds == stored.holds and again.steps == stored.steps
    # a document stored before review depth still loads
    old = post_to_document(stored)
    del old["holds"]
    for step in old["steps"]:
        for key in ("labels", "quote", "checklist", "due_at", "escalated_at", "kind"):
            del step[key]
    loaded = post_from_document(old)
    assert loaded.holds == [] and loaded.step("legal").kind == "slack"


# -- the workflow file ---------------------------------------------------------------------


@pytest.mark.parametrize(("change", "problem"), [
    ({"kind": "link"}, "steps[0]: Value error, a step of kind 'link'"),
    ({"escalate_to": "#legal"}, "steps[0].escalate_to"),
    ({"due_hours": 0}, "steps[0].due_hours"),
    ({"checklist": [{"id": "a", "label": {"de": "A"}}]}, "steps[0].checklist[0].label.en"),
    ({"checklist": [{"id": "a", "label": {"de": "A", "en": "A"}}] * 2}, "unique"),
])
def test_review_depth_keys_are_validated(change: dict[str, Any], problem: str) -> None:
    data = depth_file(legal=change)
    with pytest.raises(WorkflowError) as err:
        parse_config(data)
    assert problem.split(": Value error, ")[-1] in str(err.value)


def test_the_sample_workflow_shows_review_depth() -> None:
    from chalicelib.config import load_config

    wf = load_config("chalicelib/freigabe.toml", env={}).workflow
    assert list(wf.reason_labels) == LABELS
    checklists = [step for step in wf.steps if step.checklist]
    assert {item.id for item in checklists[0].checklist} == {"ad_label", "impressum", "alt_text",
                                                             "claims"}
    assert any(step.due_hours and step.escalate_to for step in wf.steps)
    link = [step for step in wf.steps if step.kind == "link"]
    assert link and link[0].when is not None and "kunde" in link[0].when.keywords

