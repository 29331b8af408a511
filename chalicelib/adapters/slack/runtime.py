"""The Bolt app behind `POST /slack/events`, built on the first Slack request of a container.

No Slack call at construction (token_verification_enabled=False: `chalice package` and cold
starts stay offline); Bolt's one `auth.test` happens on the first request and is cached.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from chalicelib import bootstrap
from chalicelib.settings import get_settings

# Bolt logs the raw body of a request that fails its signature check at INFO, and whole
# requests at DEBUG; draft text must not reach the logs, so its loggers start at WARNING.
BOLT_LOG = "freigabe.slack.bolt"


def _chalice_app() -> Any:
    """The Chalice app serving this request: Bolt's adapter reads its lambda_context, and
    the local Lambda client invokes it again for lazy listeners."""
    import app as application

    return application.app


@lru_cache(maxsize=1)
def request_handler() -> Any:
    from slack_bolt import App
    from slack_bolt.adapter.aws_lambda.chalice_handler import ChaliceSlackRequestHandler

    from chalicelib.adapters.slack import client, listeners

    logger = logging.getLogger(BOLT_LOG)
    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that the client's
    # token wins (it is the same token): quiet while constructing, WARNING afterwards.
    logger.setLevel(logging.ERROR)
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    bolt = App(
        name="freigabe",
        signing_secret=client.credentials().signing_secret,
        client=client.web_client(),
        token_verification_enabled=False,
        process_before_response=True,
        logger=logger,
    )
    logger.setLevel(logging.WARNING)
    listeners.register(bolt)
    chalice_app = _chalice_app()
    lambda_client = None  # in AWS: Bolt's runner invokes this function again (InvocationType=Event)
    if not get_settings().in_lambda:
        from slack_bolt.adapter.aws_lambda.local_lambda_client import LocalLambdaClient

        # Locally and in tests the lazy listener runs inside the request, through the same app.
        lambda_client = LocalLambdaClient(chalice_app, None)  # type: ignore[arg-type]
    return ChaliceSlackRequestHandler(app=bolt, chalice=chalice_app, lambda_client=lambda_client)


if request_handler.cache_clear not in bootstrap._RESET_HOOKS:
    bootstrap._RESET_HOOKS.append(request_handler.cache_clear)
