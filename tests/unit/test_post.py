"""The post aggregate: review steps, decisions bound to the content hash, edits voiding
approvals, separation of duties, publishing results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import events as ev
from chalicelib.domain.errors import InvalidTransition, NotEligible
from chalicelib.domain.post import ChannelResult, Reviewer
from chalicelib.domain.status import ResultStatus, Status, StepStatus
from chalicelib.domain.timeline import verify
from tests.unit.helpers import (
    AUTHOR,
    BRAND,
    LEGAL1,
    LEGAL2,
    NOW,
    content,
    eligible,
    new_post,
    workflow,
    workflow_file,
)


def approve(post, wf, step, reviewer, **kw):  # type: ignore[no-untyped-def]
    return post.decide(wf, step, reviewer, "approve", kw.pop("hash", post.content_hash),
                       "", NOW, eligible(wf, step))


def test_submit_requires_only_steps_whose_rules_match() -> None:
    wf = workflow()
    post = new_post("Ein schöner Tag")
    post.submit(wf, AUTHOR, NOW)
    assert post.status is Status.IN_REVIEW
    assert {s.name: s.status for s in post.steps} == {
        "legal": StepStatus.NOT_REQUIRED, "brand": StepStatus.PENDING}
    assert [m.step for m in post.messages if isinstance(m, ev.ReviewRequested)] == ["brand"]


def test_keyword_rule_matches_any_variant_case_insensitively_and_keeps_the_reason() -> None:
    wf = workflow()
    post = new_post()
    post.content = content("Hallo", ("outbox", "hooks"), variants={"hooks": "Großer RABATT"})
    post.submit(wf, AUTHOR, NOW)
    legal = post.step("legal")
    assert legal.required and legal.reasons == ["keyword:rabatt"]


def test_channel_rule_applies() -> None:
    post = new_post("Hallo", ("outbox", "x"))
    post.submit(workflow(), AUTHOR, NOW)
    assert post.step("legal").reasons == ["channel:x"]


def test_all_required_approvals_schedule_the_post() -> None:
    wf = workflow()
    post = new_post("50% Rabatt")
    post.submit(wf, AUTHOR, NOW)
    assert approve(post, wf, "legal", LEGAL1)
    assert post.status is Status.IN_REVIEW
    assert approve(post, wf, "brand", BRAND)
    assert post.status is Status.SCHEDULED
    assert any(isinstance(m, ev.PostScheduled) for m in post.messages)
    assert post.due_at is not None


def test_repeat_decision_is_not_recorded_twice() -> None:
    wf = workflow()
    post = new_post("50% Rabatt")
    post.submit(wf, AUTHOR, NOW)
    assert approve(post, wf, "legal", LEGAL1) is True
    count = post.timeline_count
    assert approve(post, wf, "legal", LEGAL1) is False
    assert post.timeline_count == count


@pytest.mark.parametrize(("reviewer", "key"), [
    (Reviewer("U0BRAND1", "brand@freigabe.example"), "not_a_reviewer"),
    (Reviewer("U0LEGAL1", AUTHOR.upper()), "own_post"),
    (Reviewer("U0NOBODY", None), "not_a_reviewer"),
])
def test_ineligible_decisions_change_nothing(reviewer: Reviewer, key: str) -> None:
    wf = workflow()
    post = new_post("50% Rabatt")
    post.submit(wf, AUTHOR, NOW)
    before = (post.status, post.timeline_count, [s.status for s in post.steps])
    with pytest.raises(NotEligible) as caught:
        approve(post, wf, "legal", reviewer)
    assert caught.value.key == key
    assert before == (post.status, post.timeline_count, [s.status for s in post.steps])


def test_the_author_s_slack_account_is_refused_whatever_its_profile_email_says() -> None:
    # Issue item 2: the author changed their Slack profile email, then clicked Approve.
    wf = workflow()
    post = new_post("50% Rabatt")
    post.author_slack_id = "U0LEGAL1"  # resolved from the author's email at submission
    post.submit(wf, AUTHOR, NOW)
    before = (post.status, post.timeline_count, [s.status for s in post.steps])
    with pytest.raises(NotEligible) as caught:
        approve(post, wf, "legal", Reviewer("U0LEGAL1", "lena.private@example.org"))
    assert caught.value.key == "own_post"
    assert before == (post.status, post.timeline_count, [s.status for s in post.steps])
    assert approve(post, wf, "legal", LEGAL2)  # anyone else in the group still may


def test_one_person_approves_one_step_only() -> None:
    wf = workflow(steps=[
        {"name": "legal", "label": "Legal", "slack_channel": "C0LEGAL", "reviewers": ["U0X"]},
        {"name": "brand", "label": "Brand", "slack_channel": "C0BRAND", "reviewers": ["U0X"]},
    ])
    post = new_post()
    post.submit(wf, AUTHOR, NOW)
    x = Reviewer("U0X", "x@freigabe.example")
    approve(post, wf, "legal", x)
    with pytest.raises(NotEligible) as caught:
        approve(post, wf, "brand", x)
    assert caught.value.key == "one_step_per_person"


def test_a_decision_on_an_old_hash_is_refused() -> None:
    wf = workflow()
    post = new_post()
    post.submit(wf, AUTHOR, NOW)
    with pytest.raises(NotEligible) as caught:
        approve(post, wf, "brand", BRAND, hash="0" * 64)
    assert caught.value.key == "stale_content"


def test_editing_content_voids_every_approval_and_restarts_review() -> None:
    wf = workflow()
    post = new_post("50% Rabatt")
    post.submit(wf, AUTHOR, NOW)
    approve(post, wf, "legal", LEGAL1)
    approve(post, wf, "brand", BRAND)
    assert post.status is Status.SCHEDULED
    post.messages.clear()
    post.edit(wf, AUTHOR, NOW, content("60% Rabatt"), post.publish_at)
    assert post.status is Status.IN_REVIEW
    assert all(s.status is StepStatus.PENDING and not s.approvals for s in post.steps if s.required)
    assert {m.step for m in post.messages if isinstance(m, ev.ReviewRequested)} == {"legal", "brand"}
    assert post.due_at is None


def test_moving_only_publish_at_keeps_approvals_and_is_recorded() -> None:
    wf = workflow()
    post = new_post(publish_at=NOW + timedelta(days=1))
    post.submit(wf, AUTHOR, NOW)
    approve(post, wf, "brand", BRAND)
    later = NOW + timedelta(days=2)
    post.edit(wf, AUTHOR, NOW, post.content, later)
    assert post.status is Status.SCHEDULED
    assert post.new_events[-1].type == "rescheduled"
    assert post.due_at is not None and post.due_at.startswith("2026-11-28T09:00")


def test_request_changes_needs_a_comment_and_returns_to_the_writer() -> None:
    wf = workflow()
    post = new_post()
    post.submit(wf, AUTHOR, NOW)
    with pytest.raises(NotEligible):
        post.decide(wf, "brand", BRAND, "request_changes", post.content_hash, " ", NOW,
                    eligible(wf, "brand"))
    post.decide(wf, "brand", BRAND, "request_changes", post.content_hash, "Zu lang", NOW,
                eligible(wf, "brand"))
    assert post.status is Status.CHANGES_REQUESTED
    assert post.step("brand").comment == "Zu lang"
    post.edit(wf, AUTHOR, NOW, content("Kürzer"), None)
    assert post.status is Status.CHANGES_REQUESTED  # stays until submitted
    post.submit(wf, AUTHOR, NOW)
    assert post.status is Status.IN_REVIEW


def test_reject_is_final() -> None:
    wf = workflow()
    post = new_post()
    post.submit(wf, AUTHOR, NOW)
    post.decide(wf, "brand", BRAND, "reject", post.content_hash, "Nein", NOW, eligible(wf, "brand"))
    assert post.status is Status.REJECTED
    with pytest.raises(InvalidTransition):
        post.submit(wf, AUTHOR, NOW)
    with pytest.raises(InvalidTransition):
        post.withdraw(AUTHOR, NOW)


def test_sequential_order_asks_one_step_at_a_time() -> None:
    wf = workflow(review_order="sequential")
    post = new_post("50% Rabatt")
    post.submit(wf, AUTHOR, NOW)
    assert [m.step for m in post.messages if isinstance(m, ev.ReviewRequested)] == ["legal"]
    with pytest.raises(NotEligible) as caught:
        approve(post, wf, "brand", BRAND)
    assert caught.value.key == "step_not_open"
    approve(post, wf, "legal", LEGAL2)
    assert [m.step for m in post.messages if isinstance(m, ev.ReviewRequested)] == ["legal", "brand"]


def test_approvals_required_counts_distinct_reviewers() -> None:
    data = workflow_file()
    data["steps"][0]["approvals_required"] = 2
    wf = workflow(steps=data["steps"])
    post = new_post("Gewinnspiel!")
    post.submit(wf, AUTHOR, NOW)
    approve(post, wf, "legal", LEGAL1)
    assert post.step("legal").status is StepStatus.PENDING
    approve(post, wf, "legal", LEGAL2)
    assert post.step("legal").status is StepStatus.APPROVED


def test_publishing_results_settle_the_post() -> None:
    wf = workflow()
    post = new_post("Hallo", ("outbox", "hooks"))
    post.submit(wf, AUTHOR, NOW)
    approve(post, wf, "brand", BRAND)
    assert post.claim(NOW) == ["outbox", "hooks"]
    post.record_result("outbox", ChannelResult(ResultStatus.PUBLISHED, url="u"), NOW)
    assert post.status is Status.PUBLISHING
    post.record_result("hooks", ChannelResult(ResultStatus.FAILED, error="401"), NOW)
    assert post.status is Status.PARTIALLY_PUBLISHED
    assert post.claim(NOW, ["hooks"]) == ["hooks"]
    assert post.results["outbox"].status is ResultStatus.PUBLISHED
    post.record_result("hooks", ChannelResult(ResultStatus.PUBLISHED), NOW)
    assert post.status is Status.PUBLISHED


def test_every_claim_of_a_channel_is_a_new_attempt_and_a_redispatch_is_not() -> None:
    wf = workflow()
    post = new_post("Hallo", ("outbox", "hooks"))
    post.submit(wf, AUTHOR, NOW)
    approve(post, wf, "brand", BRAND)
    post.claim(NOW)
    assert {c: r.attempts for c, r in post.results.items()} == {"outbox": 1, "hooks": 1}
    post.record_result("outbox", ChannelResult(ResultStatus.PUBLISHED, attempts=1), NOW)
    assert post.redispatch(NOW) == ["hooks"]  # the lost message of the same attempt
    assert post.results["hooks"].attempts == 1 and post.new_events[-1].type == "redispatched"
    post.record_result("hooks", ChannelResult(ResultStatus.FAILED, attempts=1), NOW)
    post.claim(NOW, ["hooks"])
    assert {c: r.attempts for c, r in post.results.items()} == {"outbox": 1, "hooks": 2}
    assert post.results["hooks"].status is ResultStatus.PENDING


def test_unapproved_posts_cannot_be_claimed() -> None:
    post = new_post()
    post.submit(workflow(), AUTHOR, NOW)
    with pytest.raises(InvalidTransition):
        post.claim(NOW)


def test_timeline_chains_every_event() -> None:
    wf = workflow()
    post = new_post("50% Rabatt")
    post.submit(wf, AUTHOR, NOW)
    approve(post, wf, "legal", LEGAL1)
    post.withdraw(AUTHOR, NOW)
    types = [e.type for e in post.new_events]
    assert types == ["created", "submitted", "in_review", "decision", "withdrawn"]
    assert verify(post.id, post.new_events, post.timeline_count, post.timeline_head) == []
