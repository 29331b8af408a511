"""A local receiver for the sample workflow's webhook channel (`python -m dev.webhook_sink`).

It checks each delivery's `X-Freigabe-Signature` the way a real receiver should, appends it
to `<state dir>/webhook.jsonl`, and lists what arrived at `GET /`. Logs never show bodies.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dev import environment

LOCK = threading.Lock()


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


def make_handler(secret: str, path: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            ok = signature_ok(secret, body, self.headers.get("X-Freigabe-Signature", ""))
            try:
                payload: Any = json.loads(body)
            except ValueError:
                payload = None
            record = {"received_at": datetime.now(UTC).isoformat(), "path": self.path,
                      "delivery": self.headers.get("X-Freigabe-Delivery"),
                      "signature_ok": ok, "body": payload}
            if ok:
                with LOCK, path.open("a", encoding="utf-8") as sink:
                    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._answer(200 if ok else 401, {"ok": ok})

        def do_GET(self) -> None:
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            self._answer(200, {"deliveries": [json.loads(line) for line in lines]})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            status = args[1] if len(args) > 1 else ""
            sys.stderr.write(f"{self.command} {self.path.split('?')[0]} -> {status}\n")

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=int(os.environ.get("FREIGABE_WEBHOOK_PORT", "8002")))
    args = parser.parse_args()
    secret = os.environ.get("WEBHOOK_SECRET", "")
    if not secret:
        print("WEBHOOK_SECRET is not set", file=sys.stderr)
        return 1
    path = environment.state_dir(os.environ) / "webhook.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(secret, path))
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
