"""Entry glue for the web page's Away form: what its routes are handed, from this process's
container (Slack's directory built only when a call asks it)."""

from __future__ import annotations

from chalicelib import bootstrap
from chalicelib.handlers.http import SlackPeople
from chalicelib.http.away_routes import AwayDeps


class SlackMembers:
    """People, bots and strangers, as the container's Slack directory tells them."""

    def member_kind(self, user_id: str) -> str:
        return bootstrap.container().directory.member_kind(user_id)


def away_deps() -> AwayDeps:
    from chalicelib.handlers.evidence import SlackGroups
    from chalicelib.services import deputies

    container = bootstrap.container()
    context = container.context()

    def is_reviewer(user_id: str) -> bool:
        return deputies.is_reviewer(context, user_id, SlackGroups())

    def email_of(user_id: str) -> str | None:
        return container.directory.profile(user_id).email

    return AwayDeps(context=context, settings=container.settings, people=SlackPeople(),
                    members=SlackMembers(), is_reviewer=is_reviewer, email_of=email_of)
