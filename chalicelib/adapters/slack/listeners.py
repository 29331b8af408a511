"""Bolt listeners: what a click, a modal, a slash command or opening App Home does. Each parses
Slack's payload, calls a use case, and renders the answer; the use cases live in services/.

Everything here runs before the acknowledgement (process_before_response): a decision is one
conditional write, so it is recorded right here and a double click or Slack's resend finds it
already there. Messages about it (the updated request, the author's DM) come from the table's
stream (notifier.py), not from this path; only refreshing App Home runs as a lazy listener.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.slack import blocks, commands, home
from chalicelib.adapters.slack.codec import ModalState, PublicationTarget, ReviewTarget
from chalicelib.adapters.slack.deps import SlackServices, services_of
from chalicelib.adapters.slack.directory import GroupsUnavailable
from chalicelib.adapters.slack.files import images_of
from chalicelib.adapters.slack.texts import has, status_name, tr
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, NotEligible, NotFound
from chalicelib.domain.post import Reviewer

log = logging.getLogger("freigabe.slack")


@dataclass(frozen=True)
class Click:
    user: str
    channel: str | None  # None when clicked in App Home: explanations go to the DM
    trigger_id: str
    value: str

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        actions = body.get("actions") or [{}]
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        return cls(user=str((body.get("user") or {}).get("id") or ""),
                   channel=str(channel) if container.get("type") == "message" and channel else None,
                   trigger_id=str(body.get("trigger_id") or ""),
                   value=str(actions[0].get("value") or ""))


def register(app: Any) -> None:
    for action_id, decision in blocks.DECISION_ACTIONS.items():
        listener = _decision_listener(decision)
        # Bolt runs the first listener that matches: clicks in App Home also refresh it.
        app.action(action_id, matchers=[_in_app_home])(ack=listener, lazy=[refresh_home])
        app.action(action_id)(listener)
    app.action(blocks.REVIEW, matchers=[_in_app_home])(ack=on_review, lazy=[refresh_home])
    app.action(blocks.REVIEW)(on_review)
    app.view(blocks.REVIEW_MODAL)(ack=on_review_submission, lazy=[refresh_home])
    app.action(blocks.RETRY)(on_retry)
    app.action(re.compile(f"^{blocks.MARK_PUBLISHED}:"))(on_mark_published)
    app.view(blocks.DECISION_MODAL)(on_submission)
    app.command("/freigabe")(on_command)
    app.event("app_home_opened")(ack=_ack_only, lazy=[publish_home])


def _in_app_home(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view"


def _ack_only(ack: Any) -> None:
    ack()


# -- decisions --------------------------------------------------------------------------------


def _decision_listener(decision: str) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
        ack()
        decide_click(services_of(context), client, Click.of(body), decision)

    listener.__name__ = listener.__qualname__ = f"on_{decision}"
    return listener


def _on_review_button(services: SlackServices, client: Any, click: Click,
                      act: Callable[[ReviewTarget, Reviewer, str], None]) -> None:
    """What every button on a review request shares: read the button we wrote, find the
    person behind the click, run ``act(target, reviewer, lang)`` and explain any refusal."""
    lang: str = services.context.workflow.language
    try:
        target = ReviewTarget.decode(click.value)
    except (ValueError, TypeError):
        explain(services, client, click.user, click.channel, blocks.escape(tr("broken_button", lang)))
        return
    try:
        reviewer, lang = _reviewer(services, click.user, lang)
        act(target, reviewer, lang)
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        _refuse(services, client, err, click.user, click.channel, lang)


def decide_click(services: SlackServices, client: Any, click: Click, decision: str) -> None:
    """Approve records at once; the others first check the person may decide, then ask
    for the comment in a modal (the trigger_id is only valid for 3 seconds)."""
    from chalicelib.services import review, review_desk

    ctx = services.context

    def act(target: ReviewTarget, reviewer: Reviewer, lang: str) -> None:
        if decision == "approve":
            outcome = review.decide(ctx, target.post_id, target.step, reviewer, decision,
                                    target.content_hash, "", services.directory)
            log.info("decision", extra={"post_id": target.post_id, "step": target.step,
                                        "decision": decision, "user": click.user,
                                        "recorded": outcome.recorded})
            return
        post, fresh = review_desk.check_decision(ctx, target.post_id, target.step, reviewer, decision,
                                                 target.content_hash, services.directory)
        if not fresh:
            return
        metadata = ModalState(target, decision, click.channel, lang).encode()
        client.views_open(trigger_id=click.trigger_id, view=blocks.decision_modal(
            post, post.step(target.step), decision, lang, metadata))

    _on_review_button(services, client, click, act)


def on_review(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    """Review: the whole content in a modal, whose submit approves exactly what it showed."""
    from chalicelib.services import review_desk

    ack()
    services, click = services_of(context), Click.of(body)
    ctx = services.context

    def act(target: ReviewTarget, reviewer: Reviewer, lang: str) -> None:
        post, fresh = review_desk.check_decision(ctx, target.post_id, target.step, reviewer, "approve",
                                                 target.content_hash, services.directory)
        if not fresh:
            return
        if post.content_hash != target.content_hash:  # never show one version, approve another
            raise NotEligible("stale_content")
        metadata = ModalState(target, "approve", click.channel, lang).encode()
        # The images as the review request showed them (Slack files uploaded once per image).
        images = images_of(client, ctx.media, ctx.repo, post.id, post.content.media)
        client.views_open(trigger_id=click.trigger_id, view=blocks.review_modal(
            post, post.step(target.step), ctx.workflow, lang, metadata, images=images))

    _on_review_button(services, client, click, act)


def on_review_submission(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any,
                         client: Any) -> None:
    """Approve from the review modal: bound to the hash of the content the modal showed."""
    from chalicelib.services import review

    ack()
    services = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    try:
        state = ModalState.decode(view.get("private_metadata") or "")
    except (ValueError, TypeError):
        return
    if state.decision != "approve":
        return
    target, lang = state.target, state.lang
    try:
        reviewer, lang = _reviewer(services, user, lang)
        outcome = review.decide(services.context, target.post_id, target.step, reviewer, "approve",
                                target.content_hash, "", services.directory)
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        _refuse(services, client, err, user, state.channel, lang)
        return
    log.info("decision", extra={"post_id": target.post_id, "step": target.step,
                                "decision": "approve", "user": user, "recorded": outcome.recorded})


def on_submission(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any,
                  client: Any) -> None:
    from chalicelib.services import review

    services = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    try:
        state = ModalState.decode(view.get("private_metadata") or "")
    except (ValueError, TypeError):
        ack()
        return
    if state.decision not in ("request_changes", "reject"):  # the modal only ever asks for these
        ack()
        return
    lang, target = state.lang, state.target
    values = (view.get("state") or {}).get("values") or {}
    comment = str(((values.get(blocks.COMMENT_BLOCK) or {}).get(blocks.COMMENT_ACTION) or {})
                  .get("value") or "")
    if not comment.strip():
        ack(response_action="errors", errors={blocks.COMMENT_BLOCK: tr("comment_required", lang)})
        return
    try:
        reviewer, lang = _reviewer(services, user, lang)
        outcome = review.decide(services.context, target.post_id, target.step, reviewer,
                                state.decision, target.content_hash, comment.strip(),
                                services.directory)
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        if isinstance(err, NotEligible) and err.key == "comment_required":
            ack(response_action="errors", errors={blocks.COMMENT_BLOCK: tr("comment_required", lang)})
            return
        ack()
        _refuse(services, client, err, user, state.channel, lang)
        return
    ack()
    log.info("decision", extra={"post_id": target.post_id, "step": target.step,
                                "decision": state.decision, "user": user,
                                "recorded": outcome.recorded})


def _reviewer(services: SlackServices, user_id: str, lang: str) -> tuple[Reviewer, str]:
    """The person behind a click, with the profile email the author check needs."""
    profile = services.directory.profile(user_id)
    if not profile.email:
        raise NotEligible("no_email")
    return Reviewer(user_id, profile.email), profile.language(lang)


def _refuse(services: SlackServices, client: Any, err: Exception, user: str, channel: str | None,
            lang: str) -> None:
    """Tell the person why nothing happened; anything unexpected is raised on."""
    from chalicelib.adapters.slack.client import is_transient

    params: dict[str, Any] = {}
    if isinstance(err, NotEligible):
        key, params = err.key, dict(err.params)
        if "status" in params:
            params["status"] = status_name(str(params["status"]), lang)
    elif isinstance(err, NotFound):
        key = "post_not_found"
    elif isinstance(err, Conflict):
        key = "busy"
    elif isinstance(err, GroupsUnavailable):
        key = "groups_unavailable"
    elif is_transient(err) or _is_slack_error(err):
        key = "slack_unavailable"
    else:
        raise err
    log.info("refused", extra={"user": user, "reason": key, "error": type(err).__name__})
    said = tr(key if has(key) else "refused", lang, **params)
    explain(services, client, user, channel, blocks.escape(said))


def _is_slack_error(err: Exception) -> bool:
    from slack_sdk.errors import SlackClientError

    return isinstance(err, SlackClientError)


def explain(services: SlackServices, client: Any, user: str, channel: str | None, text: str) -> None:
    """An ephemeral message only that person sees: in the channel clicked in, else in the
    app's DM with them (clicks in App Home have no channel)."""
    from slack_sdk.errors import SlackClientError

    try:
        where = channel or services.directory.dm_channel(user)
        client.chat_postEphemeral(channel=where, user=user, text=text)
    except (SlackClientError, OSError) as err:
        log.warning("explanation not delivered", extra={"user": user, "error": type(err).__name__})


