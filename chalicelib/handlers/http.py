"""HTTP entry glue: the health check, and what the writers' API and page are handed."""

from __future__ import annotations

from chalice.app import Response

from chalicelib import bootstrap
from chalicelib.http.admin import AdminDeps
from chalicelib.http.api import ApiDeps
from chalicelib.http.review_page import ReviewDeps
from chalicelib.settings import get_settings
from chalicelib.web.routes import WebDeps


def health() -> Response:
    from chalicelib.services import health as health_service

    container = bootstrap.container()

    def channels() -> dict[str, object]:
        from chalicelib.services import accounts

        return accounts.summary(accounts.health(container.channel_store,
                                                container.workflow.channels, container.clock()))

    status, body = health_service.check(container.control, channels)
    return Response(body=body, status_code=status)


class SlackPeople:
    """Writers' Slack accounts from the container's Slack directory, built only when a post is
    submitted (building it raises when Slack is not configured; writing tolerates that)."""

    def user_for_email(self, email: str) -> str | None:
        return bootstrap.container().directory.user_for_email(email)


def api_deps() -> ApiDeps:
    """What the API's routes need, from this process's container (built on first use)."""
    from chalicelib.services.answered import conversation

    container = bootstrap.container()
    return ApiDeps(context=container.context(), settings=container.settings,
                   people=SlackPeople(),
                   conversation=lambda post: conversation(container.conversations,
                                                          container.repository, post))


def admin_deps() -> AdminDeps:
    """What the admins' channel routes need."""
    container = bootstrap.container()
    return AdminDeps(accounts=container.accounts(), settings=container.settings)


def default_language() -> str:
    return bootstrap.container().workflow.language


def web_deps() -> WebDeps:
    return WebDeps(settings=get_settings(), default_language=default_language)


def review_deps() -> ReviewDeps:
    """What the external review routes need; the link key is read on first use (a secret
    reference, cached with the container's other secrets)."""
    container = bootstrap.container()
    settings = container.settings

    def link_key() -> bytes | None:
        reference = settings.link_key.strip()
        if not reference:
            return None
        return container.secrets.resolve(reference).encode("utf-8")

    return ReviewDeps(context=container.context(), settings=settings, link_key=link_key)
