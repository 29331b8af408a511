"""The connect flow of each network type, by the channel's ``type``."""

from __future__ import annotations

from chalicelib.adapters.oauth.facebook_page import FacebookPageOAuth
from chalicelib.adapters.oauth.linkedin import LinkedInOAuth
from chalicelib.adapters.oauth.mastodon import MastodonOAuth
from chalicelib.adapters.oauth.x import XOAuth
from chalicelib.domain.oauth import OAuthNetwork

NETWORKS: dict[str, OAuthNetwork] = {
    "mastodon": MastodonOAuth(), "x": XOAuth(), "linkedin": LinkedInOAuth(),
    "facebook_page": FacebookPageOAuth(),
}


def network_for(channel_type: str) -> OAuthNetwork | None:
    return NETWORKS.get(channel_type)
