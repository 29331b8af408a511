"""Answers drafted in Slack (docs/replies.md, "Answers"): the **Answer** button of a reply or
mention opens a modal with the incoming text quoted, a draft field and its network's limit;
submitting it hands the draft to services/answers.py, which sends it to review in the item's
thread (or, under ``reply_steps = []``, straight out). A refusal (over the limit, empty, not a
responder) is shown under the field and changes nothing.

Once the answer is published, ``SlackAnswered`` closes the item's message (no more buttons) and
says "answered" with the link in its thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from chalicelib.adapters.slack.blocks import escape
from chalicelib.adapters.slack.codec import ConversationTarget
from chalicelib.adapters.slack.deps import SlackServices, services_of
from chalicelib.adapters.slack.texts import has, tr
from chalicelib.domain import limits
from chalicelib.domain.conversation import ConversationItem
from chalicelib.domain.workflow import Workflow

log = logging.getLogger("freigabe.slack.answers")

ANSWER_MODAL = "freigabe_answer_modal"
ANSWER_BLOCK = "answer"
ANSWER_ACTION = "answer"
QUOTE_LIMIT = 2900  # a section's text, under Slack's 3,000 characters
INPUT_LIMIT = 3000  # Slack's longest plain_text_input


def _metadata(target: ConversationTarget, channel: str | None, lang: str) -> str:
    return json.dumps({"v": target.conversation, "k": target.key, "c": channel, "l": lang},
                      separators=(",", ":"))


def _read_metadata(raw: str) -> tuple[ConversationTarget, str | None, str]:
    """The modal's item, the channel clicked in and the language; ValueError for anything we
    did not write."""
    target = ConversationTarget.decode(raw)
    data = json.loads(raw)
    channel = data.get("c")
    return target, str(channel) if channel else None, str(data.get("l") or "en")


def limit_line(workflow: Workflow, channel: str, lang: str) -> str:
    """The network's limit as the modal shows it (the counter the web page shows live)."""
    kind = workflow.channels.get(channel, "")
    limit = limits.LIMITS.get(kind)
    if limit is None:
        return tr("answer_no_limit", lang, network=kind or channel)
    return tr("answer_limit", lang, network=kind, limit=f"{limit:,}".replace(",", "."
                                                                           if lang == "de" else ","))


def answer_modal(item: ConversationItem, workflow: Workflow, lang: str,
                 metadata: str, draft: str = "") -> dict[str, Any]:
    """The modal: who wrote what (escaped, quoted), the draft field, the network's limit."""
    incoming = item.incoming
    body = incoming.text.strip() or tr("conv_no_text", lang)
    if len(body) > QUOTE_LIMIT:
        body = body[:QUOTE_LIMIT] + "…"
    quoted = "\n".join(f"> {line}" for line in escape(body).splitlines() or [""])
    header = tr("answer_to", lang, author=incoming.author or "?", channel=incoming.channel)
    field: dict[str, Any] = {"type": "plain_text_input", "action_id": ANSWER_ACTION,
                             "multiline": True, "max_length": INPUT_LIMIT}
    if draft:
        field["initial_value"] = draft[:INPUT_LIMIT]
    return {
        "type": "modal", "callback_id": ANSWER_MODAL, "private_metadata": metadata,
        "title": {"type": "plain_text", "text": tr("answer_title", lang)[:24]},
        "submit": {"type": "plain_text", "text": tr("answer_submit", lang)[:24]},
        "close": {"type": "plain_text", "text": tr("answer_cancel", lang)[:24]},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn",
                                         "text": f"*{escape(header)}*\n{quoted}"}},
            {"type": "input", "block_id": ANSWER_BLOCK, "element": field,
             "label": {"type": "plain_text", "text": tr("answer_field", lang)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(
                limit_line(workflow, incoming.channel, lang))}]},
        ],
    }


def _tell(services: SlackServices, client: Any, user: str, channel: str | None, key: str,
          lang: str) -> None:
    """An ephemeral explanation only that person sees (in the channel, else the app's DM)."""
    try:
        where = channel or services.directory.dm_channel(user)
        client.chat_postEphemeral(channel=where, user=user, text=escape(tr(key, lang)))
    except Exception as err:  # noqa: BLE001 - an explanation that cannot be delivered
        log.warning("explanation not delivered", extra={"user": user, "error": type(err).__name__})


