"""Stand-ins for each network's publishing API, following its documentation: paths, auth,
body shapes, status codes and error bodies. ``start(network)`` returns a running one.
"""

from __future__ import annotations

import hashlib
import hmac

from tests.standins.bluesky import BlueskyStandin
from tests.standins.facebook import FacebookPageStandin
from tests.standins.linkedin import LinkedInStandin, render_little_text
from tests.standins.mastodon import MastodonStandin
from tests.standins.server import HANG_SECONDS, Recorded, Reply, Standin
from tests.standins.x import XStandin

__all__ = ["STANDINS", "BlueskyStandin", "FacebookPageStandin", "LinkedInStandin", "MastodonStandin",
           "WebhookStandin", "XStandin", "render_little_text", "start"]


class WebhookStandin(Standin):
    """A receiver that verifies X-Freigabe-Signature before accepting anything."""

    network = "webhook"
    secret = "webhook-shared-secret"
    path_prefix = "/hooks/freigabe"
    publish_path = "/hooks/freigabe"

    def handle(self, request: Recorded) -> Reply:
        expected = "sha256=" + hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("x-freigabe-signature", ""), expected):
            return self.unauthorized()
        document = request.json()
        delivery = request.headers.get("x-freigabe-delivery")
        if not isinstance(document, dict) or document.get("delivery_id") != delivery:
            return Reply(400, {"message": "delivery id missing or not matching the header"})
        self.posts.append(document | {"signature_valid": True})
        return Reply(202, {"received": delivery})

    def unauthorized(self) -> Reply:
        return Reply(401, {"message": "signature does not match"})

    def throttled(self) -> Reply:
        return Reply(429, {"message": "slow down"}, {"Retry-After": "1"})

    def unavailable(self) -> Reply:
        return Reply(503, {"message": "receiver under maintenance"}, {"Retry-After": "1"})

    def server_error(self) -> Reply:
        return Reply(500, {"message": "receiver crashed"})


STANDINS: dict[str, type[Standin]] = {
    cls.network: cls
    for cls in (
        MastodonStandin,
        BlueskyStandin,
        LinkedInStandin,
        XStandin,
        FacebookPageStandin,
        WebhookStandin,
    )
}


def start(network: str, *, hang_seconds: float = HANG_SECONDS) -> Standin:
    """A running stand-in for ``network`` (a channel type); call ``.stop()`` when done."""
    return STANDINS[network](hang_seconds)
