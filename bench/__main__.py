"""`make bench`: start a private moto server, point the app at it, run every benchmark
and print its figures."""

from __future__ import annotations

import importlib
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ["cold_start", "lifecycle", "slack_ack", "scheduler", "lambda_cold", "lateness", "cost",
           "images"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    import logging

    from dev.aws import LocalAws, prepare_moto

    # The dev Slack workspace's server (werkzeug) logs every request it answers.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    prepare_moto()

    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    aws_env = {
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "FREIGABE_TABLE": "freigabe-bench",
        "FREIGABE_CONFIG": str(ROOT / "tests" / "fixtures" / "workflow.toml"),
        "FREIGABE_AUTH": "dev", "WEBHOOK_SECRET": "bench", "POWERTOOLS_LOG_LEVEL": "WARNING",
        "FREIGABE_STATE_DIR": str(ROOT / ".freigabe" / "bench"),
    }
    os.environ.update(aws_env)
    server = LocalAws("127.0.0.1", port)
    server.start()
    try:
        import boto3

        from chalicelib.adapters.dynamodb.schema import table_definition

        boto3.client("dynamodb").create_table(**table_definition("freigabe-bench"))
        for name in sys.argv[1:] or BENCHES:  # `python -m bench lifecycle` runs one
            try:
                module = importlib.import_module(f"bench.{name}")
            except ModuleNotFoundError:
                continue
            started = time.perf_counter()
            kwargs: dict[str, Any] = {"aws_env": aws_env} if name == "cold_start" else {}
            figures = module.run(**kwargs)
            print(module.report(figures) if hasattr(module, "report") else figures)
            print(f"  ({time.perf_counter() - started:.1f} s)\n", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
