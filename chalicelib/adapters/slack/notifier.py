"""What Slack hears after a change is stored (from the table's stream, through bus.relay):
review requests posted and kept up to date, authors told about decisions and publications,
results replied in the request's thread.

Stream records are retried when handle() raises, so it raises only for what a retry can fix
(rate limits, Slack or the network being down); a permanent refusal (channel_not_found,
a deleted message) is logged and passed over so it cannot block the stream.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.slack import texts
from chalicelib.adapters.slack.files import ShownImage, SlackImages
from chalicelib.config import SlackRouting
from chalicelib.domain import events as ev
from chalicelib.domain.errors import DomainError
from chalicelib.domain.post import Post
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.status import RETRYABLE, Status, StepStatus
from chalicelib.domain.workflow import Organization, Workflow
from chalicelib.services.ports import DeputyStore, MediaStore, PostRepository
from chalicelib.services.review_desk import request_ref

log = logging.getLogger("freigabe.slack.notifier")

REQUEST_EVENT = "freigabe_review_request"  # Slack message metadata on every review request
LOOKBACK_SECONDS = 300  # clock skew between us and Slack when looking for a lost request
FILE_SETTLE_SECONDS = 1.0  # Slack may not know a just-uploaded file yet: one wait, one more try
HISTORY_PAGE, HISTORY_PAGES = 200, 5  # at most 1,000 messages since the intent was recorded


@dataclass
class SlackPorts:
    client: Any
    directory: Any
    repo: PostRepository
    workflow: Workflow
    routing: SlackRouting
    media: Callable[[], MediaStore] | None = None  # where the images' bytes are read
    brands: Organization | None = None  # every brand's workflow; None: ``workflow`` alone
    deputies: DeputyStore | None = None  # absences: a request reaches the deputies too


class SlackNotifier:
    def __init__(self, ports: Callable[[], SlackPorts],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._ports = ports  # resolved per message: no Slack import until there is news
        self._clock = clock

    def handle(self, post: Post, message: ev.Message) -> None:
        from chalicelib.adapters.slack.client import is_transient

        kind = type(message).__name__
        try:
            ports = self._ports()
            _Delivery(ports, post, self._clock()).deliver(message)
        except Exception as err:
            if is_transient(err) or _is_aws_error(err):
                log.warning("slack delivery will be retried", extra={
                    "post_id": post.id, "kind": kind, "error": _error_code(err)})
                raise
            log.error("slack delivery failed for good", extra={
                "post_id": post.id, "kind": kind, "error": _error_code(err)},
                exc_info=not _is_slack_error(err))


def _is_slack_error(err: BaseException) -> bool:
    from slack_sdk.errors import SlackApiError

    return isinstance(err, SlackApiError)


def _is_aws_error(err: BaseException) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(err, BotoCoreError | ClientError)


def _error_code(err: BaseException) -> str:
    if _is_slack_error(err):
        return str(err.response.get("error"))  # type: ignore[attr-defined]
    return type(err).__name__


class _Delivery:
    """One message about one post, with what it needs at hand."""

    def __init__(self, ports: SlackPorts, post: Post, now: datetime) -> None:
        self.client, self.directory, self.repo = ports.client, ports.directory, ports.repo
        # The post's brand decides its Slack channels, time zone and language.
        self.workflow = ports.brands.brand(post.brand) if ports.brands else ports.workflow
        self.routing = ports.routing.for_brand(post.brand)
        self.media = ports.media
        self.deputies = ports.deputies
        self.lang = self.workflow.language
        self.post, self.now = post, now
        self._refs: dict[str, Any] | None = None
        self._images: list[ShownImage] | None = None

    @property
    def refs(self) -> dict[str, Any]:
        if self._refs is None:
            self._refs = self.repo.refs(self.post.id)
        return self._refs

    def deliver(self, message: ev.Message) -> None:
        if isinstance(message, ev.ReviewRequested):
            self.review_requested(message)
        elif isinstance(message, ev.ReviewVoided):
            self.review_voided(message)
        elif isinstance(message, ev.DecisionRecorded):
            self.decision_recorded(message)
        elif isinstance(message, ev.PostScheduled):
            self.scheduled(message)
        elif isinstance(message, ev.PostSettled):
            self.settled()
        elif isinstance(message, ev.PostExpired):
            self.expired(message)
        elif isinstance(message, ev.HoldPlaced):
            self.hold_changed(message.step, message.by, message.reason)
        elif isinstance(message, ev.HoldReleased):
            self.hold_changed(message.step, message.by, None)
        elif isinstance(message, ev.ReviewOverdue):
            self.overdue(message)
        elif isinstance(message, ev.ChannelsNotConnected):
            self.channels_not_connected(message)

    # -- review requests ----------------------------------------------------------------------

    def review_requested(self, message: ev.ReviewRequested) -> None:
        from chalicelib.adapters.slack import blocks

        step = self._step(message.step)
        if step is None or self.post.status is not Status.IN_REVIEW \
                or step.requested_hash != message.content_hash:
            return  # a later change superseded this request; its own message follows
        name = request_ref(step.name)
        old = self.refs.get(name)
        channel, thread_ts = self._where(step.name)
        ref = {"channel": channel, "content_hash": message.content_hash, "state": "posting",
               "requested_at": step.requested_at, "reminded_at": None}
        if old and old.get("state") == "open":
            if old.get("content_hash") == message.content_hash:
                self._tell_deputies(step, old)  # a retry after Slack refused a notice
                return  # already posted: the stream delivered this record again
            superseded = blocks.RequestState(False, blocks.voided_line("edited", self.lang))
            self._tolerant(lambda: self._rewrite(step.name, old, superseded, "voided"))
        elif old and old.get("state") == "posting":
            # An earlier attempt may have posted and lost Slack's answer: adopt that message
            # rather than post a second one, and close any other it finds.
            adopted = self._tolerant_find(lambda: self._adopt_earlier(step, old, ref))
            if adopted:
                return
        self._void_stale_approvals()
        images = self.images()  # uploaded before the intent: an upload never posts a message
        self.repo.save_ref(self.post.id, name, {**ref, "since": f"{self.now.timestamp():.6f}"})
        answer = self._post_request(step, channel, images, thread_ts)
        posted = {**ref, "channel": answer["channel"], "ts": answer["ts"], "state": "open"}
        self.repo.save_ref(self.post.id, name, posted)
        self._tell_deputies(step, posted)

    def _tell_deputies(self, step: Any, ref: dict[str, Any]) -> None:
        """Deputies of the step's absent reviewers are named in the thread and written to."""
        from chalicelib.adapters.slack.deputy_notice import TOLD, DeputyNotice

        notice = DeputyNotice(self.client, self.directory, self.deputies, self.workflow,
                              self.lang, self._permalink)
        told = notice.tell(self.post, step, ref, self.now)
        if told != list(ref.get(TOLD) or []):
            ref[TOLD] = told
            self.repo.save_ref(self.post.id, request_ref(step.name), ref)

    def _where(self, step_name: str) -> tuple[str, str | None]:
        """(channel, thread) of a step's request: an answer's go into the thread of the reply
        or mention it answers (services/answers.py keeps it on the answer)."""
        from chalicelib.services.answers import THREAD_REF

        thread = (self.refs.get(THREAD_REF) or {}) if self.post.kind == "reply" else {}
        if thread.get("channel"):
            return str(thread["channel"]), str(thread.get("thread_ts") or "") or None
        if self.post.kind == "reply" and step_name not in self.routing.step_channels \
                and self.workflow.inbox_channel:
            return self.workflow.inbox_channel, None
        return self.routing.channel_for(step_name), None

    def _post_request(self, step: Any, channel: str, images: list[ShownImage],
                      thread_ts: str | None = None) -> Any:
        """Post the request; when Slack refuses the blocks for a file it does not know (yet),
        wait once and try again, then post it with every image marked as not shown, which
        leaves no Approve, rather than not at all."""
        import time

        from slack_sdk.errors import SlackApiError

        from chalicelib.adapters.slack import blocks

        with_files = any(item.file_id for item in images)
        attempts: list[list[ShownImage] | None] = [images, images, None] if with_files else [images]
        for attempt, shown in enumerate(attempts):
            text, body = blocks.review_request(self.post, step, self.workflow, self.lang,
                                               seen=self._seen(step), images=shown)
            try:
                return self.client.chat_postMessage(
                    channel=channel, text=text, blocks=body, metadata=self._metadata(step),
                    unfurl_links=False, unfurl_media=False,
                    **({"thread_ts": thread_ts} if thread_ts else {}))
            except SlackApiError as err:
                if err.response.get("error") != "invalid_blocks" or attempt == len(attempts) - 1:
                    raise
                log.warning("review request refused with its images", extra={
                    "post_id": self.post.id, "step": step.name, "attempt": attempt + 1})
                if attempt == 0:
                    time.sleep(FILE_SETTLE_SECONDS)
        raise AssertionError("unreachable")  # pragma: no cover

    def images(self) -> list[ShownImage]:
        """The post's images as Slack files, uploaded once per post and sha256."""
        if self._images is None:
            uploader = SlackImages(self.client, self.media, self.repo)
            self._images = list(uploader.show(self.post.id, self.post.content.media, self.refs))
        return self._images

    def _metadata(self, step: Any) -> dict[str, Any]:
        """What finds a request again in conversations.history when Slack's answer was lost."""
        return {"event_type": REQUEST_EVENT, "event_payload": {
            "post_id": self.post.id, "step": step.name, "content_hash": self.post.content_hash,
            "requested_at": step.requested_at or ""}}

    def _adopt_earlier(self, step: Any, intent: dict[str, Any], ref: dict[str, Any]) -> bool:
        """Look through the step's channel since the intent was recorded; keep the message of
        this very request, close every other request of this post and step found there."""
        from chalicelib.adapters.slack import blocks

        since = float(intent.get("since") or 0) - LOOKBACK_SECONDS
        mine, others = None, []
        cursor = None
        for _ in range(HISTORY_PAGES):
            page = self.client.conversations_history(
                channel=intent.get("channel") or ref["channel"], oldest=f"{max(since, 0):.6f}",
                limit=HISTORY_PAGE, include_all_metadata=True, **({"cursor": cursor} if cursor else {}))
            for found in page.get("messages") or []:
                meta = found.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") != REQUEST_EVENT or payload.get("post_id") != self.post.id \
                        or payload.get("step") != step.name:
                    continue
                if mine is None and payload.get("content_hash") == ref["content_hash"] \
                        and payload.get("requested_at") == (ref["requested_at"] or ""):
                    mine = found
                else:
                    others.append((found, payload))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        channel = intent.get("channel") or ref["channel"]
        for found, payload in others:
            reason = "duplicate" if payload.get("content_hash") == ref["content_hash"] else "edited"
            closed = blocks.RequestState(False, blocks.voided_line(reason, self.lang))
            stale = {"channel": channel, "ts": found["ts"], "content_hash": payload.get("content_hash")}
            self._tolerant(functools.partial(self._rewrite, step.name, stale, closed, "voided",
                                             remember=False))
        if mine is None:
            return False
        log.info("lost request adopted", extra={"post_id": self.post.id, "step": step.name})
        self.repo.save_ref(self.post.id, request_ref(step.name),
                           {**ref, "channel": channel, "ts": mine["ts"], "state": "open"})
        return True

    def _tolerant_find(self, call: Callable[[], bool]) -> bool:
        """Not finding the earlier message (history not readable) means posting anew."""
        from slack_sdk.errors import SlackApiError

        from chalicelib.adapters.slack.client import is_transient

        try:
            return call()
        except SlackApiError as err:
            if is_transient(err):
                raise
            log.warning("earlier request not looked up", extra={"post_id": self.post.id,
                                                                 "error": _error_code(err)})
            return False

    def _void_stale_approvals(self) -> None:
        """Requests that show a decision on an earlier text say that the text changed since,
        so nobody reads a stale approval in the channel."""
        from chalicelib.adapters.slack import blocks

        line = (blocks.escape(texts.tr("approval_voided", self.lang, version=str(self.post.version))),)
        for name, ref in list(self.refs.items()):
            if not name.startswith(request_ref("")) or ref.get("state") != "decided" \
                    or ref.get("decision", "approve") != "approve" or not ref.get("ts") \
                    or ref.get("content_hash") == self.post.content_hash:
                continue
            voided = blocks.RequestState(False, line)
            self._tolerant(functools.partial(self._rewrite, name.removeprefix(request_ref("")), ref,
                                             voided, "voided"))

    def review_voided(self, message: ev.ReviewVoided) -> None:
        from chalicelib.adapters.slack import blocks

        ref = self.refs.get(request_ref(message.step))
        if ref and ref.get("state") == "open":
            state = blocks.RequestState(False, blocks.voided_line(message.reason, self.lang))
            self._rewrite(message.step, ref, state, "voided")
        self._void_stale_approvals()

    def decision_recorded(self, message: ev.DecisionRecorded) -> None:
        from chalicelib.adapters.slack import blocks

        step = self._step(message.step)
        ref = self.refs.get(request_ref(message.step))
        if step is not None and ref and ref.get("ts"):
            ref = {**ref, "decision": message.decision, "as_deputy_for": message.as_deputy_for}
            decided_at = parse_time(step.decided_at) if step.decided_by == message.reviewer_id else None
            lines = blocks.decision_line(message.decision, message.reviewer_id, decided_at or self.now,
                                         message.comment, self.workflow, self.lang,
                                         as_deputy_for=message.as_deputy_for,
                                         **self._details(message))
            still_open = (self.post.status is Status.IN_REVIEW and step.status is StepStatus.PENDING
                          and step.requested_hash == ref.get("content_hash"))
            if still_open:
                approvers = [a.reviewer_id for a in step.approvals
                             if a.content_hash == self.post.content_hash]
                required = self.post.approvals_needed(step, self.workflow) or 1
                lines += (blocks.approvals_line(approvers, required, self.lang),)
            decided = ref
            state = blocks.RequestState(still_open, lines, hold_only=self._holdable(step, ref))
            self._tolerant(lambda: self._rewrite(message.step, decided, state,
                                                 "open" if still_open else "decided"))
        label = step.label if step is not None else message.step
        text = blocks.with_mention(f"dm_decided_{message.decision}", self.lang, message.reviewer_id,
                                   title=blocks.title_of(self.post), step=label)
        details = blocks.detail_lines(self.workflow, self.lang, **self._details(message))
        if message.as_deputy_for:
            details.insert(0, blocks.as_deputy(message.reviewer_id, message.as_deputy_for,
                                               self.lang))
        if details:
            text += "\n" + "\n".join(details)
        if message.comment.strip():
            text += "\n" + "\n".join("> " + line for line in blocks.escape(message.comment).splitlines())
        self._dm(text)

    @staticmethod
    def _details(message: ev.DecisionRecorded) -> dict[str, Any]:
        return {"labels": tuple(getattr(message, "labels", ()) or ()),
                "quote": getattr(message, "quote", None),
                "checklist": tuple(getattr(message, "checklist", ()) or ()),
                "step": message.step}

    def _holdable(self, step: Any, ref: dict[str, Any]) -> bool:
        """A closed request still offers Hold while its approval stands and the post has not
        gone out: an approved step of a post in review or scheduled, on the content shown."""
        return (self.post.status in (Status.IN_REVIEW, Status.SCHEDULED)
                and step.status is StepStatus.APPROVED
                and ref.get("content_hash") == self.post.content_hash)

    # -- holds and deadlines ------------------------------------------------------------------

    def hold_changed(self, step_name: str, by: str, reason: str | None) -> None:
        """A hold placed (``reason``) or released: said in the request's thread, shown on the
        request, and the author told who holds and why."""
        from chalicelib.adapters.slack import blocks

        step = self._step(step_name)
        label = step.label if step is not None else step_name
        title = blocks.title_of(self.post)
        ref = self.refs.get(request_ref(step_name))
        if reason is not None:
            thread = blocks.with_mention("hold_placed_thread", self.lang, by, reason=reason[:1000])
            dm = blocks.with_mention("dm_hold_placed", self.lang, by, title=title, step=label,
                                     reason=reason[:1000])
        else:
            thread = blocks.with_mention("hold_released_thread", self.lang, by)
            dm = blocks.with_mention("dm_hold_released", self.lang, by, title=title, step=label)
        if step is not None and ref and ref.get("ts"):
            self.client.chat_postMessage(channel=ref["channel"], thread_ts=ref["ts"], text=thread,
                                         unfurl_links=False, unfurl_media=False)
            current = ref
            self._tolerant(lambda: self._rewrite(step_name, current, self._state_now(step, current),
                                                 str(current.get("state") or "open")))
        self._dm(dm)

    def _state_now(self, step: Any, ref: dict[str, Any]) -> Any:
        """What the request shows besides the post, rebuilt from the stored post."""
        from chalicelib.adapters.slack import blocks

        open_now = (ref.get("state") == "open" and self.post.status is Status.IN_REVIEW
                    and step.status is StepStatus.PENDING
                    and step.requested_hash == ref.get("content_hash"))
        lines: tuple[str, ...] = ()
        if open_now:
            approvers = [a.reviewer_id for a in step.approvals
                         if a.content_hash == self.post.content_hash]
            if approvers:
                required = self.post.approvals_needed(step, self.workflow) or 1
                lines = (blocks.approvals_line(approvers, required, self.lang),)
            return blocks.RequestState(True, lines)
        decided_at = parse_time(step.decided_at)
        decision = str(ref.get("decision") or "")
        if step.decided_by and decided_at and decision:
            lines = blocks.decision_line(
                decision, step.decided_by, decided_at, step.comment or "", self.workflow, self.lang,
                labels=tuple(getattr(step, "labels", ()) or ()), quote=getattr(step, "quote", None),
                checklist=tuple(getattr(step, "checklist", ()) or ()), step=step.name,
                as_deputy_for=ref.get("as_deputy_for"))
        return blocks.RequestState(False, lines, hold_only=self._holdable(step, ref))

    def overdue(self, message: ev.ReviewOverdue) -> None:
        """Once per request past its due time: a direct message to a user, a mention of a user
        group in the step's channel, or a message in a channel (none named: the step's own)."""
        from chalicelib.adapters.slack import blocks

        step = self._step(message.step)
        if step is None:
            return
        due = parse_time(getattr(step, "due_at", None)) or self.now
        target = message.escalate_to or ""
        step_channel = self.routing.channel_for(step.name) if step.name in \
            self.routing.step_channels else None
        channel: str | None
        if target[:1] in ("U", "W"):
            channel, who = target, blocks.escape(texts.tr("overdue_you", self.lang))
        elif target[:1] == "S":
            channel, who = step_channel, f"<!subteam^{target}>"
        elif target[:1] in ("C", "G"):
            channel, who = target, ""
        else:
            channel, who = step_channel, ""
        if channel is None:
            log.warning("overdue review has nowhere to go", extra={"post_id": self.post.id,
                                                                   "step": step.name})
            return
        marker = "\x00"
        text = blocks.escape(texts.tr(
            "overdue_notice", self.lang, step=step.label, title=blocks.title_of(self.post),
            when=texts.when(due, self.workflow.timezone, self.lang), who=marker)).replace(marker, who)
        ref = self.refs.get(request_ref(step.name))
        link = self._permalink(ref)
        if link:
            text += f"\n<{link}|{blocks.escape(texts.tr('request_header', self.lang, step=step.label))}>"
        self.client.chat_postMessage(channel=channel, text=text.strip(), unfurl_links=False,
                                     unfurl_media=False)

    def _permalink(self, ref: dict[str, Any] | None) -> str | None:
        from slack_sdk.errors import SlackApiError

        if not ref or not ref.get("ts"):
            return None
        try:
            answer = self.client.chat_getPermalink(channel=ref["channel"], message_ts=ref["ts"])
        except SlackApiError:
            return None
        link = str(answer.get("permalink") or "")
        return link if link.startswith("https://") or link.startswith("http://") else None

    def _rewrite(self, step_name: str, ref: dict[str, Any], state: Any, new_state: str,
                 remember: bool = True) -> None:
        """Show the request's new state in place: same message, buttons only while open."""
        from chalicelib.adapters.slack import blocks

        step = self._step(step_name)
        if step is None:
            return
        same_text = ref.get("content_hash") == self.post.content_hash
        text, body = blocks.review_request(self.post, step, self.workflow, self.lang, state,
                                           with_text=same_text,
                                           seen=self._seen(step) if same_text else None,
                                           images=self.images() if same_text else None)
        if state.buttons and not same_text:
            return  # never offer buttons under a text that is not the one they decide on
        self.client.chat_update(channel=ref["channel"], ts=ref["ts"], text=text, blocks=body)
        if not remember:
            return
        updated = {**ref, "state": new_state}
        self.repo.save_ref(self.post.id, request_ref(step_name), updated)
        self.refs[request_ref(step_name)] = updated

    # -- publication --------------------------------------------------------------------------

    def scheduled(self, message: ev.PostScheduled) -> None:
        from chalicelib.adapters.slack import blocks

        self._void_stale_approvals()  # an edit that needs no new review still voided them
        title = blocks.title_of(self.post)
        at = parse_time(message.publish_at)
        if at is not None and at > self.now:
            when = texts.when(at, self.workflow.timezone, self.lang)
            self._dm(blocks.escape(texts.tr("dm_scheduled", self.lang, title=title, when=when)))
        else:
            self._dm(blocks.escape(texts.tr("dm_scheduled_now", self.lang, title=title)))

    def settled(self) -> None:
        from chalicelib.adapters.slack import blocks

        retry = self.post.retryable_channels() if self.post.status in RETRYABLE else []
        text, body = blocks.results_message(self.post, self.lang, retry)
        self._reply_in_threads(text, body)
        text, body = blocks.results_message(self.post, self.lang, [])
        self._dm(text, body)

    def expired(self, message: ev.PostExpired) -> None:
        """Not approved in time: said in each request's thread, in the channel of a step whose
        request is not there to reply to, and to the author."""
        from chalicelib.adapters.slack import blocks

        self._reply_in_threads(*blocks.notice(blocks.escape(texts.tr("expired_header", self.lang))))
        title = blocks.title_of(self.post)
        for name in getattr(message, "steps", ()) or ():
            ref = self.refs.get(request_ref(name))
            if (ref and ref.get("ts")) or name not in self.routing.step_channels:
                continue
            step = self._step(name)
            text = blocks.escape(texts.tr("expired_channel", self.lang, title=title,
                                          step=step.label if step is not None else name))
            self.client.chat_postMessage(channel=self.routing.channel_for(name), text=text,
                                         unfurl_links=False, unfurl_media=False)
        self._dm(blocks.escape(texts.tr("dm_expired", self.lang, title=title)))

    def channels_not_connected(self, message: ev.ChannelsNotConnected) -> None:
        """Due but held back for channels that are not connected: the author hears it (the
        admins are told by the tick)."""
        from chalicelib.adapters.slack import blocks

        self._dm(blocks.escape(texts.tr("dm_channels_not_connected", self.lang,
                                        title=blocks.title_of(self.post),
                                        channels=", ".join(message.channels))))

    def _reply_in_threads(self, text: str, body: list[dict[str, Any]]) -> None:
        for step in self.post.steps:
            ref = self.refs.get(request_ref(step.name))
            if ref and ref.get("ts"):
                self.client.chat_postMessage(channel=ref["channel"], thread_ts=ref["ts"], text=text,
                                             blocks=body, unfurl_links=False, unfurl_media=False)

    # -- helpers ------------------------------------------------------------------------------

    def _tolerant(self, call: Callable[[], None]) -> None:
        """A message that cannot be updated for good (deleted, archived channel) must not
        keep the author from hearing the news: log it and go on; retryable errors still raise."""
        from slack_sdk.errors import SlackApiError

        from chalicelib.adapters.slack.client import is_transient

        try:
            call()
        except SlackApiError as err:
            if is_transient(err):
                raise
            log.warning("request message not updated", extra={"post_id": self.post.id,
                                                                "error": _error_code(err)})

    def _seen(self, step: Any) -> dict[str, Any] | None:
        """The content the step last reviewed, read by its hash, when it differs from now."""
        if not step.seen_hash or step.seen_hash == self.post.content_hash:
            return None
        seen = self.repo.content_version(self.post.id, step.seen_hash)
        return seen.to_dict() if seen else None

    def _step(self, name: str) -> Any:
        try:
            return self.post.step(name)
        except DomainError:
            return None

    def _dm(self, text: str, body: list[dict[str, Any]] | None = None) -> None:
        user = self.directory.user_for_email(self.post.author)
        if user is None:
            log.info("author has no Slack account; no direct message", extra={"post_id": self.post.id})
            return
        kwargs: dict[str, Any] = {"blocks": body} if body else {}
        self.client.chat_postMessage(channel=self.directory.dm_channel(user), text=text,
                                     unfurl_links=False, unfurl_media=False, **kwargs)


__all__ = ["SlackNotifier", "SlackPorts"]
