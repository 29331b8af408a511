"""Bluesky: no OAuth for posting apps yet in the way this product connects; the admin gives a
handle and an app password, checked here by opening a session (com.atproto.server.createSession)
exactly as publishing does. The app password is stored; sessions are made per publish."""

from __future__ import annotations

from chalicelib.adapters.oauth.http import refusal, request
from chalicelib.domain.oauth import OAuthRefused

PDS_URL = "https://bsky.social"
NETWORK = "Bluesky"


def check_app_password(base_url: str | None, handle: str, app_password: str) -> str:
    """The account's handle after a successful session; OAuthRefused when Bluesky says no,
    OAuthUnavailable when it cannot be reached."""
    if not handle.strip() or not app_password.strip():
        raise OAuthRefused("a Bluesky handle and an app password are both needed")
    answer = request("POST", f"{(base_url or PDS_URL).rstrip('/')}/xrpc/com.atproto.server.createSession",
                     json_body={"identifier": handle.strip(), "password": app_password.strip()},
                     network=NETWORK)
    if not answer.ok or not answer.field("accessJwt"):
        raise refusal(answer, NETWORK)
    return answer.field("handle") or handle.strip()