# -- retry, commands, App Home ----------------------------------------------------------------


def _admin_action(services: SlackServices, client: Any, body: dict[str, Any],
                  act: Callable[[str, PublicationTarget], str]) -> None:
    """A publication button only admins may press: read the button's value, run
    ``act(admin, target)`` (which checks the admin) and tell the admin what it said (or why
    it could not)."""
    from chalicelib.i18n import t

    click = Click.of(body)
    lang = services.context.workflow.language
    try:
        target = PublicationTarget.decode(click.value)
    except (ValueError, TypeError):
        target = None
    try:
        if target is None:
            from chalicelib.services import admin

            admin.require_admin(services.context.workflow, click.user)  # the first thing said
            explain(services, client, click.user, click.channel, blocks.escape(tr("broken_button", lang)))
            return
        said = act(click.user, target)
    except Forbidden:
        explain(services, client, click.user, click.channel, blocks.escape(tr("retry_hint", lang)))
        return
    except DomainError as err:
        reason = t(err.key, lang, **err.params)
        explain(services, client, click.user, click.channel,
                blocks.escape(tr("retry_refused", lang, reason=reason)))
        return
    names = ", ".join(target.channels)
    explain(services, client, click.user, click.channel,
            blocks.escape(tr(said, lang, channels=names, channel=names)))


