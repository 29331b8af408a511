"""The post aggregate: its content, its review steps and its publication results.

Every method checks the transition table, changes state, appends a chained timeline event
and records messages for the outside world; it never calls out itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import events as ev
from chalicelib.domain import review_rules as rules
from chalicelib.domain.content import Content
from chalicelib.domain.errors import InvalidContent, InvalidTransition, NotEligible
from chalicelib.domain.media import image_changes
from chalicelib.domain.policy import requirements
from chalicelib.domain.status import (
    EDITABLE,
    WITHDRAWABLE,
    ResultStatus,
    Status,
    StepStatus,
    can_transition,
)
from chalicelib.domain.timeline import TimelineEvent, chain
from chalicelib.domain.workflow import StepRule, Workflow

DECISIONS = {
    "approve": StepStatus.APPROVED,
    "request_changes": StepStatus.CHANGES_REQUESTED,
    "reject": StepStatus.REJECTED,
}
EXTERNAL_DECISIONS = ("approve", "request_changes")
VISIBILITIES = ("internal", "shared")  # external reviewers see only "shared" comments


def _changes(before: Content, after: Content) -> list[str]:
    """What an edit changed, in a reviewer's words: the fields, and each image by position
    ("image 2 replaced") instead of "media"."""
    fields = after.changed_fields(before)
    if "media" not in fields:
        return fields
    images = image_changes(before.media, after.media)
    return [name for name in fields if name != "media"] + (images or ["media"])


# The result a channel shows while a due post waits for it to be connected again.
CHANNEL_NOT_CONNECTED = "held: channel not connected"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Approval:
    reviewer_id: str
    reviewer_email: str
    at: str
    content_hash: str
    checklist: list[str] = field(default_factory=list)  # the ticked item ids


@dataclass
class Hold:
    """A reviewer's stop on publishing, with its reason, until released."""

    step: str
    by: str
    reason: str
    at: str
    by_email: str | None = None  # from their Slack profile, for the web page to name them


@dataclass
class Step:
    name: str
    label: str
    required: bool
    reasons: list[str]
    status: StepStatus = StepStatus.PENDING
    approvals: list[Approval] = field(default_factory=list)
    decided_by: str | None = None
    decided_at: str | None = None
    comment: str | None = None
    requested_hash: str | None = None  # content hash of the open review request
    requested_at: str | None = None  # when that request went out (reminders count from it)
    # The hash of the content this step last reviewed, for "what changed": the content itself
    # is stored once per version beside the post, never copied into each step.
    seen_hash: str | None = None
    # What the workflow asked when this review started; None on posts stored before it was kept
    # (and, for "all" of a user group, until its members have all approved).
    approvals_required: int | None = None
    # The last decision's reason labels and quoted sentence, and the ticked checklist items of
    # the approving decision.
    labels: list[str] = field(default_factory=list)
    quote: str | None = None
    checklist: list[str] = field(default_factory=list)
    due_at: str | None = None  # when the open review request is due (the step's due_hours)
    escalated_at: str | None = None  # when its overdue request was escalated (once)
    kind: str = "slack"  # "link": reviewed through a signed link by someone outside

    def is_overdue(self, now: datetime) -> bool:
        """An open request past its due time."""
        if self.status is not StepStatus.PENDING or self.requested_hash is None or not self.due_at:
            return False
        return datetime.fromisoformat(self.due_at.replace("Z", "+00:00")) <= now


@dataclass
class ChannelResult:
    status: ResultStatus = ResultStatus.PENDING
    url: str | None = None
    external_id: str | None = None
    error: str | None = None
    attempts: int = 0


@dataclass
class Reviewer:
    slack_id: str
    email: str | None  # from the Slack profile; compared with the post's author
    # The reviewer's workspace: set for a member of another workspace in a Slack Connect
    # channel, whose e-mail may be hidden (reviewers then list them as "T…:U…").
    team_id: str | None = None

    def listed_in(self, eligible: frozenset[str]) -> bool:
        return rules.listed(self.slack_id, self.team_id, eligible)


