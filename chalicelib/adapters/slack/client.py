"""Slack credentials, the Web API client and the directory: built on first use and kept for
the life of the container (bootstrap.reset() forgets them, for tests)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib import bootstrap
from chalicelib.settings import get_settings

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


@lru_cache(maxsize=1)
def credentials() -> Credentials:
    """From the environment locally; in AWS from the secret FREIGABE_SLACK_SECRETS names
    (JSON with bot_token and signing_secret), never from config.json."""
    settings = get_settings()
    token, secret = settings.slack_bot_token, settings.slack_signing_secret
    if settings.slack_secrets_ref and not (token and secret):
        from chalicelib.secrets import resolve

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


@lru_cache(maxsize=1)
def web_client() -> Any:
    from slack_sdk import WebClient

    logger = logging.getLogger(SLACK_SDK_LOG)
    logger.setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    base_url = get_settings().slack_api_url
    return WebClient(token=credentials().bot_token, base_url=base_url.rstrip("/") + "/",
                     logger=logger, timeout=10)


@lru_cache(maxsize=1)
def directory() -> Any:
    from chalicelib.adapters.slack.directory import SlackDirectory

    return SlackDirectory(web_client())


def is_transient(err: BaseException) -> bool:
    """Worth another try later: rate limits, Slack's own outages, the network."""
    from slack_sdk.errors import SlackApiError

    if isinstance(err, SlackApiError):
        status = getattr(err.response, "status_code", 200)
        code = str(err.response.get("error") or "")
        return status == 429 or status >= 500 or code in {
            "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
    return isinstance(err, OSError | TimeoutError)


for _hook in (credentials.cache_clear, web_client.cache_clear, directory.cache_clear):
    if _hook not in bootstrap._RESET_HOOKS:
        bootstrap._RESET_HOOKS.append(_hook)