def on_retry(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    from chalicelib.services import admin

    ack()
    services = services_of(context)

    def retry(user: str, target: PublicationTarget) -> str:
        admin.retry_publication(services.admin, target.post_id, list(target.channels), user)
        log.info("retry requested", extra={"post_id": target.post_id, "user": user})
        return "retry_started"

    _admin_action(services, client, body, retry)


def on_mark_published(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    """An admin confirms that a channel whose result was unknown did go out."""
    from chalicelib.services import admin

    ack()
    services = services_of(context)

    def mark(user: str, target: PublicationTarget) -> str:
        channel = target.channels[0]
        admin.mark_published(services.admin, target.post_id, channel, user)
        log.info("marked published", extra={"post_id": target.post_id, "channel": channel,
                                            "user": user})
        return "marked_published"

    _admin_action(services, client, body, mark)


def on_command(ack: Any, body: dict[str, Any], context: Any) -> None:
    services = services_of(context)
    user = str(body.get("user_id") or "")
    lang: str = services.context.workflow.language
    try:
        lang = services.directory.profile(user).language(lang)
    except Exception as err:
        if not (_is_slack_error(err) or isinstance(err, OSError)):
            raise
    text, answer = commands.answer(services, user, str(body.get("text") or ""), lang)
    ack(text=text, blocks=answer)


def publish_home(event: dict[str, Any], context: Any, client: Any) -> None:
    if event.get("tab", "home") == "home" and event.get("user"):
        home.publish(services_of(context), client, str(event["user"]))


def refresh_home(body: dict[str, Any], context: Any, client: Any) -> None:
    user = (body.get("user") or {}).get("id")
    if user:
        home.publish(services_of(context), client, str(user))
