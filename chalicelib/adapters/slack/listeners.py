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

from chalicelib.adapters.slack import answers, blocks, commands, conversation, home
from chalicelib.adapters.slack.codec import ModalState, PublicationTarget, ReviewTarget
from chalicelib.adapters.slack.deps import SlackServices, services_of
from chalicelib.adapters.slack.directory import GroupsUnavailable
from chalicelib.adapters.slack.files import images_of
from chalicelib.adapters.slack.texts import has, status_name, tr
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotEligible,
    NotFound,
)
from chalicelib.domain.post import Post, Reviewer

log = logging.getLogger("freigabe.slack")


def foreign_team(body: dict[str, Any]) -> str | None:
    """The team of a person from another company in a Slack Connect channel (their
    ``user.team_id`` differs from the workspace's); None for the workspace's own members."""
    team = str((body.get("user") or {}).get("team_id") or "")
    home = str((body.get("team") or {}).get("id") or "")
    return team if team and home and team != home else None


@dataclass(frozen=True)
class Click:
    user: str
    channel: str | None  # None when clicked in App Home: explanations go to the DM
    trigger_id: str
    value: str
    team: str | None = None  # another company's team (Slack Connect), else None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        actions = body.get("actions") or [{}]
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        return cls(user=str((body.get("user") or {}).get("id") or ""),
                   channel=str(channel) if container.get("type") == "message" and channel else None,
                   trigger_id=str(body.get("trigger_id") or ""),
                   value=str(actions[0].get("value") or ""),
                   team=foreign_team(body))


def register(app: Any) -> None:
    for action_id, decision in blocks.DECISION_ACTIONS.items():
        listener = _decision_listener(decision)
        # Bolt runs the first listener that matches: clicks in App Home also refresh it.
        app.action(action_id, matchers=[_in_app_home])(ack=listener, lazy=[refresh_home])
        app.action(action_id)(listener)
    app.action(blocks.REVIEW, matchers=[_in_app_home])(ack=on_review, lazy=[refresh_home])
    app.action(blocks.REVIEW)(on_review)
    hold = _decision_listener("hold")
    app.action(blocks.HOLD, matchers=[_in_app_home])(ack=hold, lazy=[refresh_home])
    app.action(blocks.HOLD)(hold)
    app.action(blocks.RELEASE, matchers=[_in_app_home])(ack=on_release, lazy=[refresh_home])
    app.action(blocks.RELEASE)(on_release)
    app.view(blocks.REVIEW_MODAL)(ack=on_review_submission, lazy=[refresh_home])
    app.action(blocks.RETRY)(on_retry)
    app.action(re.compile(f"^{blocks.MARK_PUBLISHED}:"))(on_mark_published)
    app.view(blocks.DECISION_MODAL)(on_submission)
    app.command("/freigabe")(on_command)
    app.action(conversation.DONE)(conversation.on_done)
    answers.register(app)  # Answer: the modal and its draft
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
        reviewer, lang = _reviewer(services, click.user, lang, click.team)
        act(target, reviewer, lang)
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        _refuse(services, client, err, click.user, click.channel, lang)


# What a decision modal still has to supply: a trial decision refused only for one of these
# would be taken once the modal is filled in.
MODAL_SUPPLIES = frozenset({"comment_required", "label_required", "checklist_incomplete",
                            "reason_required"})


def decide_click(services: SlackServices, client: Any, click: Click, decision: str) -> None:
    """Approve without a checklist records at once; everything else first checks the person
    may decide (or hold), then asks in a modal for what the decision needs: a comment and
    reasons, a reason to hold, the checklist (the trigger_id is only valid for 3 seconds)."""
    from chalicelib.services import review

    ctx = services.context

    def act(target: ReviewTarget, reviewer: Reviewer, lang: str) -> None:
        checklist = blocks.checklist_items(ctx.workflow, target.step)
        if decision == "approve" and not checklist:
            outcome = review.decide(ctx, target.post_id, target.step, reviewer, decision,
                                    target.content_hash, "", services.directory)
            log.info("decision", extra={"post_id": target.post_id, "step": target.step,
                                        "decision": decision, "user": click.user,
                                        "recorded": outcome.recorded})
            return
        post, fresh = _check(services, target, reviewer, decision)
        if not fresh:
            return
        metadata = ModalState(target, decision, click.channel, lang).encode()
        client.views_open(trigger_id=click.trigger_id, view=blocks.decision_modal(
            post, post.step(target.step), decision, lang, metadata, ctx.workflow))

    _on_review_button(services, client, click, act)


def _check(services: SlackServices, target: ReviewTarget, reviewer: Reviewer,
           decision: str) -> tuple[Post, bool]:
    """Whether the decision (or hold) would be taken, before its modal opens: the post, and
    False when it already is. Raises NotEligible as the real one would; changes nothing."""
    import copy

    from chalicelib.services import deputies, review, review_desk

    ctx = services.context
    if decision == "hold":
        post = ctx.repo.get(target.post_id)
        try:
            eligible = review.eligible_reviewers(ctx, services.directory, target.step)
        except KeyError:
            eligible = frozenset()
        eligible, _ = deputies.widened(ctx, reviewer, eligible, post)  # a deputy may hold too
        trial = copy.deepcopy(post)
        return post, trial.hold(ctx.workflow, target.step, reviewer, "(reason follows)",
                                ctx.clock(), eligible, content_hash=target.content_hash)
    try:
        return review_desk.check_decision(ctx, target.post_id, target.step, reviewer, decision,
                                          target.content_hash, services.directory)
    except NotEligible as err:
        if err.key not in MODAL_SUPPLIES:
            raise
        return ctx.repo.get(target.post_id), True


