"""Freigabe's entry points. Each hands over to a service; no logic lives here."""

from __future__ import annotations

from collections.abc import Callable

from chalice import Chalice, Rate, Response
from chalice.app import DynamoDBEvent, Request, SQSEvent

from chalicelib.http.api import api
from chalicelib.web.routes import web

# configure_logs=False: Chalice would set our loggers to ERROR and stop them reaching
# Lambda's JSON log handler.
app = Chalice(app_name="freigabe", configure_logs=False)
app.register_blueprint(api)
app.register_blueprint(web)


@app.middleware("http")
def in_writers_words(request: Request, get_response: Callable[[Request], Response]) -> Response:
    from chalicelib.http import middleware

    return middleware.handle(request, get_response)


@app.route("/health", methods=["GET"])
def health() -> Response:
    from chalicelib import entrypoints

    return entrypoints.health()


# Chalice needs a literal ARN here; infra/ replaces it with the table's stream at deploy.
TABLE_STREAM = "arn:aws:dynamodb:eu-central-1:000000000000:table/freigabe/stream/set-at-deploy"


@app.route("/slack/events", methods=["POST"],
           content_types=["application/x-www-form-urlencoded", "application/json"])
def slack_events() -> Response:
    from chalicelib import entry_slack

    assert app.current_request is not None
    return entry_slack.handle(app.current_request, app.lambda_context)


@app.on_dynamodb_record(stream_arn=TABLE_STREAM, batch_size=50, starting_position="TRIM_HORIZON",
                        name="relay_changes")
def relay_changes(event: DynamoDBEvent) -> dict[str, object]:
    from chalicelib import entrypoints

    return entrypoints.relay_changes(event.to_dict(), event.context)


@app.schedule(Rate(15, unit=Rate.MINUTES), name="send_reminders")
def send_reminders(event: object) -> dict[str, int]:
    from chalicelib import entry_slack

    return entry_slack.send_reminders()


@app.schedule(Rate(1, unit=Rate.MINUTES), name="publish_due")
def publish_due(event: object) -> dict[str, int]:
    from chalicelib import entry_publish

    return entry_publish.publish_due()


@app.on_sqs_message(queue="freigabe-publish", batch_size=10, name="publish_worker")
def publish_worker(event: SQSEvent) -> dict[str, object]:
    from chalicelib import entry_publish

    return entry_publish.publish_worker(event.to_dict(), event.context)
