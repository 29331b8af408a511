"""Random sequences of create, edit, submit, decide, withdraw and publish against the
post aggregate. Whatever happens: statuses move only along the table; nothing reaches
scheduled, publishing or published without every required step approved on exactly the
current content hash by eligible, distinct, non-author reviewers; the timeline verifies."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chalicelib.domain.content import Content
from chalicelib.domain.errors import DomainError
from chalicelib.domain.post import ChannelResult, Post, Reviewer
from chalicelib.domain.status import ResultStatus, Status, can_transition
from chalicelib.domain.timeline import verify
from tests.unit.helpers import AUTHOR, NOW, workflow

PEOPLE = [
    Reviewer("U0LEGAL1", "legal1@freigabe.example"),
    Reviewer("U0BRAND1", "brand@freigabe.example"),
    Reviewer("U0LEGAL1", "legal1@freigabe.example"),
    Reviewer("U0LEGAL2", "legal2@freigabe.example"),
    Reviewer("U0BRAND1", "brand@freigabe.example"),
    Reviewer("U0LEGAL1", AUTHOR),  # a reviewer who wrote the post
    Reviewer("U0STRANGER", "stranger@freigabe.example"),
]
TEXTS = ["Hallo", "50% Rabatt", "Gewinnspiel heute", "Neuer Text", "Garantiert gut"]
CHANNEL_SETS = [("outbox",), ("outbox", "hooks"), ("x",), ("hooks", "x")]
GUARDED = {Status.SCHEDULED, Status.PUBLISHING, Status.PUBLISHED, Status.PARTIALLY_PUBLISHED}


def both_workflows() -> st.SearchStrategy[str]:
    return st.sampled_from(["parallel", "sequential"])


class PostMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.wf = workflow()
        self.post: Post | None = None
        self.now = NOW
        self.events: list = []
        self.previous_status: Status | None = None

    def tick(self) -> None:
        self.now += timedelta(minutes=1)

    def _apply(self, action) -> None:  # type: ignore[no-untyped-def]
        assert self.post is not None
        before = self.post.status
        with contextlib.suppress(DomainError):
            action()
        after = self.post.status
        assert before == after or can_transition(before, after), (before, after)
        self.events.extend(self.post.new_events)
        self.post.new_events = []
        self.post.messages = []
        self.tick()

    @precondition(lambda self: self.post is None)
    @rule(order=both_workflows(), text=st.sampled_from(TEXTS),
          channels=st.sampled_from(CHANNEL_SETS))
    def create(self, order: str, text: str, channels: tuple[str, ...]) -> None:
        self.wf = workflow(review_order=order)
        self.post = Post.create("p", AUTHOR, "Wanda", Content(text, channels), None, self.now)
        self.events.extend(self.post.new_events)
        self.post.new_events = []

    @precondition(lambda self: self.post is not None)
    @rule(text=st.sampled_from(TEXTS), channels=st.sampled_from(CHANNEL_SETS),
          move=st.booleans())
    def edit(self, text: str, channels: tuple[str, ...], move: bool) -> None:
        assert self.post is not None
        post = self.post
        publish_at = self.now + timedelta(hours=1) if move else post.publish_at
        self._apply(lambda: post.edit(self.wf, AUTHOR, self.now, Content(text, channels),
                                      publish_at))

    @precondition(lambda self: self.post is not None)
    @rule()
    def submit(self) -> None:
        assert self.post is not None
        post = self.post
        self._apply(lambda: post.submit(self.wf, AUTHOR, self.now))

    @precondition(lambda self: self.post is not None)
    @rule(step=st.sampled_from(["legal", "brand"]), who=st.sampled_from(PEOPLE),
          decision=st.sampled_from(["approve", "approve", "approve", "request_changes", "reject"]),
          stale=st.integers(0, 5), comment=st.sampled_from(["", "Bitte ändern"]))
    def decide(self, step: str, who: Reviewer, decision: str, stale: int, comment: str) -> None:
        assert self.post is not None
        post = self.post
        content_hash = "f" * 64 if stale == 0 else post.content_hash
        eligible = frozenset(self.wf.step(step).reviewers or [])
        self._apply(lambda: post.decide(self.wf, step, who, decision, content_hash, comment,
                                        self.now, eligible))

    @precondition(lambda self: self.post is not None)
    @rule()
    def reviewers_approve_what_is_open(self) -> None:
        """The common path: the right people approve, so later states get explored."""
        assert self.post is not None
        post = self.post
        good = {"legal": PEOPLE[0], "brand": PEOPLE[1]}
        for step in list(post.open_steps(self.wf)):
            people = frozenset(self.wf.step(step.name).reviewers or [])
            self._apply(lambda n=step.name, e=people: post.decide(  # type: ignore[misc]
                self.wf, n, good[n], "approve", post.content_hash, "", self.now, e))

    @precondition(lambda self: self.post is not None)
    @rule(chance=st.integers(0, 9))
    def withdraw(self, chance: int) -> None:
        assert self.post is not None
        if chance:  # withdrawing ends the story; keep it rare so later states are explored
            return
        post = self.post
        self._apply(lambda: post.withdraw(AUTHOR, self.now))

    @precondition(lambda self: self.post is not None)
    @rule(outcomes=st.lists(st.sampled_from(list(ResultStatus)[1:]), min_size=2, max_size=2))
    def publish(self, outcomes: list[ResultStatus]) -> None:
        assert self.post is not None
        post = self.post

        claimed: list[str] = []

        def claim() -> None:
            retry = post.retryable_channels() if post.status is not Status.SCHEDULED else None
            claimed.extend(post.claim(self.now, retry or None))

        self._apply(claim)
        for channel, outcome in zip(claimed, outcomes * 2, strict=False):
            self._apply(lambda c=channel, o=outcome: post.record_result(c, ChannelResult(o),
                                                                         self.now))

    @invariant()
    def guarded_statuses_need_every_approval_on_the_current_hash(self) -> None:
        post = self.post
        if post is None or post.status not in GUARDED:
            return
        assert post.is_fully_approved(self.wf)
        approvers: dict[str, str] = {}
        for step in post.required_steps():
            valid = [a for a in step.approvals if a.content_hash == post.content_hash]
            assert len({a.reviewer_id for a in valid}) >= self.wf.step(step.name).approvals_required
            for approval in valid:
                assert approval.reviewer_id in (self.wf.step(step.name).reviewers or [])
                assert approval.reviewer_email.lower() != AUTHOR
                assert approvers.setdefault(approval.reviewer_id, step.name) == step.name

    @invariant()
    def the_timeline_verifies(self) -> None:
        if self.post is None:
            return
        assert verify("p", self.events, self.post.timeline_count, self.post.timeline_head) == []


PostMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPostMachine = PostMachine.TestCase
