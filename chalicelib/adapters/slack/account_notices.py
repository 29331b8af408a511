"""Direct messages to the workflow's Slack admins about a channel's account
(services.connect.AccountNotices): a token that ends in 7 days or 1 day and cannot be refreshed,
and a channel that stopped working (expired, refused, LinkedIn API version retired), each with a
link to reconnect. services/connect.py decides that each is said once; this only says it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chalicelib.adapters.slack import blocks

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

log = logging.getLogger("freigabe.slack.account_notices")

TEXTS: dict[str, dict[str, str]] = {
    "expiring": {
        "en": ":hourglass: The account of channel *{channel}* stops working on {when}: its token "
              "cannot be renewed automatically. <{url}|Connect it again> before then, or posts "
              "due on it are held back.",
        "de": ":hourglass: Das Konto des Kanals *{channel}* funktioniert ab {when} nicht mehr: "
              "Sein Token lässt sich nicht automatisch erneuern. <{url}|Verbinden Sie es vorher "
              "neu>, sonst werden fällige Beiträge dort zurückgehalten.",
    },
    "stopped": {
        "en": ":warning: Channel *{channel}* has stopped working: {reason}. Posts due on it are "
              "held back until it is <{url}|connected again>.",
        "de": ":warning: Der Kanal *{channel}* funktioniert nicht mehr: {reason}. Fällige "
              "Beiträge dort werden zurückgehalten, bis er <{url}|neu verbunden> ist.",
    },
}


class SlackAccountNotices:
    def __init__(self, client: Callable[[], WebClient], admins: Iterable[str], lang: str,
                 timezone: str = "UTC") -> None:
        self._client = client  # built on the first notice
        self._admins = sorted(admins)
        self._lang = lang if lang in ("de", "en") else "en"
        self._zone = timezone

    def channel_expiring(self, channel: str, ends_at: datetime, reconnect_url: str) -> None:
        local = ends_at.astimezone(ZoneInfo(self._zone))
        when = local.strftime("%d.%m.%Y %H:%M" if self._lang == "de" else "%Y-%m-%d %H:%M")
        self._tell("expiring", channel=blocks.escape(channel), when=f"{when} ({self._zone})",
                   url=reconnect_url)

    def channel_stopped(self, channel: str, reason: str, reconnect_url: str) -> None:
        self._tell("stopped", channel=blocks.escape(channel), reason=blocks.escape(reason),
                   url=reconnect_url)

    def _tell(self, key: str, **params: str) -> None:
        from slack_sdk.errors import SlackApiError

        text = TEXTS[key][self._lang].format(**params)
        if not self._admins:
            log.warning("no admins in the workflow file to tell about a channel")
        for admin in self._admins:
            try:
                # A user id as the channel: Slack posts into the app's DM with that person.
                self._client().chat_postMessage(channel=admin, text=text, unfurl_links=False)
            except SlackApiError as err:
                log.warning("admin not told about a channel", extra={
                    "admin": admin, "error": err.response.get("error")})
