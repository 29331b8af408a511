"""`python -m dev.slack_workspace`: serve the Slack dev workspace in the foreground."""

from __future__ import annotations

import argparse
import os

from werkzeug.serving import run_simple

from dev.slack_workspace import create_app
from dev.slack_workspace.server import RedactingRequestHandler


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    app_port = os.environ.get("FREIGABE_PORT", "8000")
    parser = argparse.ArgumentParser(
        prog="python -m dev.slack_workspace",
        description="A local stand-in for Slack that delivers signed requests to the app.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("FREIGABE_SLACK_PORT", "8001")))
    parser.add_argument(
        "--events-url",
        default=f"http://127.0.0.1:{app_port}/slack/events",
        help="the app's request URL for interactivity, commands and events",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for the app's answer to a delivery"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    app = create_app(args.events_url, delivery_timeout=args.timeout)
    print(
        f"Slack dev workspace: http://{args.host}:{args.port}/ "
        f"(Web API http://{args.host}:{args.port}/api/, delivering to {args.events_url})",
        flush=True,
    )
    run_simple(
        args.host, args.port, app, threaded=True, use_reloader=False, request_handler=RedactingRequestHandler
    )


if __name__ == "__main__":
    main()
