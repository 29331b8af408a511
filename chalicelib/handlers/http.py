"""HTTP entry glue: the health check, and what the writers' API and page are handed."""

from __future__ import annotations

from chalice.app import Response

from chalicelib import bootstrap
from chalicelib.http.api import ApiDeps
from chalicelib.settings import get_settings
from chalicelib.web.routes import WebDeps


def health() -> Response:
    from chalicelib.services import health as health_service

    status, body = health_service.check(bootstrap.container().control)
    return Response(body=body, status_code=status)


class SlackPeople:
    """Writers' Slack accounts from the container's Slack directory, built only when a post is
    submitted (building it raises when Slack is not configured; writing tolerates that)."""

    def user_for_email(self, email: str) -> str | None:
        return bootstrap.container().directory.user_for_email(email)


def api_deps() -> ApiDeps:
    """What the API's routes need, from this process's container (built on first use)."""
    container = bootstrap.container()
    return ApiDeps(context=container.context(), settings=container.settings,
                   people=SlackPeople())


def default_language() -> str:
    return bootstrap.container().workflow.language


def web_deps() -> WebDeps:
    return WebDeps(settings=get_settings(), default_language=default_language)
