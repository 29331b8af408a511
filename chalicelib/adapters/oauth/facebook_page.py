"""Facebook Page: Facebook Login (authorization code) gives a short-lived user token, which is
exchanged for a long-lived user token (about 60 days); the chosen Page's token from
/me/accounts is then itself long-lived (no expiry while the user keeps the Page role and the
app's permissions), so there is nothing to refresh. Graph API version in the paths."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.oauth.http import refusal, request, token_answer
from chalicelib.domain.oauth import Authorization, OAuthApp, OAuthRefused, Pkce, TokenGrant

GRAPH_VERSION = "v23.0"
AUTH_URL = f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"
GRAPH_URL = "https://graph.facebook.com"
SCOPES = "pages_show_list,pages_manage_posts,pages_read_engagement"
NETWORK = "Facebook"
_VERSIONED = re.compile(r"/v\d+\.\d+$")  # a base_url may name the Graph API version


class FacebookPageOAuth:
    refreshable = False

    def authorize(self, app: OAuthApp, state: str, pkce: Pkce) -> Authorization:
        query = {"response_type": "code", "client_id": _client_id(app),
                 "redirect_uri": app.redirect_uri, "state": state, "scope": SCOPES}
        return Authorization(f"{app.settings.get('auth_url') or AUTH_URL}?{urlencode(query)}")

    def exchange(self, app: OAuthApp, code: str, verifier: str, now: datetime) -> TokenGrant:
        graph = (app.base_url or GRAPH_URL).rstrip("/")
        if not _VERSIONED.search(graph):
            graph += f"/{GRAPH_VERSION}"
        token_url = app.settings.get("token_url") or f"{graph}/oauth/access_token"
        short = token_answer(request("GET", token_url + "?" + urlencode({
            "client_id": _client_id(app), "client_secret": app.client_secret or "",
            "redirect_uri": app.redirect_uri, "code": code}), network=NETWORK), NETWORK)
        long = token_answer(request("GET", token_url + "?" + urlencode({
            "grant_type": "fb_exchange_token", "client_id": _client_id(app),
            "client_secret": app.client_secret or "",
            "fb_exchange_token": short.field("access_token") or ""}), network=NETWORK), NETWORK)
        pages = request("GET", f"{graph}/me/accounts?" + urlencode({
            "fields": "id,name,access_token", "access_token": long.field("access_token") or ""}),
            network=NETWORK)
        if not pages.ok:
            raise refusal(pages, NETWORK)
        page = _chosen(pages.data, app.settings.get("page_id"))
        return TokenGrant(access_token=str(page["access_token"]), account=str(page.get("name")),
                          settings={"page_id": str(page["id"])})

    def refresh(self, app: OAuthApp, refresh_token: str, now: datetime) -> TokenGrant:
        raise OAuthRefused("Facebook Page tokens cannot be refreshed: connect the Page again")


def _chosen(data: Any, page_id: str | None) -> dict[str, Any]:
    pages = [page for page in (data.get("data") if isinstance(data, dict) else None) or []
             if isinstance(page, dict) and page.get("id") and page.get("access_token")]
    if page_id:
        pages = [page for page in pages if str(page["id"]) == page_id]
    if len(pages) == 1:
        return pages[0]
    if not pages:
        raise OAuthRefused("Facebook gave no Page for this account"
                           + (f" with the id {page_id}" if page_id else "")
                           + ": the signed-in user must manage the Page and grant the app access")
    raise OAuthRefused("this Facebook user manages several Pages: set page_id on the channel")


def _client_id(app: OAuthApp) -> str:
    client_id = app.settings.get("client_id")
    if not client_id or not app.client_secret:
        raise OAuthRefused("the Facebook channel needs the App ID (client_id) and App Secret "
                           "(client_secret) of your Meta app")
    return client_id
