"""The figures (docs/api.md "Analytics"): `GET /api/stats?from=&to=&brand=`.

For anyone signed in, like the calendar: the figures say how the team's reviews go, not what
any post says (facts hold no text). ``from`` and ``to`` are UTC days (``YYYY-MM-DD``, or an
ISO-8601 instant), both inclusive; without them the last 30 days. Routes receive their
dependencies from the provider the entry layer hands to ``build_stats_routes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib.http.support import error_response, identity, json_api, language
from chalicelib.services.ports import StatsStore
from chalicelib.settings import Settings

TEXTS: dict[str, dict[str, str]] = {
    "stats_period_invalid": {
        "en": "Please give the period as days (YYYY-MM-DD), e.g. from=2026-11-01&to=2026-11-30.",
        "de": "Bitte geben Sie den Zeitraum als Tage an (JJJJ-MM-TT), z. B. "
              "from=2026-11-01&to=2026-11-30.",
    },
    "stats_period_reversed": {
        "en": "The period ends before it begins: 'to' must not be earlier than 'from'.",
        "de": "Der Zeitraum endet, bevor er beginnt: „to“ darf nicht vor „from“ liegen.",
    },
    "stats_period_too_long": {
        "en": "Please choose a period of at most 366 days.",
        "de": "Bitte wählen Sie einen Zeitraum von höchstens 366 Tagen.",
    },
    "stats_unknown_brand": {
        "en": "There is no brand named '{brand}'. Known brands: {known}.",
        "de": "Es gibt keine Marke „{brand}“. Bekannte Marken: {known}.",
    },
}


def text(key: str, lang: str, **params: Any) -> str:
    entry = TEXTS[key]
    return (entry.get(lang) or entry["en"]).format(**params)


@dataclass(frozen=True)
class StatsDeps:
    store: StatsStore
    settings: Settings
    clock: Callable[[], datetime]
    answer_within_hours: Callable[[str], float]
    language: Callable[[], str]
    brands: Callable[[], tuple[str, ...]]


def build_stats_routes(deps: Callable[[], StatsDeps]) -> Blueprint:
    """``deps`` is called per request (and builds on first use)."""
    routes = Blueprint(__name__)
    route = json_api(lambda: routes.current_request, lambda: deps().language())

    @routes.route("/api/stats", methods=["GET"])
    @route
    def figures(request: Request) -> tuple[int, dict[str, Any]] | Response:
        from chalicelib.services import analytics

        given = deps()
        identity(request, given.settings)
        lang = language(request, given.language())
        params: dict[str, str] = dict(request.query_params or {})
        brand = (params.get("brand") or "").strip() or None
        known = given.brands()
        if brand is not None and brand not in known:
            return error_response(422, text("stats_unknown_brand", lang, brand=brand[:60],
                                            known=", ".join(known)), error="stats_unknown_brand")
        today = given.clock().astimezone(UTC).date()
        try:
            first, last = analytics.period(params.get("from"), params.get("to"), today)
        except analytics.InvalidPeriod as err:
            return error_response(422, text(err.key, lang), error=err.key)
        return 200, analytics.stats(given.store, first, last, brand, given.answer_within_hours,
                                    today)

    return routes
