"""Slack credentials and the Web API client, built by the composition root on first use."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

# slack_sdk logs whole request bodies (draft text) at DEBUG; ours never goes below WARNING.
SLACK_SDK_LOG = "freigabe.slack.sdk"


@dataclass(frozen=True)
class Credentials:
    bot_token: str
    signing_secret: str

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"


class NotConfigured(RuntimeError):
    """No signing secret or token: the endpoint refuses everything."""


def load_credentials(settings: Settings, resolve: Callable[[str], str]) -> Credentials:
    """From the environment locally; in AWS from the secret FREIGABE_SLACK_SECRETS names
    (JSON with bot_token and signing_secret), never from config.json."""
    token, secret = settings.slack_bot_token, settings.slack_signing_secret
    if settings.slack_secrets_ref and not (token and secret):
        reference = settings.slack_secrets_ref
        if reference.startswith("/"):
            reference = "ssm:" + reference  # a bare parameter path, as .chalice/config.json has it
        try:
            stored = json.loads(resolve(reference))
        except ValueError as err:
            raise NotConfigured(f"{settings.slack_secrets_ref} does not hold JSON") from err
        token = token or str(stored.get("bot_token") or "")
        secret = secret or str(stored.get("signing_secret") or "")
    if not token or not secret:
        raise NotConfigured("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or FREIGABE_SLACK_SECRETS) "
                            "are not set")
    return Credentials(token, secret)


def build_web_client(token: str, base_url: str) -> WebClient:
    from slack_sdk import WebClient

    logger = logging.getLogger(SLACK_SDK_LOG)
    logger.setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    return WebClient(token=token, base_url=base_url.rstrip("/") + "/", logger=logger, timeout=10)


def is_transient(err: BaseException) -> bool:
    """Worth another try later: rate limits, Slack's own outages, the network."""
    from slack_sdk.errors import SlackApiError

    if isinstance(err, SlackApiError):
        status = getattr(err.response, "status_code", 200)
        code = str(err.response.get("error") or "")
        return status == 429 or status >= 500 or code in {
            "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
    return isinstance(err, OSError | TimeoutError)
