"""'As deputy for' wherever a decision is shown: the decision message carries it (and survives
the outbox's JSON), the Slack request's decision line and the evidence view name both people,
escaped; and which deputies a request reaches (never the post's author, nor the author's)."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.deputy_notice import standing_in
from chalicelib.domain import events as ev
from chalicelib.domain.deputies import Away
from chalicelib.http.evidence_routes import _decisions
from chalicelib.services import deputies, review
from tests.unit.helpers import NOW, workflow
from tests.unit.test_deputies import DEPUTY, PEOPLE, discount_in_review, rig


def test_a_deputys_decision_message_names_the_absent_reviewer_and_survives_json() -> None:
    ctx, repo, _, clock = rig()
    post = discount_in_review(ctx, repo)
    deputies.set_away(ctx, "U0LEGAL1", NOW + timedelta(days=3), "U0DEPUTY", people=PEOPLE)
    clock.advance(hours=1)
    review.decide(ctx, post.id, "legal", DEPUTY, "approve", post.content_hash)
    (message,) = repo.sent(ev.DecisionRecorded)
    assert (message.reviewer_id, message.as_deputy_for) == ("U0DEPUTY", "U0LEGAL1")
    assert ev.message_from_dict(ev.message_to_dict(message)) == message
    # a message written before the field existed still reads, without a deputy
    older = {k: v for k, v in ev.message_to_dict(message).items() if k != "as_deputy_for"}
    assert ev.message_from_dict(older).as_deputy_for is None  # type: ignore[union-attr]


def test_the_decision_line_says_as_deputy_for_in_both_languages() -> None:
    flow = workflow()
    english = blocks.decision_line("approve", "U0DEPUTY", NOW, "", flow, "en",
                                   as_deputy_for="U0LEGAL1")[0]
    assert "Approved by <@U0DEPUTY> as deputy for <@U0LEGAL1>" in english
    german = blocks.decision_line("reject", "U0DEPUTY", NOW, "nein", flow, "de",
                                  as_deputy_for="U0LEGAL1")[0]
    assert "Abgelehnt von <@U0DEPUTY> in Vertretung für <@U0LEGAL1>" in german
    plain = blocks.decision_line("approve", "U0LEGAL1", NOW, "", flow, "en")[0]
    assert "deputy" not in plain
    hostile = blocks.as_deputy("U0DEPUTY", "<!channel>", "en")
    assert "<!channel>" not in hostile and "&lt;!channel&gt;" in hostile


def test_the_evidence_view_names_for_whom_a_deputy_decided_escaped() -> None:
    document = {"decisions": [
        {"event": 3, "at": "2026-11-29T10:00:00Z", "reviewer": "U0DEPUTY", "step": "legal",
         "decision": "approve", "content_hash": "ab" * 32, "comment": "",
         "as_deputy_for": "U0LEGAL1"},
        {"event": 4, "at": "2026-11-29T10:00:00Z", "reviewer": "U0DEPUTY", "step": "brand",
         "decision": "approve", "content_hash": "ab" * 32, "comment": "",
         "as_deputy_for": "<script>x</script>"}]}
    assert "in Vertretung für U0LEGAL1" in _decisions(document, "de")
    shown = _decisions(document, "en")
    assert "as deputy for U0LEGAL1" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_a_request_reaches_deputies_but_never_the_author_nor_the_authors_deputy() -> None:
    ctx, repo, store, _ = rig()
    post = discount_in_review(ctx, repo, author_slack_id="U0WANDA")
    until = NOW + timedelta(days=2)
    store.put(Away("U0LEGAL1", "U0DEPUTY", NOW - timedelta(hours=1), until, "U0LEGAL1"))
    store.put(Away("U0LEGAL2", "U0WANDA", NOW - timedelta(hours=1), until, "U0LEGAL2"))
    store.put(Away("U0WANDA", "U0BRAND1", NOW - timedelta(hours=1), until, "U0WANDA"))
    store.put(Away("U0BRAND2", "U0LEGAL2", NOW - timedelta(hours=1), until, "U0BRAND2"))
    reviewers = frozenset({"U0LEGAL1", "U0LEGAL2", "U0WANDA", "U0BRAND2"})
    told = standing_in(store, post, reviewers, NOW)
    # the author (U0WANDA) is nobody's deputy here, nobody stands in for them, and a deputy
    # who reviews the step anyway (U0LEGAL2) needs no notice
    assert [(s.deputy, s.reviewer, s.until) for s in told] == [("U0DEPUTY", "U0LEGAL1", until)]
    assert standing_in(store, post, reviewers, until) == []  # the absence is over
    assert standing_in(None, post, reviewers, NOW) == []
