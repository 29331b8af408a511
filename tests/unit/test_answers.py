"""Answers to replies and mentions: reviewed through the brand's reply_steps (by default one
approval from the responders, the author rule intact; an empty list publishes at once), bound to
their exact text, and published as a reply to their parent once."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from chalicelib.domain.errors import InvalidContent, NotEligible
from chalicelib.domain.post import Reviewer
from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.domain.status import Status
from chalicelib.services import answers, review
from chalicelib.services.answers import AnswerDraft, Parent
from chalicelib.services.ports import Context
from tests.fakes.publishing import PublishingPorts
from tests.fakes.slack import FakeDirectory

WRITER = Reviewer("U0WRITE", "sam.support@freigabe.example")
RESPONDER = Reviewer("U0RESP1", "rita.responder@freigabe.example")
OTHER_RESPONDER = Reviewer("U0RESP2", "remo.responder@freigabe.example")
PARENT = Parent("mastodon", "109876")


def rig(**overrides: Any) -> tuple[PublishingPorts, Context]:
    ports = PublishingPorts(**{"responders": ["U0RESP1", "U0RESP2"], **overrides})
    ids = (f"a{n}" for n in count(1))
    return ports, Context(ports.repo, ports.wf, ports.clock, lambda: next(ids))


def draft(ctx: Context, who: Reviewer = WRITER, text: str = "Danke, wir melden uns!",
          **kw: Any) -> Any:
    return answers.draft(ctx, who, "Sam", AnswerDraft(PARENT, text, conversation_of="p1", **kw))


def publish(ports: PublishingPorts) -> list[str]:
    ports.tick()
    return ports.drain()


def test_an_answer_is_a_reply_post_for_one_channel_waiting_for_one_responder() -> None:
    ports, ctx = rig()
    answer = draft(ctx)

    stored = ports.repo.get(answer.id)
    assert stored.kind == "reply"
    assert stored.parent == {"channel": "mastodon", "external_id": "109876"}
    assert stored.conversation_of == "p1"
    assert stored.content.channels == ("mastodon",)
    assert stored.status is Status.IN_REVIEW
    assert [(s.name, s.required) for s in stored.steps] == [("responders", True)]
    # The parent post names it, so its conversation is read without a scan.
    assert answers.answer_ids(ports.repo.refs("p1")) == [answer.id]
    # Stored and read back whole.
    assert post_from_document(post_to_document(stored)).parent == stored.parent


def test_one_responder_approves_and_it_is_published_as_a_reply_once() -> None:
    ports, ctx = rig()
    answer = draft(ctx)
    review.decide(ctx, answer.id, "responders", RESPONDER, "approve", answer.content_hash)

    assert ports.repo.get(answer.id).status is Status.SCHEDULED
    assert publish(ports) == ["published"]
    assert publish(ports) == []  # nothing left to send: the tick claims it once
    network = ports.networks["mastodon"]
    assert [(c.text, c.reply_to) for c in network.posts] == [("Danke, wir melden uns!", "109876")]
    assert ports.repo.get(answer.id).status is Status.PUBLISHED
    entry = answers.answers_of(ports.repo, ports.repo.refs("p1"))[0]
    assert (entry["kind"], entry["status"], entry["url"]) == (
        "answer", "published", "https://net.example/0")


def test_someone_outside_the_responders_cannot_approve_an_answer() -> None:
    ports, ctx = rig()
    answer = draft(ctx)
    stranger = Reviewer("U0LEGAL1", "legal1@freigabe.example")

    with pytest.raises(NotEligible):
        review.decide(ctx, answer.id, "responders", stranger, "approve", answer.content_hash)
    assert ports.repo.get(answer.id).status is Status.IN_REVIEW


def test_a_responder_cannot_approve_their_own_answer() -> None:
    ports, ctx = rig()
    answer = draft(ctx, who=RESPONDER)

    with pytest.raises(NotEligible) as refused:
        review.decide(ctx, answer.id, "responders", RESPONDER, "approve", answer.content_hash)
    assert refused.value.key == "own_post"
    assert ports.repo.get(answer.id).status is Status.IN_REVIEW
    review.decide(ctx, answer.id, "responders", OTHER_RESPONDER, "approve", answer.content_hash)
    assert ports.repo.get(answer.id).status is Status.SCHEDULED


def test_a_user_group_of_responders_approves_through_its_members() -> None:
    ports, ctx = rig(responders=["S0SUPPORT"])
    directory = FakeDirectory(groups={"S0SUPPORT": {"U0RESP2"}})
    answer = draft(ctx)

    with pytest.raises(NotEligible):
        review.decide(ctx, answer.id, "responders", RESPONDER, "approve", answer.content_hash,
                      directory=directory)
    review.decide(ctx, answer.id, "responders", OTHER_RESPONDER, "approve",
                  answer.content_hash, directory=directory)
    assert ports.repo.get(answer.id).status is Status.SCHEDULED


def test_an_approval_is_bound_to_the_exact_text_it_saw() -> None:
    ports, ctx = rig()
    answer = draft(ctx)
    other_text = answers.check_text(ctx.workflow, "mastodon", "Danke!").hash

    with pytest.raises(NotEligible):
        review.decide(ctx, answer.id, "responders", RESPONDER, "approve", other_text)
    assert ports.repo.get(answer.id).status is Status.IN_REVIEW
    assert publish(ports) == []
    assert ports.networks["mastodon"].posts == []


def test_named_reply_steps_are_all_required_whatever_their_when_rules() -> None:
    ports, ctx = rig(reply_steps=["legal"])
    answer = draft(ctx, text="Kein Rabatt-Wort hier")

    assert [(s.name, s.required) for s in ports.repo.get(answer.id).steps] == [("legal", True)]
    with pytest.raises(NotEligible):
        review.decide(ctx, answer.id, "legal", RESPONDER, "approve", answer.content_hash)
    review.decide(ctx, answer.id, "legal", Reviewer("U0LEGAL1", "legal1@freigabe.example"),
                  "approve", answer.content_hash)
    assert ports.repo.get(answer.id).status is Status.SCHEDULED


def test_no_reply_steps_lets_a_responder_publish_at_once_recorded_as_such() -> None:
    ports, ctx = rig(reply_steps=[])
    answer = draft(ctx, who=RESPONDER)

    stored = ports.repo.get(answer.id)
    assert stored.status is Status.SCHEDULED
    scheduled = [e for e in ports.repo.events[answer.id] if e.type == "scheduled"]
    assert scheduled[0].data["published_without_review"] == "responders"
    assert publish(ports) == ["published"]
    assert [c.reply_to for c in ports.networks["mastodon"].posts] == ["109876"]


def test_no_reply_steps_refuses_an_answer_from_someone_who_is_not_a_responder() -> None:
    ports, ctx = rig(reply_steps=[])

    with pytest.raises(NotEligible) as refused:
        draft(ctx, who=WRITER)
    assert refused.value.key == "not_a_responder"
    assert ports.repo.refs("p1") == {}
    assert not any(post.kind == "reply" for post in ports.repo.by_status("scheduled"))


@pytest.mark.parametrize(("text", "key"), [("   ", "empty_text"), ("x" * 501, "too_long")])
def test_an_answer_over_its_network_limit_or_empty_is_refused_and_nothing_stored(
        text: str, key: str) -> None:
    ports, ctx = rig()

    with pytest.raises(InvalidContent) as refused:
        draft(ctx, text=text)
    assert refused.value.key == key
    assert ports.repo.refs("p1") == {}
