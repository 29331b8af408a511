"""Bolt listeners: what a click, a modal, a slash command or opening App Home does.

Everything here runs before the acknowledgement (process_before_response): a decision is one
conditional write, so it is recorded right here and a double click or Slack's resend finds it
already there. Messages about it (the updated request, the author's DM) come from the table's
stream (notifier.py), not from this path; only refreshing App Home runs as a lazy listener.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.slack import blocks
from chalicelib.adapters.slack.directory import GroupsUnavailable
from chalicelib.adapters.slack.texts import has, status_name, tr
from chalicelib.domain.errors import Conflict, DomainError, NotEligible, NotFound
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


@dataclass(frozen=True)
class Target:
    post_id: str
    step: str
    content_hash: str

    @classmethod
    def of(cls, value: str) -> Target:
        """The button's value; ValueError for anything we did not write."""
        data = json.loads(value)
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "psh"):
            raise ValueError("not a review button")
        return cls(data["p"], data["s"], data["h"])


def register(app: Any) -> None:
    for action_id, decision in blocks.DECISION_ACTIONS.items():
        listener = _decision_listener(decision)
        # Bolt runs the first listener that matches: clicks in App Home also refresh it.
        app.action(action_id, matchers=[_in_app_home])(ack=listener, lazy=[refresh_home])
        app.action(action_id)(listener)
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
    def listener(ack: Any, body: dict[str, Any]) -> None:
        ack()
        decide_click(Click.of(body), decision)

    listener.__name__ = listener.__qualname__ = f"on_{decision}"
    return listener


def decide_click(click: Click, decision: str) -> None:
    """Approve records at once; the others first check the person may decide, then ask
    for the comment in a modal (the trigger_id is only valid for 3 seconds)."""
    from chalicelib import bootstrap
    from chalicelib.adapters.slack import client
    from chalicelib.services import review, slack_review

    ctx = bootstrap.context()
    lang = ctx.workflow.language
    try:
        target = Target.of(click.value)
    except (ValueError, TypeError):
        explain(click.user, click.channel, blocks.escape(tr("broken_button", lang)))
        return
    try:
        reviewer, lang = _reviewer(click.user, lang)
        if decision == "approve":
            outcome = review.decide(ctx, target.post_id, target.step, reviewer, decision,
                                    target.content_hash, "", client.directory())
            log.info("decision", extra={"post_id": target.post_id, "step": target.step,
                                        "decision": decision, "user": click.user,
                                        "recorded": outcome.recorded})
            return
        post, fresh = slack_review.check_decision(ctx, target.post_id, target.step, reviewer, decision,
                                                  target.content_hash, client.directory())
        if not fresh:
            return
        metadata = json.dumps({"p": target.post_id, "s": target.step, "h": target.content_hash,
                               "d": decision, "c": click.channel, "l": lang}, separators=(",", ":"))
        client.web_client().views_open(trigger_id=click.trigger_id, view=blocks.decision_modal(
            post, post.step(target.step), decision, lang, metadata))
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        _refuse(err, click.user, click.channel, lang)


