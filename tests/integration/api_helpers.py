"""Calling the API the way the web form does."""

from __future__ import annotations

import json
from typing import Any

WRITER = "wanda.writer@freigabe.example"
OTHER = "otto.other@freigabe.example"


class Api:
    def __init__(self, client: Any, user: str = WRITER, lang: str = "en") -> None:
        self.client, self.user, self.lang = client, user, lang

    def headers(self, **extra: str) -> dict[str, str]:
        base = {"X-Freigabe-User": self.user, "Accept-Language": self.lang,
                "Content-Type": "application/json"}
        base.update(extra)
        return base

    def call(self, method: str, path: str, payload: Any = None, **headers: str) -> Any:
        body = payload if isinstance(payload, str | bytes) else (
            json.dumps(payload) if payload is not None else "")
        response = getattr(self.client.http, method.lower())(
            path, headers=self.headers(**headers), body=body)
        response.data = json.loads(response.body) if response.body else None
        return response

    def create(self, **fields: Any) -> Any:
        payload = {"text": "Hallo Welt", "channels": ["outbox"], **fields}
        return self.call("POST", "/api/posts", payload)
