"""The admins' workflow routes (CONTRACT §10, docs/api.md "Admin: workflow").

``GET /api/admin/workflow`` the current version (its number, the file's data as JSON, its
TOML); ``PUT /api/admin/workflow`` ``{"version", "workflow"}`` or ``{"version", "toml"}`` saves
the next version (422 naming each problem's key path, 409 when ``version`` is not the current
one any more); ``GET /api/admin/workflow/versions`` every version, newest first, with who saved
it, when and what changed; ``GET /api/admin/workflow/versions/{n}`` one version with its text.
Admins of the web page only (403 for anyone else). Routes receive their dependencies from the
provider the entry layer hands to ``build_workflow_admin``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.workflow_versions import InvalidWorkflow, Problem
from chalicelib.http.support import error_response, identity, json_api, language
from chalicelib.services import workflow_admin
from chalicelib.services.workflow_admin import WorkflowAdmin
from chalicelib.settings import Settings

MAX_BODY_BYTES = 400_000
MAX_DEPTH = 12  # the file nests four deep (brands.steps.checklist.label); room to spare

TEXTS: dict[str, dict[str, str]] = {
    "not_workflow_admin": {
        "en": "Only the web page's admins may change the workflow (admin_emails in the workflow).",
        "de": "Nur die Admins der Webseite dürfen den Workflow ändern (admin_emails im Workflow)."},
    "workflow_locks_out": {
        "en": "This workflow no longer lists you ({email}) in admin_emails, so you could not "
              "change it back. Nothing was saved.",
        "de": "Dieser Workflow führt Sie ({email}) nicht mehr unter admin_emails, Sie könnten "
              "ihn also nicht zurückändern. Es wurde nichts gespeichert."},
    "workflow_stale": {
        "en": "Someone saved the workflow in the meantime (now version {version}). Please "
              "reload it and make your change again. Nothing was saved.",
        "de": "Jemand hat den Workflow inzwischen gespeichert (jetzt Version {version}). Bitte "
              "laden Sie ihn neu und ändern Sie ihn erneut. Es wurde nichts gespeichert."},
    "workflow_not_valid": {
        "en": "The workflow is not valid ({count} problem(s)). Nothing was saved.",
        "de": "Der Workflow ist nicht gültig ({count} Problem(e)). Es wurde nichts gespeichert."},
    "body": {
        "en": "Please send the version you edited and either the workflow or its TOML text as "
              "JSON: {{\"version\": 3, \"workflow\": {{…}}}} or {{\"version\": 3, "
              "\"toml\": \"…\"}}. Nothing was saved.",
        "de": "Bitte senden Sie die bearbeitete Version und entweder den Workflow oder seinen "
              "TOML-Text als JSON: {{\"version\": 3, \"workflow\": {{…}}}} oder "
              "{{\"version\": 3, \"toml\": \"…\"}}. Es wurde nichts gespeichert."},
    "too_large": {"en": "The workflow is too large.", "de": "Der Workflow ist zu groß."},
    "no_version": {"en": "There is no version {version}.", "de": "Es gibt keine Version {version}."},
}

# What each kind of problem means, in the reader's words; the model's own detail (English, as
# in the file's error messages) follows where the kind alone does not say enough.
PROBLEMS: dict[str, dict[str, str]] = {
    "missing": {"en": "is required", "de": "fehlt"},
    "extra_forbidden": {"en": "is not a known key", "de": "ist kein bekannter Schlüssel"},
    "string_pattern_mismatch": {"en": "does not have the expected form",
                                "de": "hat nicht die erwartete Form"},
    "string_too_short": {"en": "must not be empty", "de": "darf nicht leer sein"},
    "too_short": {"en": "needs at least one entry", "de": "braucht mindestens einen Eintrag"},
    "string_too_long": {"en": "is too long", "de": "ist zu lang"},
    "literal_error": {"en": "is not one of the allowed values",
                      "de": "ist keiner der erlaubten Werte"},
    "union_tag_invalid": {"en": "is not a known channel type", "de": "ist kein bekannter Kanaltyp"},
    "greater_than": {"en": "is too small", "de": "ist zu klein"},
    "greater_than_equal": {"en": "is too small", "de": "ist zu klein"},
    "less_than_equal": {"en": "is too large", "de": "ist zu groß"},
    "toml": {"en": "is not valid TOML", "de": "ist kein gültiges TOML"},
    "too_long": {"en": "is too large", "de": "ist zu groß"},
    "type": {"en": "has the wrong type", "de": "hat den falschen Typ"},
    "value_error": {"en": "is not valid", "de": "ist nicht gültig"},
}


def text(key: str, lang: str, **params: Any) -> str:
    entry = TEXTS[key]
    return (entry.get(lang) or entry["en"]).format(**params)


def problem_text(problem: Problem, lang: str) -> str:
    kind = problem.kind
    if kind not in PROBLEMS:
        kind = "type" if kind.endswith(("_type", "_parsing")) else "value_error"
    said = PROBLEMS[kind].get(lang) or PROBLEMS[kind]["en"]
    plain = kind in ("missing", "extra_forbidden", "string_too_short", "union_tag_invalid")
    return said if plain else f"{said}: {problem.detail}"


@dataclass(frozen=True)
class WorkflowAdminDeps:
    admin: WorkflowAdmin
    settings: Settings
    is_admin: Callable[[str], bool]  # an e-mail -> one of the web page's admins
    default_language: Callable[[], str]


def build_workflow_admin(deps: Callable[[], WorkflowAdminDeps]) -> Blueprint:
    routes = Blueprint(__name__)
    route = json_api(lambda: routes.current_request, lambda: deps().default_language())

    def answered(request: Request, given: WorkflowAdminDeps,
                 work: Callable[[str], tuple[int, dict[str, Any]]]) -> Response | tuple[
                     int, dict[str, Any]]:
        lang = language(request, given.default_language())
        caller = identity(request, given.settings)
        try:
            workflow_admin.require_admin(given.is_admin(caller.email))
            return work(caller.email)
        except InvalidWorkflow as err:
            return error_response(
                422, text("workflow_not_valid", lang, count=len(err.problems)),
                error="workflow_not_valid",
                problems=[{"path": p.path, "kind": p.kind, "message": problem_text(p, lang),
                           "detail": p.detail} for p in err.problems])
        except Conflict as err:
            return error_response(409, text("workflow_stale", lang, **err.params),
                                  error="workflow_stale", version=err.params.get("version"))
        except Forbidden as err:
            key = err.key if err.key in TEXTS else "not_workflow_admin"
            return error_response(403, text(key, lang, **err.params), error=key)

    @routes.route("/api/admin/workflow", methods=["GET"])
    @route
    def current_workflow(request: Request) -> Response | tuple[int, dict[str, Any]]:
        given = deps()
        return answered(request, given, lambda _: (
            200, workflow_admin.to_api(workflow_admin.current(given.admin))))

    @routes.route("/api/admin/workflow", methods=["PUT"])
    @route
    def save_workflow(request: Request) -> Response | tuple[int, dict[str, Any]]:
        given = deps()
        lang = language(request, given.default_language())

        def work(email: str) -> tuple[int, dict[str, Any]]:
            expected, data, toml = _save_body(request)
            saved = workflow_admin.save(given.admin, email, expected, data=data, text=toml)
            return 200, {**workflow_admin.to_api(saved), **workflow_admin.summary(saved)}

        try:
            return answered(request, given, work)
        except _BadBody as err:
            return error_response(err.status, text(err.key, lang), error=err.key)

    @routes.route("/api/admin/workflow/versions", methods=["GET"])
    @route
    def versions(request: Request) -> Response | tuple[int, dict[str, Any]]:
        given = deps()
        return answered(request, given, lambda _: (200, {"versions": [
            workflow_admin.summary(v) for v in workflow_admin.history(given.admin)]}))

    @routes.route("/api/admin/workflow/versions/{number}", methods=["GET"])
    @route
    def one_version(request: Request, number: str) -> Response | tuple[int, dict[str, Any]]:
        given = deps()
        lang = language(request, given.default_language())

        def work(_: str) -> tuple[int, dict[str, Any]]:
            found = (workflow_admin.version(given.admin, int(number))
                     if number.isdigit() and len(number) < 9 else None)
            if found is None:
                raise _BadBody(404, "no_version")
            return 200, {**workflow_admin.to_api(found), **workflow_admin.summary(found)}

        try:
            return answered(request, given, work)
        except _BadBody as err:
            return error_response(err.status, text(err.key, lang, version=number[:12]),
                                  error=err.key)

    return routes


class _BadBody(Exception):
    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status, self.key = status, key


def _save_body(request: Request) -> tuple[int, dict[str, Any] | None, str | None]:
    """``(version, workflow, toml)`` of a PUT, exactly one of the last two given."""
    content_type = (request.headers.get("content-type") or "application/json").split(";")[0]
    if content_type.strip().lower() != "application/json":
        raise _BadBody(415, "body")
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise _BadBody(413, "too_large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _BadBody(400, "body") from None
    if not isinstance(data, dict) or set(data) - {"version", "workflow", "toml"}:
        raise _BadBody(422, "body")
    expected, workflow, toml = data.get("version"), data.get("workflow"), data.get("toml")
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        raise _BadBody(422, "body")
    if (workflow is None) == (toml is None):
        raise _BadBody(422, "body")
    if workflow is not None and (not isinstance(workflow, dict) or _depth(workflow) > MAX_DEPTH):
        raise _BadBody(422, "body")
    if toml is not None and not isinstance(toml, str):
        raise _BadBody(422, "body")
    return expected, workflow, toml


def _depth(value: Any) -> int:
    """How deeply JSON nests (without recursion: the body may be made to exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(
            node, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest
