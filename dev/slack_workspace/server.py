"""Builds the dev workspace's Flask app and serves it, in the foreground or in a thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Flask
from jinja2 import ChainableUndefined
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from dev.slack_workspace import dev_api, ui, web_api
from dev.slack_workspace.store import Workspace


class RedactingRequestHandler(WSGIRequestHandler):
    """Access log without query strings: a client may pass `token=` there, and tokens are never logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The WSGI environ was built before the response started, so the app never sees this.
        self.path = self.path.split("?", 1)[0]
        super().log_request(code, size)


def create_app(events_url: str, delivery_timeout: float = 10.0) -> Flask:
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config["WORKSPACE"] = Workspace(events_url, delivery_timeout=delivery_timeout)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Block Kit objects leave many fields out; a missing one renders as nothing.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.filters["slack_text"] = ui.slack_text
    app.jinja_env.filters["message_text"] = ui.message_text
    app.jinja_env.filters["plain_text"] = ui.plain_text
    app.jinja_env.filters["ts_time"] = ui.ts_time
    app.register_blueprint(web_api.blueprint)
    app.register_blueprint(dev_api.blueprint)
    app.register_blueprint(ui.blueprint)
    return app


@dataclass
class ServerHandle:
    """A dev workspace served in a background thread; `stop()` shuts it down."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    @property
    def workspace(self) -> Workspace:
        ws: Workspace = self.app.config["WORKSPACE"]
        return ws

    def set_events_url(self, events_url: str) -> None:
        self.workspace.events_url = events_url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_in_thread(events_url: str, delivery_timeout: float = 10.0) -> ServerHandle:
    app = create_app(events_url, delivery_timeout=delivery_timeout)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=RedactingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="slack-dev-workspace", daemon=True)
    thread.start()
    return ServerHandle(app=app, server=server, thread=thread)