def on_submission(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
    from chalicelib import bootstrap
    from chalicelib.adapters.slack import client
    from chalicelib.services import review

    user = str((body.get("user") or {}).get("id") or "")
    try:
        meta = json.loads(view.get("private_metadata") or "")
        target = Target.of(json.dumps(meta))
        decision = str(meta["d"])
    except (ValueError, KeyError, TypeError):
        ack()
        return
    if decision not in ("request_changes", "reject"):  # the modal only ever asks for these
        ack()
        return
    lang = str(meta.get("l") or "en")
    values = (view.get("state") or {}).get("values") or {}
    comment = str(((values.get(blocks.COMMENT_BLOCK) or {}).get(blocks.COMMENT_ACTION) or {})
                  .get("value") or "")
    if not comment.strip():
        ack(response_action="errors", errors={blocks.COMMENT_BLOCK: tr("comment_required", lang)})
        return
    ctx = bootstrap.context()
    try:
        reviewer, lang = _reviewer(user, lang)
        outcome = review.decide(ctx, target.post_id, target.step, reviewer, decision,
                                target.content_hash, comment.strip(), client.directory())
    except Exception as err:  # noqa: BLE001 - _refuse raises on what it cannot explain
        if isinstance(err, NotEligible) and err.key == "comment_required":
            ack(response_action="errors", errors={blocks.COMMENT_BLOCK: tr("comment_required", lang)})
            return
        ack()
        _refuse(err, user, meta.get("c"), lang)
        return
    ack()
    log.info("decision", extra={"post_id": target.post_id, "step": target.step, "decision": decision,
                                "user": user, "recorded": outcome.recorded})


def _reviewer(user_id: str, lang: str) -> tuple[Reviewer, str]:
    """The person behind a click, with the profile email the author check needs."""
    from chalicelib.adapters.slack import client

    profile = client.directory().profile(user_id)
    if not profile.email:
        raise NotEligible("no_email")
    return Reviewer(user_id, profile.email), profile.lang or lang


def _refuse(err: Exception, user: str, channel: str | None, lang: str) -> None:
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
    explain(user, channel, blocks.escape(tr(key if has(key) else "refused", lang, **params)))


def _is_slack_error(err: Exception) -> bool:
    from slack_sdk.errors import SlackClientError

    return isinstance(err, SlackClientError)


def explain(user: str, channel: str | None, text: str) -> None:
    """An ephemeral message only that person sees: in the channel clicked in, else in the
    app's DM with them (clicks in App Home have no channel)."""
    from slack_sdk.errors import SlackClientError

    from chalicelib.adapters.slack import client

    try:
        where = channel or client.directory().dm_channel(user)
        client.web_client().chat_postEphemeral(channel=where, user=user, text=text)
    except (SlackClientError, OSError) as err:
        log.warning("explanation not delivered", extra={"user": user, "error": type(err).__name__})


# -- retry, commands, App Home ----------------------------------------------------------------


def _admin_action(ack: Any, body: dict[str, Any],
                  act: Callable[[str, dict[str, Any]], str]) -> None:
    """A publication button only admins may press: check who clicked, read the button's
    value, run ``act(admin, value)`` and tell the admin what it said (or why it could not)."""
    from chalicelib import bootstrap
    from chalicelib.i18n import t

    ack()
    click = Click.of(body)
    workflow = bootstrap.workflow()
    lang = workflow.language
    if click.user not in workflow.admins:
        explain(click.user, click.channel, blocks.escape(tr("retry_hint", lang)))
        return
    try:
        data = json.loads(click.value)
        if not isinstance(data, dict) or "p" not in data or "c" not in data:
            raise ValueError("not a publication button")
    except ValueError:
        explain(click.user, click.channel, blocks.escape(tr("broken_button", lang)))
        return
    try:
        said = act(click.user, data)
    except DomainError as err:
        reason = t(err.key, lang, **err.params)
        explain(click.user, click.channel, blocks.escape(tr("retry_refused", lang, reason=reason)))
        return
    explain(click.user, click.channel, blocks.escape(tr(said, lang, **_said_params(data))))


def _said_params(data: dict[str, Any]) -> dict[str, str]:
    channels = data["c"] if isinstance(data["c"], list) else [data["c"]]
    names = ", ".join(str(c) for c in channels)
    return {"channels": names, "channel": names}


def on_retry(ack: Any, body: dict[str, Any]) -> None:
    from chalicelib import entry_publish

    def retry(admin: str, data: dict[str, Any]) -> str:
        post_id, channels = str(data["p"]), [str(c) for c in data["c"]]
        entry_publish.retry_publication(post_id, channels, admin)
        log.info("retry requested", extra={"post_id": post_id, "user": admin})
        return "retry_started"

    _admin_action(ack, body, retry)


def on_mark_published(ack: Any, body: dict[str, Any]) -> None:
    """An admin confirms that a channel whose result was unknown did go out."""
    from chalicelib import entry_publish

    def mark(admin: str, data: dict[str, Any]) -> str:
        post_id, channel = str(data["p"]), str(data["c"])
        entry_publish.mark_published(post_id, channel, admin)
        log.info("marked published", extra={"post_id": post_id, "channel": channel, "user": admin})
        return "marked_published"

    _admin_action(ack, body, mark)


def on_command(ack: Any, body: dict[str, Any]) -> None:
    from chalicelib import bootstrap
    from chalicelib.adapters.slack import client, commands

    user = str(body.get("user_id") or "")
    ctx = bootstrap.context()
    lang = ctx.workflow.language
    try:
        lang = client.directory().profile(user).lang or lang
    except Exception as err:
        if not (_is_slack_error(err) or isinstance(err, OSError)):
            raise
    text, answer = commands.answer(ctx, ctx.repo, bootstrap.control_store(), user,
                                   str(body.get("text") or ""), lang)
    ack(text=text, blocks=answer)


def publish_home(event: dict[str, Any]) -> None:
    from chalicelib.adapters.slack import home

    if event.get("tab", "home") == "home" and event.get("user"):
        home.publish(str(event["user"]))


def refresh_home(body: dict[str, Any]) -> None:
    from chalicelib.adapters.slack import home

    user = (body.get("user") or {}).get("id")
    if user:
        home.publish(str(user))