def on_release(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    """Release a hold: the holder, any reviewer of that step or an admin (the use case says)."""
    from chalicelib.services import review

    ack()
    services, click = services_of(context), Click.of(body)

    def act(target: ReviewTarget, reviewer: Reviewer, lang: str) -> None:
        review.release(services.context, target.post_id, target.step, reviewer.slack_id,
                       services.directory)
        log.info("hold released", extra={"post_id": target.post_id, "step": target.step,
                                         "user": click.user})
        explain(services, client, click.user, click.channel, blocks.escape(tr("released", lang)))

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
        reviewer, lang = _reviewer(services, user, lang, foreign_team(body))
        outcome = review.decide(services.context, target.post_id, target.step, reviewer, "approve",
                                target.content_hash, "", services.directory,
                                checklist=_chosen(view, blocks.CHECKLIST_BLOCK, blocks.CHECKLIST_ACTION))
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        _refuse(services, client, err, user, state.channel, lang)
        return
    log.info("decision", extra={"post_id": target.post_id, "step": target.step,
                                "decision": "approve", "user": user, "recorded": outcome.recorded})


# Which modal field a refusal belongs to: shown under it, the modal stays open.
FIELD_OF = {"comment_required": blocks.COMMENT_BLOCK, "reason_required": blocks.COMMENT_BLOCK,
            "label_required": blocks.LABELS_BLOCK, "unknown_label": blocks.LABELS_BLOCK,
            "quote_not_in_text": blocks.QUOTE_BLOCK, "checklist_incomplete": blocks.CHECKLIST_BLOCK,
            "unknown_checklist_item": blocks.CHECKLIST_BLOCK}


def _typed(view: dict[str, Any], block: str, action: str) -> str:
    values = (view.get("state") or {}).get("values") or {}
    return str(((values.get(block) or {}).get(action) or {}).get("value") or "")


def _chosen(view: dict[str, Any], block: str, action: str) -> tuple[str, ...]:
    """The values of the options chosen in a multi select or checkboxes."""
    values = (view.get("state") or {}).get("values") or {}
    options = ((values.get(block) or {}).get(action) or {}).get("selected_options") or []
    return tuple(str(option.get("value")) for option in options if isinstance(option, dict))


def on_submission(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any,
                  client: Any) -> None:
    """The decision modal: Request changes / Reject (comment, labels, quote), Hold (reason),
    Approve with the step's checklist. A refusal that concerns a field is shown under it."""
    from chalicelib.services import review

    services = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    try:
        state = ModalState.decode(view.get("private_metadata") or "")
    except (ValueError, TypeError):
        ack()
        return
    if state.decision not in ("request_changes", "reject", "hold", "approve"):
        ack()
        return
    lang, target, decision = state.lang, state.target, state.decision
    comment = _typed(view, blocks.COMMENT_BLOCK, blocks.COMMENT_ACTION).strip()
    if decision != "approve" and not comment:
        key = "reason_required" if decision == "hold" else "comment_required"
        ack(response_action="errors", errors={blocks.COMMENT_BLOCK: tr(key, lang)})
        return
    try:
        reviewer, lang = _reviewer(services, user, lang, foreign_team(body))
        if decision == "hold":
            review.hold(services.context, target.post_id, target.step, reviewer, comment,
                        target.content_hash, services.directory)
            recorded = True
        else:
            quote = _typed(view, blocks.QUOTE_BLOCK, blocks.QUOTE_ACTION).strip() or None
            outcome = review.decide(
                services.context, target.post_id, target.step, reviewer, decision,
                target.content_hash, comment, services.directory,
                labels=_chosen(view, blocks.LABELS_BLOCK, blocks.LABELS_ACTION), quote=quote,
                checklist=_chosen(view, blocks.CHECKLIST_BLOCK, blocks.CHECKLIST_ACTION))
            recorded = outcome.recorded
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        if isinstance(err, NotEligible) and err.key in FIELD_OF:
            ack(response_action="errors",
                errors={FIELD_OF[err.key]: tr(err.key, lang, **err.params)})
            return
        ack()
        _refuse(services, client, err, user, state.channel, lang)
        return
    ack()
    log.info("decision", extra={"post_id": target.post_id, "step": target.step,
                                "decision": decision, "user": user, "recorded": recorded})


def _reviewer(services: SlackServices, user_id: str, lang: str,
              team: str | None = None) -> tuple[Reviewer, str]:
    """The person behind a click, with the profile email the author check needs. A member of
    another company (``team``: Slack Connect) is bound by team and user id instead, since
    their organisation may hide their e-mail; they are never the author."""
    profile = services.directory.profile(user_id)
    if team is not None:
        return Reviewer(user_id, profile.email, team_id=team), profile.language(lang)
    if not profile.email:
        raise NotEligible("no_email")
    return Reviewer(user_id, profile.email), profile.language(lang)


def _refuse(services: SlackServices, client: Any, err: Exception, user: str, channel: str | None,
            lang: str) -> None:
    """Tell the person why nothing happened; anything unexpected is raised on."""
    from chalicelib.adapters.slack.client import is_transient

    params: dict[str, Any] = {}
    if isinstance(err, NotEligible | InvalidTransition):
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
