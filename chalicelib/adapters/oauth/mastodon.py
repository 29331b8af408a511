"""Mastodon: the app is registered on the instance by itself (POST /api/v1/apps, once per
instance and redirect URI), then the authorization code flow with PKCE (Mastodon 4.3+ checks it,
older instances ignore it). Mastodon's user tokens do not expire and there is no refresh."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from chalicelib.adapters.oauth.http import refusal, request, token_answer
from chalicelib.domain.oauth import Authorization, OAuthApp, OAuthRefused, Pkce, TokenGrant

SCOPES = "write:statuses write:media read:notifications"
CLIENT_NAME = "Freigabe"
NETWORK = "Mastodon"


class MastodonOAuth:
    refreshable = False

    def authorize(self, app: OAuthApp, state: str, pkce: Pkce) -> Authorization:
        base = _base(app)
        settings = dict(app.settings)
        client_secret = app.client_secret
        if not settings.get("client_id") or not client_secret \
                or settings.get("redirect_uri") != app.redirect_uri:
            answer = request("POST", f"{base}/api/v1/apps", network=NETWORK, json_body={
                "client_name": CLIENT_NAME, "redirect_uris": app.redirect_uri, "scopes": SCOPES})
            client_id, client_secret = answer.field("client_id"), answer.field("client_secret")
            if not answer.ok or not client_id or not client_secret:
                raise refusal(answer, NETWORK)
            settings.update({"client_id": client_id, "redirect_uri": app.redirect_uri})
        query = {"response_type": "code", "client_id": settings["client_id"],
                 "redirect_uri": app.redirect_uri, "scope": SCOPES, "state": state,
                 "code_challenge": pkce.challenge, "code_challenge_method": "S256"}
        auth_url = app.settings.get("auth_url") or f"{base}/oauth/authorize"
        return Authorization(f"{auth_url}?{urlencode(query)}",
                             settings={"client_id": settings["client_id"],
                                       "redirect_uri": app.redirect_uri},
                             client_secret=client_secret)

    def exchange(self, app: OAuthApp, code: str, verifier: str, now: datetime) -> TokenGrant:
        base = _base(app)
        token_url = app.settings.get("token_url") or f"{base}/oauth/token"
        answer = token_answer(request("POST", token_url, network=NETWORK, form={
            "grant_type": "authorization_code", "code": code,
            "client_id": app.settings.get("client_id", ""),
            "client_secret": app.client_secret or "", "redirect_uri": app.redirect_uri,
            "scope": SCOPES, "code_verifier": verifier}), NETWORK)
        token = answer.field("access_token") or ""
        me = request("GET", f"{base}/api/v1/accounts/verify_credentials", network=NETWORK,
                     headers={"Authorization": f"Bearer {token}"})
        if not me.ok:
            raise refusal(me, NETWORK)
        return TokenGrant(access_token=token, account=me.field("acct") or me.field("username"))

    def refresh(self, app: OAuthApp, refresh_token: str, now: datetime) -> TokenGrant:
        raise OAuthRefused("Mastodon tokens cannot be refreshed: connect the account again")


def _base(app: OAuthApp) -> str:
    if not app.base_url:
        raise OAuthRefused("the Mastodon channel has no base_url (the instance's address)")
    return app.base_url.rstrip("/")
