"""What the admins' workflow routes are handed (http/workflow_admin_routes.py)."""

from __future__ import annotations

from chalicelib import bootstrap
from chalicelib.http.workflow_admin_routes import WorkflowAdminDeps


def workflow_admin_deps() -> WorkflowAdminDeps:
    container = bootstrap.container()

    def is_admin(email: str) -> bool:
        # The current version's admins: a saved version that drops someone takes effect at once.
        return container.workflow.is_web_admin(email)

    def default_language() -> str:
        return container.workflow.language

    return WorkflowAdminDeps(admin=container.workflow_admin(), settings=container.settings,
                             is_admin=is_admin, default_language=default_language)
