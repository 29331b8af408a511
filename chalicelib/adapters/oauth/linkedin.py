"""LinkedIn: 3-legged OAuth 2.0 for a member (``w_member_social``; ``openid profile`` tell who
it is, so posts go out as ``urn:li:person:<sub>``) or an organization page the member
administers (``w_organization_social``; the page's URN is the channel's ``author`` setting).
Access tokens last 60 days; a refresh token (a year) comes only to apps LinkedIn approved for
it, so most connections cannot be refreshed and are warned about before they expire."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from chalicelib.adapters.oauth.http import Answer, refusal, request, token_answer
from chalicelib.domain.oauth import (
    Authorization,
    OAuthApp,
    OAuthRefused,
    Pkce,
    TokenGrant,
    expires_in,
)

AUTH_URL = "https://www.linkedin.com/oauth/v2/authorization"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"  # noqa: S105 - an address
API_URL = "https://api.linkedin.com"
MEMBER_SCOPES = "openid profile w_member_social"
ORGANIZATION_SCOPES = "openid profile w_organization_social"
NETWORK = "LinkedIn"


def for_organization(app: OAuthApp) -> bool:
    return app.settings.get("author", "").startswith("urn:li:organization:")


class LinkedInOAuth:
    refreshable = True  # only where LinkedIn granted a refresh token

    def authorize(self, app: OAuthApp, state: str, pkce: Pkce) -> Authorization:
        scopes = ORGANIZATION_SCOPES if for_organization(app) else MEMBER_SCOPES
        query = {"response_type": "code", "client_id": _client_id(app),
                 "redirect_uri": app.redirect_uri, "state": state, "scope": scopes}
        return Authorization(f"{app.settings.get('auth_url') or AUTH_URL}?{urlencode(query)}")

    def exchange(self, app: OAuthApp, code: str, verifier: str, now: datetime) -> TokenGrant:
        grant = _grant(self._token(app, {"grant_type": "authorization_code", "code": code,
                                         "redirect_uri": app.redirect_uri}), now)
        me = request("GET", f"{_api(app)}/v2/userinfo", network=NETWORK,
                     headers={"Authorization": f"Bearer {grant.access_token}"})
        if not me.ok:
            raise refusal(me, NETWORK)
        settings: dict[str, str] = {}
        if not for_organization(app) and me.field("sub"):
            settings["author"] = f"urn:li:person:{me.field('sub')}"
        name = me.field("name") or me.field("sub")
        return TokenGrant(grant.access_token, grant.refresh_token, grant.expires_at,
                          grant.refresh_expires_at, account=name, settings=settings)

    def refresh(self, app: OAuthApp, refresh_token: str, now: datetime) -> TokenGrant:
        return _grant(self._token(app, {"grant_type": "refresh_token",
                                        "refresh_token": refresh_token}), now)

    def _token(self, app: OAuthApp, form: dict[str, str]) -> Answer:
        url = app.settings.get("token_url") or TOKEN_URL
        return token_answer(request("POST", url, network=NETWORK, form={
            **form, "client_id": _client_id(app), "client_secret": app.client_secret or ""}),
            NETWORK)


def _grant(answer: Answer, now: datetime) -> TokenGrant:
    data = answer.data if isinstance(answer.data, dict) else {}
    return TokenGrant(access_token=answer.field("access_token") or "",
                      refresh_token=answer.field("refresh_token"),
                      expires_at=expires_in(now, data.get("expires_in")),
                      refresh_expires_at=expires_in(now, data.get("refresh_token_expires_in")))


def _client_id(app: OAuthApp) -> str:
    client_id = app.settings.get("client_id")
    if not client_id or not app.client_secret:
        raise OAuthRefused("the LinkedIn channel needs the client_id and client_secret "
                           "of your LinkedIn app")
    return client_id


def _api(app: OAuthApp) -> str:
    return (app.base_url or API_URL).rstrip("/")
