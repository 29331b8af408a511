"""What every network's listener shares: one GET with the channels' HTTP client (no waiting
between attempts: a network that asks to wait is read again at a later run), and the networks'
HTML turned into the plain text Slack shows (escaped there)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from typing import Any

from chalicelib.adapters.channels.base import (
    ChannelFailure,
    HttpClient,
    HttpOptions,
    Response,
    error_text,
)

# One attempt per run: RetryLater (429, 503, no connection) leaves the channel until its reset.
LISTEN_HTTP = HttpOptions(connect_timeout=5.0, read_timeout=10.0, max_attempts=1, sleep_budget=0.0)


class ListenFailure(Exception):
    """The network refused the read for a reason no waiting fixes (401, 403, 404, a 5xx)."""

    def __init__(self, message: str, response: Response | None = None) -> None:
        super().__init__(message)
        self.response = response


def http_for(channel: str, options: HttpOptions | None = None) -> HttpClient:
    return HttpClient(channel, options or LISTEN_HTTP)


def get_json(http: HttpClient, url: str, headers: Mapping[str, str] | None = None,
             throttled: Callable[[Response], bool] | None = None) -> tuple[Any, Response]:
    """The JSON body of a successful GET, with the response (for rate-limit headers)."""
    try:
        response = http.request("GET", url, headers=headers, throttled=throttled)
    except ChannelFailure as err:
        raise ListenFailure(err.outcome.error or "no answer") from None
    if not response.ok:
        raise ListenFailure(error_text(response, None), response)
    return response.json(), response


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p") and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """Mastodon's status HTML as the text a person reads (tags dropped, entities decoded)."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts)).strip()


def mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (networks leave fields out)."""
    return value if isinstance(value, dict) else {}


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""
