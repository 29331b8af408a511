"""Freigabe's entry points. Each hands over to a handler in a line or two; no logic lives here."""
# ruff: noqa: E402 - chalicelib.coldstart comes first, before the imports it is about

from __future__ import annotations

from chalicelib import coldstart

coldstart.begin()  # before the imports below: no garbage collection until the first answer

from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, DynamoDBEvent, Rate, Request, Response, SQSEvent

from chalicelib.handlers import away as away_handlers
from chalicelib.handlers import evidence as evidence_handlers
from chalicelib.handlers import http as http_handlers
from chalicelib.handlers import oauth as oauth_handlers
from chalicelib.handlers import stats as stats_handlers
from chalicelib.handlers import workflow_admin as workflow_admin_handlers
from chalicelib.http.admin import build_admin
from chalicelib.http.api import build_api
from chalicelib.http.away_routes import build_away_routes
from chalicelib.http.evidence_routes import build_evidence_routes
from chalicelib.http.oauth_routes import build_oauth_routes
from chalicelib.http.review_page import build_review_page
from chalicelib.http.stats_routes import build_stats_routes
from chalicelib.http.workflow_admin_routes import build_workflow_admin
from chalicelib.web.routes import build_web

# configure_logs=False: Chalice would set our loggers to ERROR and stop them reaching
# Lambda's JSON log handler.
app = Chalice(app_name="freigabe", configure_logs=False)
app.register_blueprint(build_api(http_handlers.api_deps))
app.register_blueprint(build_web(http_handlers.web_deps))
app.register_blueprint(build_review_page(http_handlers.review_deps))
app.register_blueprint(build_oauth_routes(oauth_handlers.oauth_deps))
app.register_blueprint(build_evidence_routes(evidence_handlers.evidence_deps))
app.register_blueprint(build_admin(http_handlers.admin_deps))
app.register_blueprint(build_away_routes(away_handlers.away_deps))
app.register_blueprint(build_workflow_admin(workflow_admin_handlers.workflow_admin_deps))
app.register_blueprint(build_stats_routes(stats_handlers.stats_deps))


@app.middleware("all")
def settled_after_first(event: Any, get_response: Callable[[Any], Any]) -> Any:
    try:
        return get_response(event)
    finally:
        coldstart.settle(collect=not isinstance(event, Request))


@app.middleware("http")
def in_writers_words(request: Request, get_response: Callable[[Request], Response]) -> Response:
    from chalicelib.http import middleware

    return middleware.handle(request, get_response, http_handlers.default_language)


@app.route("/health", methods=["GET"])
def health() -> Response:
    return http_handlers.health()


# Chalice needs a literal ARN here; infra/ replaces it with the table's stream at deploy.
TABLE_STREAM = "arn:aws:dynamodb:eu-central-1:000000000000:table/freigabe/stream/set-at-deploy"


@app.route("/slack/events", methods=["POST"],
           content_types=["application/x-www-form-urlencoded", "application/json"])
def slack_events() -> Response:
    from chalicelib.handlers import slack

    assert app.current_request is not None
    return slack.events(app, app.current_request)


@app.on_dynamodb_record(stream_arn=TABLE_STREAM, batch_size=50, starting_position="TRIM_HORIZON",
                        name="relay_changes")
def relay_changes(event: DynamoDBEvent) -> dict[str, object]:
    from chalicelib.handlers import stream

    return stream.relay_changes(event.to_dict(), event.context)


@app.schedule(Rate(15, unit=Rate.MINUTES), name="send_reminders")
def send_reminders(event: object) -> dict[str, int]:
    from chalicelib.handlers import schedule

    return schedule.send_reminders()


@app.schedule(Rate(1, unit=Rate.MINUTES), name="listen")
def listen(event: object) -> dict[str, int]:
    from chalicelib.handlers import listening

    return listening.listen()


@app.schedule(Rate(1, unit=Rate.MINUTES), name="publish_due")
def publish_due(event: object) -> dict[str, int]:
    from chalicelib.handlers import schedule

    return schedule.publish_due()


@app.on_sqs_message(queue="freigabe-publish", batch_size=10, name="publish_worker")
def publish_worker(event: SQSEvent) -> dict[str, object]:
    from chalicelib.handlers import queue

    return queue.publish_worker(event.to_dict(), event.context)
