"""The app served over real HTTP in a thread (Chalice's own local server), for tests that
need a URL: the fuzz run, Slack deliveries, the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def serve_app(port: int) -> Iterator[str]:
    from chalice.cli.factory import CLIFactory
    from chalice.local import LocalDevServer

    import app as application

    factory = CLIFactory(str(ROOT))
    config = factory.create_config_obj(chalice_stage_name="local")
    server = LocalDevServer(application.app, config, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
