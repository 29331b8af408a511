"""Entry glue for connecting accounts: what the OAuth routes are handed, and the expiry
warnings the reminders schedule runs."""

from __future__ import annotations

import logging

from chalicelib import bootstrap
from chalicelib.http.oauth_routes import OAuthDeps

log = logging.getLogger("freigabe.connect")


def oauth_deps() -> OAuthDeps:
    container = bootstrap.container()
    return OAuthDeps(connect=container.connect(container.public_url),
                     settings=container.settings, workflow=container.workflow)


def warn_expiring() -> dict[str, int]:
    """Admins hear 7 days and 1 day before a token that cannot be refreshed ends, and when a
    channel stopped working; each once."""
    from chalicelib.services import connect

    container = bootstrap.container()
    counts = connect.warn_expiring(container.connect(container.public_url),
                                   container.channel_store.list())
    if counts["warned"] or counts["stopped"]:
        log.info("channel warnings", extra=counts)
    return counts