def _typed(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    return str(((values.get(ANSWER_BLOCK) or {}).get(ANSWER_ACTION) or {}).get("value") or "")


def _open_item(services: SlackServices, target: ConversationTarget) -> ConversationItem | None:
    if services.listening is None:
        return None
    item = services.listening().store.get(target.conversation, target.key)
    return item if item is not None and item.open else None


def on_answer(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    """Answer: the modal opens at once (the trigger is valid for three seconds)."""
    ack()
    services = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    container = body.get("container") or {}
    channel = container.get("channel_id") if container.get("type") == "message" else None
    raw = str(((body.get("actions") or [{}])[0]).get("value") or "")
    lang: str = services.context.workflow.language
    try:
        target = ConversationTarget.decode(raw)
    except (ValueError, TypeError):
        _tell(services, client, user, channel, "broken_button", lang)
        return
    item = _open_item(services, target)
    if item is None:
        _tell(services, client, user, channel, "answer_item_gone", lang)
        return
    workflow = services.context.organization.brand(item.brand)
    try:
        lang = services.directory.profile(user).language(workflow.language)
    except Exception as err:  # noqa: BLE001 - the brand's language will do
        log.info("profile not read", extra={"error": type(err).__name__})
        lang = workflow.language
    client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=answer_modal(
        item, workflow, lang, _metadata(target, str(channel) if channel else None, lang)))


def on_answer_submission(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any,
                         client: Any) -> None:
    """The drafted answer goes to the answers' use case; a refusal stays under the field."""
    from chalicelib.domain.errors import InvalidContent, NotEligible
    from chalicelib.domain.post import Reviewer
    from chalicelib.i18n import t
    from chalicelib.services import answers

    services = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    try:
        target, _where, lang = _read_metadata(str(view.get("private_metadata") or ""))
    except (ValueError, TypeError):
        ack()
        return
    text = _typed(view)
    item = _open_item(services, target)
    if item is None:
        ack(response_action="errors", errors={ANSWER_BLOCK: tr("answer_item_gone", lang)})
        return
    try:
        profile = services.directory.profile(user)
        if not profile.email:
            raise NotEligible("no_email")  # the author rule needs it, as for any post
        drafter, lang = Reviewer(user, profile.email), profile.language(lang)
        post = answers.draft(services.context, drafter, profile.email, answers.AnswerDraft(
            parent=answers.Parent(item.incoming.channel, item.incoming.external_id), text=text,
            brand=item.brand, conversation_of=item.post_id, slack_channel=item.slack_channel,
            slack_thread=item.slack_ts), services.directory)
    except InvalidContent as err:
        ack(response_action="errors", errors={ANSWER_BLOCK: t(err.key, lang, **err.params)})
        return
    except NotEligible as err:
        ack(response_action="errors", errors={ANSWER_BLOCK: tr(
            err.key if has(err.key) else "refused", lang, **err.params)})
        return
    except Exception as err:  # noqa: BLE001 - said to the person; the draft stays in the modal
        log.warning("answer not drafted", extra={"user": user, "error": type(err).__name__})
        ack(response_action="errors", errors={ANSWER_BLOCK: tr("refused", lang)})
        return
    ack()
    log.info("answer drafted in Slack", extra={"post_id": post.id, "user": user,
                                               "status": post.status.value})


class SlackAnswered:
    """services/answered.py's AnsweredNotifier: the item's message loses its buttons and says
    it was answered; its thread gets the link to the answer."""

    def __init__(self, client: Callable[[], Any]) -> None:
        self._client = client

    def answered(self, item: ConversationItem, url: str | None, workflow: Workflow) -> None:
        from chalicelib.adapters.slack.conversation import _link, item_message

        if not item.slack_channel or not item.slack_ts:
            return
        lang = workflow.language
        link = _link(url, url or "")
        said = (escape(tr("answer_answered", lang, link="\x00")).replace("\x00", link) if link
                else escape(tr("answer_answered_plain", lang)))
        text, blocks = item_message(item, lang)
        blocks = [b for b in blocks if b.get("type") != "actions"]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": said}]})
        client = self._client()
        client.chat_update(channel=item.slack_channel, ts=item.slack_ts, text=text, blocks=blocks)
        client.chat_postMessage(channel=item.slack_channel, thread_ts=item.slack_ts, text=said,
                                unfurl_links=False, unfurl_media=False)


def register(app: Any) -> None:
    from chalicelib.adapters.slack.conversation import ANSWER

    app.action(ANSWER)(on_answer)
    app.view(ANSWER_MODAL)(on_answer_submission)


__all__ = ["ANSWER_BLOCK", "ANSWER_MODAL", "SlackAnswered", "answer_modal", "on_answer",
           "on_answer_submission", "register"]
