"""The Bolt app behind `POST /slack/events`, built on the first Slack request of a container.

No Slack call at construction (token_verification_enabled=False: `chalice package` and cold
starts stay offline); Bolt's one `auth.test` happens on the first request and is cached.
Listeners receive what they need from a middleware that puts ``SlackServices`` on Bolt's
``context``, and Bolt's injected ``client``; nothing here builds an adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.slack.deps import SERVICES, SlackServices

if TYPE_CHECKING:  # pragma: no cover
    from chalice.app import Chalice
    from slack_bolt.adapter.aws_lambda.chalice_handler import ChaliceSlackRequestHandler
    from slack_sdk import WebClient

# Bolt logs the raw body of a request that fails its signature check at INFO, and whole
# requests at DEBUG; draft text must not reach the logs, so its loggers start at WARNING.
BOLT_LOG = "freigabe.slack.bolt"


class DeferredClient:
    """The Lambda client Bolt's lazy listener runner invokes this function with, built on its
    first ``invoke`` from the container's botocore session (``Container.aws``): without it,
    Bolt builds one through ``boto3.client("lambda")``, a second session that parses the
    endpoint and partition files again."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build

    def invoke(self, **kwargs: Any) -> Any:
        return self._build().invoke(**kwargs)


def build_request_handler(chalice_app: Chalice, signing_secret: str, client: WebClient,
                          services: Callable[[], SlackServices], *, in_lambda: bool,
                          lambda_client: Callable[[], Any] | None = None,
                          ) -> ChaliceSlackRequestHandler:
    """``lambda_client``: builds the client Bolt's lazy listeners invoke this function with
    (in Lambda)."""
    from slack_bolt import App
    from slack_bolt.adapter.aws_lambda.chalice_handler import ChaliceSlackRequestHandler

    from chalicelib.adapters.slack import listeners

    logger = logging.getLogger(BOLT_LOG)
    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that the client's
    # token wins (it is the same token): quiet while constructing, WARNING afterwards.
    logger.setLevel(logging.ERROR)
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    bolt = App(
        # Bolt copies its logger's level onto the logger named after the app on every request:
        # named "freigabe", that silenced the service logger every freigabe.* logger inherits.
        name=BOLT_LOG,
        signing_secret=signing_secret,
        client=client,
        token_verification_enabled=False,
        process_before_response=True,
        logger=logger,
    )
    logger.setLevel(logging.WARNING)

    def inject(context: Any, next: Callable[[], None]) -> None:
        context[SERVICES] = services()
        next()

    bolt.use(inject)
    listeners.register(bolt)
    # In AWS: Bolt's runner invokes this function again (InvocationType=Event).
    invoker: Any = DeferredClient(lambda_client) if lambda_client is not None else None
    if not in_lambda:
        from slack_bolt.adapter.aws_lambda.local_lambda_client import LocalLambdaClient

        # Locally and in tests the lazy listener runs inside the request, through the same app.
        invoker = LocalLambdaClient(chalice_app, None)  # type: ignore[arg-type]
    return ChaliceSlackRequestHandler(app=bolt, chalice=chalice_app, lambda_client=invoker)
