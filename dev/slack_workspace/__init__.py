"""A local stand-in for Slack: Web API, interaction deliveries and a small web UI.

`make run` starts it when no SLACK_BOT_TOKEN is set; tests start it in a thread and read
back what the app sent. Importing this package only defines constants: Flask and the
server are loaded when `create_app` or `start_in_thread` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from dev.slack_workspace.server import ServerHandle

DEV_BOT_TOKEN = "xoxb-freigabe-dev-token"
DEV_SIGNING_SECRET = "freigabe-dev-signing-secret"
DEV_TEAM_ID = "T0FREIGABE"
DEV_TEAM_DOMAIN = "freigabe-dev"
DEV_APP_ID = "A0FREIGABE"
DEV_BOT_ID = "B0FREIGABE"
DEV_BOT_USER_ID = "U0FREIGBOT"
# The legacy verification token Slack still puts into every payload; Bolt ignores it.
DEV_VERIFICATION_TOKEN = "freigabe-dev-verification-token"

__all__ = [
    "DEV_APP_ID",
    "DEV_BOT_ID",
    "DEV_BOT_TOKEN",
    "DEV_BOT_USER_ID",
    "DEV_SIGNING_SECRET",
    "DEV_TEAM_DOMAIN",
    "DEV_TEAM_ID",
    "DEV_VERIFICATION_TOKEN",
    "create_app",
    "start_in_thread",
]


def create_app(events_url: str, delivery_timeout: float = 10.0) -> Flask:
    """The dev workspace as a Flask app delivering interactions to `events_url`."""
    from dev.slack_workspace.server import create_app as _create_app

    return _create_app(events_url, delivery_timeout=delivery_timeout)


def start_in_thread(events_url: str, delivery_timeout: float = 10.0) -> ServerHandle:
    """Serve the dev workspace on a free local port in a daemon thread (for tests)."""
    from dev.slack_workspace.server import start_in_thread as _start_in_thread

    return _start_in_thread(events_url, delivery_timeout=delivery_timeout)