@dataclass
class Post:
    id: str
    author: str  # email
    author_name: str
    content: Content
    publish_at: datetime | None
    created_at: str
    # Who wrote it, for good: the sign-in's immutable subject (Cognito's `sub`; the email in dev
    # sign-in and in posts stored before it was kept). Only the author reads and changes a post.
    author_id: str = ""
    # The author's Slack user, found by their email when they submit: refused as a reviewer
    # even after a change of Slack profile email (None: Slack did not know or did not answer).
    author_slack_id: str | None = None
    status: Status = Status.DRAFT
    version: int = 0
    steps: list[Step] = field(default_factory=list)
    results: dict[str, ChannelResult] = field(default_factory=dict)
    holds: list[Hold] = field(default_factory=list)
    updated_at: str = ""
    scheduled_at: str | None = None  # when it became fully approved
    timeline_count: int = 0
    timeline_head: str | None = None
    # The brand it is written for (posts stored before brands: "default"), and the version of
    # the workflow that was current when it was submitted (None: the packaged file's).
    brand: str = "default"
    workflow_version: int | None = None
    # "reply": an answer to a reply or mention on a network, published in that conversation:
    # its parent there ({"channel", "external_id"}) and the post it answers under (None: a
    # mention in the brand's inbox).
    kind: str = "post"
    parent: dict[str, str] | None = None
    conversation_of: str | None = None
    # Not stored with the post: the status it was read with (None: never stored), so the
    # repository can keep its per-status counts; and what this unit of work added.
    stored_status: Status | None = field(default=None, repr=False, compare=False)
    new_events: list[TimelineEvent] = field(default_factory=list, repr=False)
    messages: list[ev.Message] = field(default_factory=list, repr=False)

    # -- creation -------------------------------------------------------------------------

    def __post_init__(self) -> None:
        self.author_id = self.author_id or self.author

    @classmethod
    def create(cls, post_id: str, author: str, author_name: str, content: Content,
               publish_at: datetime | None, now: datetime, author_id: str = "",
               brand: str = "default", parent: dict[str, str] | None = None,
               conversation_of: str | None = None) -> Post:
        post = cls(id=post_id, author=author.lower(), author_name=author_name, content=content,
                   publish_at=publish_at, created_at=iso(now), updated_at=iso(now),
                   author_id=author_id, brand=brand, kind="reply" if parent else "post",
                   parent=dict(parent) if parent else None, conversation_of=conversation_of)
        answer = {"kind": "reply", "parent": post.parent,
                  "conversation_of": conversation_of} if parent else {}
        post._record(now, "created", author, {**post._content_record(),
                                              "channels": list(content.channels),
                                              "publish_at": post.publish_at_iso,
                                              **({"brand": brand} if brand != "default" else {}),
                                              **answer})
        return post

    # -- reading --------------------------------------------------------------------------

    @property
    def content_hash(self) -> str:
        return self.content.hash

    @property
    def publish_at_iso(self) -> str | None:
        return iso(self.publish_at) if self.publish_at else None

    @property
    def due_at(self) -> str | None:
        """When a scheduled post becomes due: its publish time, or at once once approved."""
        if self.status is not Status.SCHEDULED:
            return None
        return self.publish_at_iso or self.scheduled_at or self.updated_at

    def is_author(self, reviewer: Reviewer) -> bool:
        """The author in Slack: their Slack user, or anyone with their email."""
        if self.author_slack_id and reviewer.slack_id == self.author_slack_id:
            return True
        return bool(reviewer.email) and str(reviewer.email).lower() == self.author

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise NotEligible("unknown_step", step=name)

    def required_steps(self) -> list[Step]:
        return [s for s in self.steps if s.required]

    def step_approved(self, step: Step, approvals_required: int) -> bool:
        valid = {a.reviewer_id for a in step.approvals if a.content_hash == self.content_hash}
        return len(valid) >= approvals_required

    def approvals_needed(self, step: Step, workflow: Workflow) -> int | None:
        """The larger of what the step's review started with and what the workflow asks now,
        so a changed workflow file never lowers a review; None when neither is known (a step
        stored before reviews kept their count, since taken out of the workflow)."""
        # A step renamed or removed in the workflow: the post's own record decides.
        rule = _rule(workflow, step.name)
        if rule is not None and rule.requires_all and rule.reviewers is None:
            # Every member of a group at decision time: counted when the last one approved.
            return step.approvals_required
        asked = (step.approvals_required, rule.fixed_approvals() if rule else None)
        known = [n for n in asked if n is not None]
        return max(known) if known else None

    def is_fully_approved(self, workflow: Workflow) -> bool:
        for step in self.required_steps():
            needed = self.approvals_needed(step, workflow)
            if needed is None or not self.step_approved(step, needed):
                return False
        return True

    def open_steps(self, workflow: Workflow) -> list[Step]:
        """Required steps whose turn it is and that have not approved yet."""
        pending = [s for s in self.required_steps() if s.status is StepStatus.PENDING]
        if workflow.review_order == "sequential":
            return pending[:1]
        return pending

    # -- writer actions -------------------------------------------------------------------

    def submit(self, workflow: Workflow, actor: str, now: datetime) -> None:
        if self.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
            raise InvalidTransition("cannot_submit", status=self.status.value)
        self._record(now, "submitted", actor, self._content_record())
        self._start_review(workflow, now)

    def edit(self, workflow: Workflow, actor: str, now: datetime, content: Content,
             publish_at: datetime | None) -> None:
        if self.status not in EDITABLE:
            raise InvalidTransition("cannot_edit", status=self.status.value)
        changed = _changes(self.content, content)
        moved = publish_at != self.publish_at
        if not changed and not moved:
            return
        if moved:
            old = self.publish_at_iso
            self.publish_at = publish_at
            self._record(now, "rescheduled", actor, {"from": old, "to": self.publish_at_iso})
        if not changed:
            self.updated_at = iso(now)
            return
        old_hash, had_images = self.content_hash, bool(self.content.media)
        self.content = content
        self._record(now, "edited", actor, {"changed": changed, "from_hash": old_hash,
                                           **self._content_record(had_images)})
        voided = self._void_approvals()
        if voided:
            self._record(now, "approvals_voided", "freigabe", {"steps": voided})
        if self.status in (Status.IN_REVIEW, Status.SCHEDULED):
            self._start_review(workflow, now)
        elif voided:
            # No new review yet (a draft, or changes requested): the requests that showed a
            # decision must still say it no longer holds.
            self.messages.extend(ev.ReviewVoided(self.id, name, "edited") for name in voided)

    def withdraw(self, actor: str, now: datetime) -> None:
        if self.status not in WITHDRAWABLE:
            raise InvalidTransition("cannot_withdraw", status=self.status.value)
        for step in self.steps:
            if step.requested_hash:
                self.messages.append(ev.ReviewVoided(self.id, step.name, "withdrawn"))
                step.requested_hash = None
        self._move(Status.WITHDRAWN, now, actor, "withdrawn", {})

    # -- reviewer actions -----------------------------------------------------------------

    def decide(self, workflow: Workflow, step_name: str, reviewer: Reviewer, decision: str,
               content_hash: str, comment: str, now: datetime,
               eligible_reviewers: frozenset[str], *, labels: Sequence[str] = (),
               quote: str | None = None, checklist: Sequence[str] = (),
               as_deputy_for: str | None = None) -> bool:
        """Record a decision. Returns False for a repeat of one already recorded (a double
        click, a retried request); raises NotEligible for anything that must change nothing.
        ``as_deputy_for``: the absent reviewer a deputy decides for (kept in the event)."""
        if decision not in DECISIONS:
            raise NotEligible("unknown_decision")
        step = self.step(step_name)
        if self._is_repeat(step, reviewer.slack_id, decision, content_hash):
            return False
        self._check_open(workflow, step, content_hash)
        if not reviewer.listed_in(eligible_reviewers):
            raise NotEligible("not_a_reviewer", step=step.label)
        if self.is_author(reviewer):
            raise NotEligible("own_post")
        for other in self.steps:
            if other is not step and any(a.reviewer_id == reviewer.slack_id and
                                         a.content_hash == self.content_hash
                                         for a in other.approvals):
                raise NotEligible("one_step_per_person", step=other.label)
        if decision != "approve" and not comment.strip():
            raise NotEligible("comment_required")
        chosen, quoted = rules.reasons(workflow, decision, labels, quote,
                                       self.content.all_texts())
        items = rules.ticked(_rule(workflow, step.name), decision, checklist)
        self._apply(workflow, step, reviewer.slack_id, reviewer.email, decision, comment, now,
                    eligible_reviewers, (chosen, quoted, items),
                    via={"as_deputy_for": as_deputy_for} if as_deputy_for else None)
        return True

    def decide_external(self, workflow: Workflow, step_name: str, name: str, decision: str,
                        content_hash: str, comment: str, now: datetime,
                        link_expires_at: str | None = None) -> bool:
        """A decision through a link step's signed link, by the name its reviewer gave; recorded
        as ``external:<name>`` with ``via: "link"`` and the link's expiry. False for a repeat;
        NotEligible changes nothing."""
        if decision not in EXTERNAL_DECISIONS:
            raise NotEligible("unknown_decision")
        name = " ".join(name.split())
        if not name:
            raise NotEligible("name_required")
        step = self.step(step_name)
        if step.kind != "link":
            raise NotEligible("not_a_link_step", step=step.label)
        actor = f"external:{name}"
        if self._is_repeat(step, actor, decision, content_hash):
            return False
        self._check_open(workflow, step, content_hash)
        if decision != "approve" and not comment.strip():
            raise NotEligible("comment_required")
        self._apply(workflow, step, actor, None, decision, comment, now, frozenset(),
                    ((), None, ()), via={"via": "link", "link_expires_at": link_expires_at})
        return True

    def _check_open(self, workflow: Workflow, step: Step, content_hash: str) -> None:
        if self.status is not Status.IN_REVIEW:
            raise NotEligible("not_in_review", status=self.status.value)
        if content_hash != self.content_hash:
            raise NotEligible("stale_content")
        if not step.required or step not in self.open_steps(workflow):
            raise NotEligible("step_not_open", step=step.label)

    def _apply(self, workflow: Workflow, step: Step, actor: str, email: str | None,
               decision: str, comment: str, now: datetime, eligible: frozenset[str],
               reasons: tuple[tuple[str, ...], str | None, tuple[str, ...]],
               via: dict[str, Any] | None = None) -> None:
        labels, quote, items = reasons
        at = iso(now)
        data: dict[str, Any] = {"step": step.name, "decision": decision, "comment": comment,
                                "content_hash": self.content_hash, "reviewer_email": email}
        # Only what was given: decisions without them keep the shape they always had.
        for key, value in (("labels", list(labels)), ("quote", quote), ("checklist", list(items))):
            if value:
                data[key] = value
        data.update({key: value for key, value in (via or {}).items() if value})
        self._record(now, "decision", actor, data)
        self.messages.append(ev.DecisionRecorded(self.id, step.name, decision, actor, comment,
                                                 labels, quote, items,
                                                 (via or {}).get("as_deputy_for")))
        step.decided_by, step.decided_at, step.comment = actor, at, comment or None
        step.labels, step.quote = list(labels), quote
        if decision == "approve":
            step.approvals.append(Approval(actor, email or "", at, self.content_hash,
                                           list(items)))
            step.checklist = list(items)
            if not self._step_complete(workflow, step, eligible):
                return
            step.status = StepStatus.APPROVED
            step.requested_hash = None
            step.seen_hash = self.content_hash
            if self.is_fully_approved(workflow):
                self._schedule(now)
            else:
                self._request_open_steps(workflow)
            return
        step.status = DECISIONS[decision]
        step.seen_hash = self.content_hash
        for other in self.steps:
            if other.requested_hash:
                other.requested_hash = None
                if other is not step:
                    self.messages.append(ev.ReviewVoided(self.id, other.name, decision))
        target = Status.REJECTED if decision == "reject" else Status.CHANGES_REQUESTED
        self._move(target, now, "freigabe", target.value, {"step": step.name})

    def _step_complete(self, workflow: Workflow, step: Step, eligible: frozenset[str]) -> bool:
        rule = _rule(workflow, step.name)
        if rule is not None and rule.requires_all and rule.reviewers is None:
            # "all" of a user group: every member at this moment (but the author) approved.
            members = rules.user_ids(eligible) - {self.author_slack_id or ""}
            approvers = {a.reviewer_id for a in step.approvals
                         if a.content_hash == self.content_hash}
            if not members or not members <= approvers:
                return False
            step.approvals_required = len(approvers)
        needed = self.approvals_needed(step, workflow)
        return needed is not None and self.step_approved(step, needed)

    # -- holds, comments, deadlines -------------------------------------------------------

    def hold(self, workflow: Workflow, step_name: str, reviewer: Reviewer, reason: str,
             now: datetime, eligible_reviewers: frozenset[str],
             content_hash: str | None = None) -> bool:
        """Stop the post from publishing until released. False when this reviewer already
        holds it for this step (a double click); NotEligible or InvalidTransition change
        nothing."""
        step = self.step(step_name)
        if any(h.step == step.name and h.by == reviewer.slack_id for h in self.holds):
            return False
        if self.status not in (Status.IN_REVIEW, Status.SCHEDULED):
            raise InvalidTransition("cannot_hold", status=self.status.value)
        if content_hash is not None and content_hash != self.content_hash:
            raise NotEligible("stale_content")
        if not step.required:
            raise NotEligible("step_not_open", step=step.label)
        if not reviewer.listed_in(eligible_reviewers):
            raise NotEligible("not_a_reviewer", step=step.label)
        if self.is_author(reviewer):
            raise NotEligible("own_post")
        reason = reason.strip()
        if not reason:
            raise NotEligible("reason_required")
        self.holds.append(Hold(step.name, reviewer.slack_id, reason, iso(now), reviewer.email))
        self._record(now, "hold", reviewer.slack_id, {"step": step.name, "reason": reason,
                                                      "content_hash": self.content_hash})
        self.messages.append(ev.HoldPlaced(self.id, step.name, reviewer.slack_id, reason))
        return True

    def release(self, step_name: str, by: str, now: datetime, may_release: bool) -> None:
        """Lift every hold of a step: by a holder, or whom the caller found allowed (any
        reviewer of the step, an admin). The last release of a scheduled post makes it due."""
        standing = [h for h in self.holds if h.step == step_name]
        if not standing:
            raise NotEligible("no_hold", step=step_name)
        if not may_release and all(h.by != by for h in standing):
            raise NotEligible("may_not_release", step=self.step(step_name).label)
        self.holds = [h for h in self.holds if h.step != step_name]
        self._record(now, "hold_released", by, {"step": step_name,
                                                "holders": [h.by for h in standing]})
        self.messages.append(ev.HoldReleased(self.id, step_name, by))
        if not self.holds and self.status is Status.SCHEDULED:
            # Due again: the relay takes a post due now at once, like a fresh approval.
            self.messages.append(ev.PostScheduled(self.id, self.publish_at_iso))

    def comment(self, author: str, text: str, visibility: str, now: datetime) -> None:
        """A comment on the post's timeline: ``internal`` for the team, ``shared`` also for
        reviewers outside the company."""
        text = text.strip()
        if not text:
            raise InvalidContent("comment_empty")
        if visibility not in VISIBILITIES:
            raise InvalidContent("unknown_visibility", visibility=visibility)
        self._record(now, "comment", author, {"text": text, "visibility": visibility})

    def escalate(self, step_name: str, escalate_to: str | None, now: datetime) -> bool:
        """Say once that a step's review request is overdue; False when it is not (any more)
        or was said already."""
        step = self.step(step_name)
        if (self.status is not Status.IN_REVIEW or step.escalated_at is not None
                or not step.is_overdue(now)):
            return False
        step.escalated_at = iso(now)
        self._record(now, "review_overdue", "freigabe", {"step": step.name, "due_at": step.due_at,
                                                         "escalate_to": escalate_to})
        self.messages.append(ev.ReviewOverdue(self.id, step.name, escalate_to))
        return True

    def _is_repeat(self, step: Step, actor: str, decision: str, content_hash: str) -> bool:
        if decision == "approve":
            return any(a.reviewer_id == actor and a.content_hash == content_hash
                       for a in step.approvals)
        return (step.status is DECISIONS[decision] and step.decided_by == actor
                and content_hash == self.content_hash)

    # -- publishing -----------------------------------------------------------------------

    def claim(self, now: datetime, channels: list[str] | None = None) -> list[str]:
        """Move to publishing; returns the channels to send (all, or the ones retried).

        Each claimed channel starts a new attempt: its publication gets a key of its own, so an
        admin's retry is not mistaken for a redelivery of the attempt that failed.
        """
        if not can_transition(self.status, Status.PUBLISHING):
            raise InvalidTransition("cannot_publish", status=self.status.value)
        if self.holds:
            raise InvalidTransition("held", step=self.holds[0].step)
        retry = channels is not None
        targets: list[str] = list(channels) if channels is not None else list(self.content.channels)
        for channel in targets:
            previous = self.results.get(channel)
            self.results[channel] = ChannelResult(attempts=(previous.attempts if previous else 0) + 1)
        self._move(Status.PUBLISHING, now, "freigabe", "publishing",
                   {"channels": targets, "retry": retry})
        return targets

    def hold_for_channels(self, channels: list[str], now: datetime) -> bool:
        """Due, but these channels are not connected: the post stays scheduled, each of them
        shows the result ``held: channel not connected`` (the claim replaces it once they are
        connected again), and the author hears of it. False when that was noted already."""
        if self.status is not Status.SCHEDULED:
            raise InvalidTransition("cannot_publish", status=self.status.value)
        if all((r := self.results.get(ch)) is not None and r.error == CHANNEL_NOT_CONNECTED
               for ch in channels):
            return False
        for channel in channels:
            previous = self.results.get(channel)
            self.results[channel] = ChannelResult(error=CHANNEL_NOT_CONNECTED,
                                                  attempts=previous.attempts if previous else 0)
        self._record(now, "channels_not_connected", "freigabe", {"channels": list(channels)})
        self.messages.append(ev.ChannelsNotConnected(self.id, tuple(channels)))
        return True

    def record_result(self, channel: str, result: ChannelResult, now: datetime,
                      actor: str = "freigabe") -> None:
        if self.status not in (Status.PUBLISHING, Status.FAILED, Status.PARTIALLY_PUBLISHED):
            raise InvalidTransition("not_publishing", status=self.status.value)
        if channel not in self.results:
            raise InvalidTransition("unknown_channel", channel=channel)
        self.results[channel] = result
        self._record(now, "publish_result", actor, {
            "channel": channel, "status": result.status.value, "url": result.url,
            "external_id": result.external_id, "error": result.error,
        })
        self._settle(now)

    def _settle(self, now: datetime) -> None:
        statuses = {r.status for r in self.results.values()}
        if ResultStatus.PENDING in statuses:
            return
        if statuses == {ResultStatus.PUBLISHED}:
            target = Status.PUBLISHED
        elif ResultStatus.PUBLISHED in statuses:
            target = Status.PARTIALLY_PUBLISHED
        else:
            target = Status.FAILED
        if target is self.status:
            return
        self._move(target, now, "freigabe", target.value, {})
        self.messages.append(ev.PostSettled(self.id, target.value))

    def mark_published(self, channel: str, admin: str, now: datetime, url: str | None) -> None:
        """An admin confirms that a channel whose result was unknown did go out."""
        result = self.results.get(channel)
        if result is None or result.status is not ResultStatus.UNKNOWN:
            raise InvalidTransition("not_unknown", channel=channel)
        self.record_result(channel, ChannelResult(ResultStatus.PUBLISHED, url=url,
                                                  attempts=result.attempts), now, actor=admin)

    def redispatch(self, now: datetime) -> list[str]:
        """The channels still pending, whose publications are sent again in the same attempt:
        the first messages were lost (a crash between claim and send, a message let go while
        paused). Records nothing when no channel is pending."""
        if self.status is not Status.PUBLISHING:
            raise InvalidTransition("not_publishing", status=self.status.value)
        pending = [ch for ch, r in self.results.items() if r.status is ResultStatus.PENDING]
        if pending:
            self._record(now, "redispatched", "freigabe", {"channels": pending})
        return pending

    def retryable_channels(self) -> list[str]:
        return [ch for ch, r in self.results.items()
                if r.status in (ResultStatus.FAILED, ResultStatus.UNKNOWN)]

    def expire(self, now: datetime) -> None:
        self._move(Status.EXPIRED, now, "freigabe", "expired", {"publish_at": self.publish_at_iso})
        self.messages.append(ev.PostExpired(self.id, tuple(s.name for s in self.required_steps())))

    # -- internals ------------------------------------------------------------------------

    def _start_review(self, workflow: Workflow, now: datetime) -> None:
        previous = {s.name: s for s in self.steps}
        self.steps = []
        for req in requirements(workflow, self.content, reply=self.kind == "reply"):
            old = previous.get(req.step)
            rule = workflow.step(req.step)
            step = Step(name=req.step, label=req.label, required=req.required,
                        reasons=list(req.reasons),
                        status=StepStatus.PENDING if req.required else StepStatus.NOT_REQUIRED,
                        approvals_required=rule.fixed_approvals(), kind=rule.kind)
            if old:
                step.seen_hash = old.seen_hash
                step.approvals = [a for a in old.approvals if a.content_hash == self.content_hash]
                needed = step.approvals_required
                if req.required and needed is not None and self.step_approved(step, needed):
                    step.status = StepStatus.APPROVED
                    step.decided_by, step.decided_at = old.decided_by, old.decided_at
                    step.checklist = list(old.checklist)
                if old.requested_hash and step.status is not StepStatus.PENDING:
                    self.messages.append(ev.ReviewVoided(self.id, step.name, "edited"))
            self.steps.append(step)
        if self.is_fully_approved(workflow):
            self._schedule(now)
            return
        self._move(Status.IN_REVIEW, now, "freigabe", "in_review",
                   {"steps": [s.name for s in self.required_steps()]})
        self._request_open_steps(workflow)

    def _request_open_steps(self, workflow: Workflow) -> None:
        for step in self.open_steps(workflow):
            if step.requested_hash != self.content_hash:
                step.requested_hash = self.content_hash
                step.requested_at = self.updated_at
                due = rules.due_at(_rule(workflow, step.name),
                                   datetime.fromisoformat(self.updated_at.replace("Z", "+00:00")),
                                   self.publish_at)
                step.due_at, step.escalated_at = (iso(due) if due else None), None
                self.messages.append(ev.ReviewRequested(self.id, step.name, self.content_hash))

    def _void_approvals(self) -> list[str]:
        voided = []
        for step in self.steps:
            if step.approvals or step.status is not StepStatus.PENDING:
                voided.append(step.name)
            step.approvals = []
            if step.status is not StepStatus.NOT_REQUIRED:
                step.status = StepStatus.PENDING
            step.decided_by = step.decided_at = step.comment = step.quote = None
            step.labels, step.checklist = [], []
        return voided

    def _schedule(self, now: datetime) -> None:
        self.scheduled_at = iso(now)
        # An answer under `reply_steps = []`: the responders published it without a review.
        unreviewed = ({"published_without_review": "responders"}
                      if self.kind == "reply" and not self.required_steps() else {})
        self._move(Status.SCHEDULED, now, "freigabe", "scheduled",
                   {"publish_at": self.publish_at_iso, **self._content_record(), **unreviewed})
        self.messages.append(ev.PostScheduled(self.id, self.publish_at_iso))

    def _content_record(self, had_images: bool = False) -> dict[str, Any]:
        """What a content event records of the content: its hash, and each image's sha256 and
        alt text in order (only for a post that has images, or had them before this event)."""
        record: dict[str, Any] = {"content_hash": self.content_hash}
        if self.content.media or had_images:
            record["media"] = [image.canonical() for image in self.content.media]
        return record

    def _move(self, target: Status, now: datetime, actor: str, event: str,
              data: dict[str, Any]) -> None:
        if not can_transition(self.status, target):
            raise InvalidTransition("invalid_transition", source=self.status.value,
                                    target=target.value)
        self.status = target
        self._record(now, event, actor, data)

    def _record(self, now: datetime, type_: str, actor: str, data: dict[str, Any]) -> None:
        event = chain(self.id, self.timeline_head, self.timeline_count + 1, iso(now), type_,
                      actor, data)
        self.timeline_count = event.seq
        self.timeline_head = event.hash
        self.updated_at = iso(now)
        self.new_events.append(event)


def _rule(workflow: Workflow, name: str) -> StepRule | None:
    """The workflow's rule for a step; None for a step since renamed or removed."""
    return next((r for r in workflow.steps if r.name == name), None)
