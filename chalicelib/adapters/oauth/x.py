"""X: OAuth 2.0 authorization code flow with PKCE (S256). The user token lasts two hours; with
``offline.access`` X also gives a refresh token, which works exactly once: each refresh answers
a new one, so two refreshers racing would log the account out (the single-flight is in
services/connect.py). A confidential client authenticates with HTTP Basic."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from chalicelib.adapters.oauth.http import Answer, basic, refusal, request, token_answer
from chalicelib.domain.oauth import (
    Authorization,
    OAuthApp,
    OAuthRefused,
    Pkce,
    TokenGrant,
    expires_in,
)

SCOPES = "tweet.read tweet.write users.read media.write offline.access"
AUTH_URL = "https://x.com/i/oauth2/authorize"
API_URL = "https://api.x.com"
NETWORK = "X"


class XOAuth:
    refreshable = True

    def authorize(self, app: OAuthApp, state: str, pkce: Pkce) -> Authorization:
        query = {"response_type": "code", "client_id": _client_id(app),
                 "redirect_uri": app.redirect_uri, "scope": SCOPES, "state": state,
                 "code_challenge": pkce.challenge, "code_challenge_method": "S256"}
        return Authorization(f"{app.settings.get('auth_url') or AUTH_URL}?{urlencode(query)}")

    def exchange(self, app: OAuthApp, code: str, verifier: str, now: datetime) -> TokenGrant:
        answer = self._token(app, {"grant_type": "authorization_code", "code": code,
                                   "redirect_uri": app.redirect_uri, "code_verifier": verifier})
        grant = _grant(answer, now)
        me = request("GET", f"{_api(app)}/2/users/me", network=NETWORK,
                     headers={"Authorization": f"Bearer {grant.access_token}"})
        data = me.data.get("data") if me.ok and isinstance(me.data, dict) else None
        username = data.get("username") if isinstance(data, dict) else None
        return TokenGrant(grant.access_token, grant.refresh_token, grant.expires_at,
                          account=f"@{username}" if isinstance(username, str) else None)

    def refresh(self, app: OAuthApp, refresh_token: str, now: datetime) -> TokenGrant:
        return _grant(self._token(app, {"grant_type": "refresh_token",
                                        "refresh_token": refresh_token}), now)

    def _token(self, app: OAuthApp, form: dict[str, str]) -> Answer:
        headers: dict[str, str] = {}
        if app.client_secret:
            headers["Authorization"] = basic(_client_id(app), app.client_secret)
        else:  # a public client names itself in the body
            form = {**form, "client_id": _client_id(app)}
        url = app.settings.get("token_url") or f"{_api(app)}/2/oauth2/token"
        answer = request("POST", url, form=form, headers=headers, network=NETWORK)
        if not answer.ok:
            raise refusal(answer, NETWORK)
        return token_answer(answer, NETWORK)


def _grant(answer: Answer, now: datetime) -> TokenGrant:
    data = answer.data if isinstance(answer.data, dict) else {}
    return TokenGrant(access_token=answer.field("access_token") or "",
                      refresh_token=answer.field("refresh_token"),
                      expires_at=expires_in(now, data.get("expires_in")))


def _client_id(app: OAuthApp) -> str:
    client_id = app.settings.get("client_id")
    if not client_id:
        raise OAuthRefused("the X channel has no client_id: add your X app's OAuth 2.0 Client ID")
    return client_id


def _api(app: OAuthApp) -> str:
    return (app.base_url or API_URL).rstrip("/")
