"""Freigabe's entry points. Each hands over to a service; no logic lives here."""

from __future__ import annotations

from collections.abc import Callable

from chalice import Chalice, Rate, Response
from chalice.app import Request, SQSEvent

from chalicelib.http.api import api

app = Chalice(app_name="freigabe")
app.register_blueprint(api)


@app.middleware("http")
def in_writers_words(request: Request, get_response: Callable[[Request], Response]) -> Response:
    from chalicelib.http import middleware

    return middleware.handle(request, get_response)


@app.route("/health", methods=["GET"])
def health() -> Response:
    from chalicelib import entrypoints

    return entrypoints.health()


@app.schedule(Rate(1, unit=Rate.MINUTES), name="publish_due")
def publish_due(event: object) -> dict[str, int]:
    from chalicelib import entrypoints

    return entrypoints.publish_due()


@app.on_sqs_message(queue="freigabe-publish", batch_size=10, name="publish_worker")
def publish_worker(event: SQSEvent) -> dict[str, object]:
    from chalicelib import entrypoints

    return entrypoints.publish_worker(event.to_dict(), event.context)
