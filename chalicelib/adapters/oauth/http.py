"""The few HTTP calls an OAuth flow makes: a form or JSON POST and a GET, answered as JSON.

No retries: a connect is a person waiting in a browser, and a refresh must not send a
single-use refresh token twice. A network that cannot be reached is ``OAuthUnavailable``
(nothing changed); an answer that refuses is ``OAuthRefused`` with the network's own words.
Tokens never reach a log line.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from chalicelib.domain.oauth import OAuthRefused, OAuthUnavailable

log = logging.getLogger("freigabe.oauth")

USER_AGENT = "Freigabe/0.1 (+content approval)"
TIMEOUT = 10.0


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def field(self, name: str) -> str | None:
        value = self.data.get(name) if isinstance(self.data, dict) else None
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def basic(client_id: str, client_secret: str) -> str:
    pair = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def request(method: str, url: str, *, form: Mapping[str, str] | None = None,
            json_body: Any = None, headers: Mapping[str, str] | None = None,
            network: str = "network") -> Answer:
    import urllib3  # ships with botocore; imported here to keep cold starts lean

    all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    body: bytes | None = None
    if form is not None:
        body = urlencode(form).encode("utf-8")
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        body = json.dumps(json_body).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5.0, read=TIMEOUT), retries=False)
    try:
        raw = pool.request(method, url, body=body, headers=all_headers, redirect=False)
    except urllib3.exceptions.HTTPError as err:
        log.warning("oauth request failed", extra={"network": network, "error": type(err).__name__})
        raise OAuthUnavailable(f"{network} could not be reached") from None
    finally:
        pool.clear()
    try:
        data = json.loads(raw.data) if raw.data else None
    except ValueError:
        data = None
    log.info("oauth request", extra={"network": network, "status": raw.status})
    if raw.status >= 500 or raw.status == 429:
        raise OAuthUnavailable(f"{network} answered HTTP {raw.status}")
    return Answer(raw.status, data)


def refusal(answer: Answer, network: str) -> OAuthRefused:
    """The network's words for a refused request (OAuth's ``error_description`` / ``error``,
    or its API's own ``message``/``detail``)."""
    words = None
    if isinstance(answer.data, dict):
        error = answer.data.get("error")
        if isinstance(error, dict):  # Graph API: {"error": {"message": ...}}
            error = error.get("message")
        for value in (answer.data.get("error_description"), error, answer.data.get("message"),
                      answer.data.get("detail")):
            if isinstance(value, str) and value.strip():
                words = value.strip()[:300]
                break
    return OAuthRefused(f"{network} refused (HTTP {answer.status}): {words or 'no reason given'}")


def token_answer(answer: Answer, network: str) -> Answer:
    if not answer.ok or not answer.field("access_token"):
        raise refusal(answer, network)
    return answer
