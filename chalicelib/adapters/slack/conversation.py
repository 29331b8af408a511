"""Replies and mentions in Slack (services/listening.py's ConversationNotifier), and the Done
button.

A reply to one of our posts goes into that post's review thread (the first request message the
post's refs know); anything else into the brand's ``inbox_channel``. Every piece of network text
is escaped like everything else (``&``, ``<``, ``>``), so a reply cannot ping a channel or fake
a link. The message offers **Answer** (``freigabe_answer``, its value the item's
ConversationTarget; the answer's modal is the answers' use case) and **Done**.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalicelib.adapters.slack.blocks import escape
from chalicelib.adapters.slack.codec import ConversationTarget
from chalicelib.adapters.slack.deps import services_of
from chalicelib.adapters.slack.texts import tr
from chalicelib.domain.conversation import ConversationItem
from chalicelib.domain.workflow import Workflow
from chalicelib.services.ports import PostRepository
from chalicelib.services.review_desk import request_ref

log = logging.getLogger("freigabe.slack.conversation")

ANSWER = "freigabe_answer"
DONE = "freigabe_done"
TEXT_LIMIT = 2900  # a section's text, under Slack's 3,000 characters


def _link(url: str | None, label: str) -> str | None:
    # Only a plain web address becomes a link; anything else would let the network's data
    # decide what the link does.
    if not url or not url.startswith(("https://", "http://")) or any(c in url for c in "<>| \n"):
        return None
    return f"<{url.replace('&', '&amp;')}|{escape(label)}>"


def item_message(item: ConversationItem, lang: str,
                 done_by: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and blocks of an item; with ``done_by`` it says so and offers no
    buttons."""
    incoming = item.incoming
    author = incoming.author or "?"
    header = tr("conv_mention" if incoming.kind == "mention" or not item.post_id else "conv_reply",
                lang, author=author, channel=incoming.channel)
    body = incoming.text.strip() or tr("conv_no_text", lang)
    if len(body) > TEXT_LIMIT:
        body = body[:TEXT_LIMIT] + "…"
    quoted = "\n".join(f"> {line}" for line in escape(body).splitlines() or [""])
    context = [escape(incoming.at.replace("T", " ").removesuffix("Z") + " UTC")]
    link = _link(incoming.url, tr("conv_open", lang, channel=incoming.channel))
    if link:
        context.append(link)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(header)}*\n{quoted}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]},
    ]
    if done_by is not None:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(
            tr("conv_done_by", lang, user="{user}")).replace("{user}", _mention(done_by))}]})
    else:
        value = ConversationTarget(item.conversation, item.key).encode()
        blocks.append({"type": "actions", "block_id": "freigabe_conversation", "elements": [
            {"type": "button", "action_id": ANSWER, "style": "primary", "value": value,
             "text": {"type": "plain_text", "text": tr("conv_answer", lang)}},
            {"type": "button", "action_id": DONE, "value": value,
             "text": {"type": "plain_text", "text": tr("conv_done", lang)}}]})
    return escape(f"{header}: {body[:200]}"), blocks


def _mention(user: str) -> str:
    return f"<@{user}>" if user[:1] in "UW" and user.isalnum() else escape(user)


class SlackConversations:
    """Posts, reminds and closes items in Slack (the Web API client is built on first use)."""

    def __init__(self, client: Callable[[], Any], repo: PostRepository) -> None:
        self._client = client
        self._repo = repo

    def _thread(self, item: ConversationItem) -> tuple[str, str] | None:
        """The post's review thread: (channel, ts) of its first request message."""
        if not item.post_id:
            return None
        refs = self._repo.refs(item.post_id)
        for name in sorted(refs):
            ref = refs[name]
            if name.startswith(request_ref("")) and ref.get("channel") and ref.get("ts"):
                return str(ref["channel"]), str(ref["ts"])
        return None

    def show(self, item: ConversationItem, workflow: Workflow) -> tuple[str, str] | None:
        thread = self._thread(item)
        channel = thread[0] if thread else workflow.inbox_channel
        if not channel:
            log.info("nowhere to show an item", extra={"brand": item.brand,
                                                       "channel": item.incoming.channel})
            return None
        text, blocks = item_message(item, workflow.language)
        extra: dict[str, Any] = {"thread_ts": thread[1]} if thread else {}
        answer = self._client().chat_postMessage(channel=channel, text=text, blocks=blocks,
                                                 unfurl_links=False, unfurl_media=False, **extra)
        return channel, str(answer["ts"])

    def remind(self, item: ConversationItem, workflow: Workflow) -> None:
        if not item.slack_channel or not item.slack_ts:
            return
        thread = self._thread(item)
        text = escape(tr("conv_reminder", workflow.language,
                         hours=f"{workflow.answer_within_hours:g}",
                         author=item.incoming.author or "?", channel=item.incoming.channel))
        self._client().chat_postMessage(channel=item.slack_channel,
                                        thread_ts=thread[1] if thread else item.slack_ts,
                                        text=text, unfurl_links=False, unfurl_media=False)

    def closed(self, item: ConversationItem, workflow: Workflow) -> None:
        if not item.slack_channel or not item.slack_ts:
            return
        text, blocks = item_message(item, workflow.language, done_by=item.done_by or "?")
        self._client().chat_update(channel=item.slack_channel, ts=item.slack_ts, text=text,
                                   blocks=blocks)


def on_done(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    """Done: the item needs no answer. Recorded before the acknowledgement; the message then
    says who closed it."""
    from chalicelib.domain.errors import NotFound
    from chalicelib.services.listening import mark_done

    ack()
    services = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    raw = str(((body.get("actions") or [{}])[0]).get("value") or "")
    listening = services.listening() if services.listening is not None else None
    try:
        target = ConversationTarget.decode(raw)
    except (ValueError, TypeError):
        target = None
    if target is None or listening is None or not user:
        log.warning("done click not understood")
        return
    try:
        mark_done(listening, target.conversation, target.key, user)
    except NotFound:
        log.info("done click on an item that is gone")


__all__ = ["ANSWER", "DONE", "SlackConversations", "item_message", "on_done"]
