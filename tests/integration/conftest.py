"""Fixtures of the integration tests that drive the app through Slack: the Slack dev workspace
and the app's local server (once per session), a rig of both on a fresh table per test, and the
app's log records."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.slack_helpers import SlackRig, SlackServers, StreamRelay


@pytest.fixture(scope="session")
def slack_servers(aws_endpoint: str) -> Iterator[SlackServers]:
    """The dev workspace and the app's local HTTP server, once per session."""
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, LocalChalice, LocalDevServer, create_local_server

    import app as application
    from dev.slack_workspace import start_in_thread
    from tests.conftest import free_port

    class Quiet(ChaliceRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    workspace = start_in_thread("http://127.0.0.1:9/slack/events", delivery_timeout=60)
    port = free_port()
    config = Config.create(chalice_stage="local", app_name="freigabe", function_name="api_handler",
                           lambda_timeout=60)
    if isinstance(application.app, LocalChalice):
        # create_local_server makes the app object thread-safe for local serving by changing
        # its class; in a process that did so before, that is not done twice.
        server = LocalDevServer(application.app, config, "127.0.0.1", port, handler_cls=Quiet)
    else:
        server = create_local_server(application.app, config, "127.0.0.1", port)
        server.server.RequestHandlerClass = functools.partial(Quiet, app_object=application.app,
                                                              config=config)
    thread = threading.Thread(target=server.server.serve_forever, name="chalice-local", daemon=True)
    thread.start()
    app_url = f"http://127.0.0.1:{port}"
    workspace.set_events_url(app_url + "/slack/events")
    yield SlackServers(workspace, app_url)
    server.shutdown()
    workspace.stop()


@pytest.fixture
def slack_rig(table: str, slack_servers: SlackServers,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackRig]:
    """The app on a fresh table and publish queue, with the dev workspace's token and signing
    secret, an empty workspace, and a relay of the table's stream."""
    import boto3

    from chalicelib import bootstrap
    from chalicelib.settings import PUBLISH_QUEUE
    from dev.resources import ensure_queues, suffixed
    from dev.slack_workspace import DEV_BOT_TOKEN, DEV_SIGNING_SECRET

    # The last approval of a post due now queues it at once (services/review.take_if_due):
    # on the publishing rig's queue when the test has one, else on a queue of its own.
    if "FREIGABE_PUBLISH_QUEUE" not in os.environ:
        suffix = table.rsplit("-", 1)[-1]
        ensure_queues(boto3.client("sqs"), suffix=suffix)
        monkeypatch.setenv("FREIGABE_PUBLISH_QUEUE", suffixed(PUBLISH_QUEUE, suffix))
    monkeypatch.setenv("SLACK_BOT_TOKEN", DEV_BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", DEV_SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", slack_servers.workspace.api_url)
    bootstrap.reset()
    slack_servers.workspace.workspace.reset()
    yield SlackRig(slack_servers, StreamRelay(table), DEV_SIGNING_SECRET)
    bootstrap.reset()


@pytest.fixture
def app_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Records of every logger, the app's included (Chalice stops "freigabe" propagating)."""
    caplog.set_level(logging.DEBUG)
    app_logger = logging.getLogger("freigabe")
    app_logger.addHandler(caplog.handler)
    yield caplog
    app_logger.removeHandler(caplog.handler)
