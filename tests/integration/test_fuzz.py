"""Schemathesis against the OpenAPI description the app serves: no input, however odd,
gives a 5xx. Runs over real HTTP against DynamoDB on moto's server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from chalicelib.http.openapi import spec
from tests.conftest import free_port
from tests.live import serve_app

schema = schemathesis.openapi.from_dict(spec())
# API Gateway answers methods it does not route itself; the local server's answer to TRACE
# says nothing about the app. Methods Chalice does route (PUT, DELETE) are still probed.
schema.config.phases.coverage.unexpected_methods = {"PUT", "DELETE"}


@pytest.fixture(scope="module")
def live_api(aws_endpoint: str) -> Iterator[str]:
    import boto3

    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.schema import table_definition

    name = f"freigabe-fuzz-{uuid.uuid4().hex[:8]}"
    boto3.client("dynamodb", endpoint_url=aws_endpoint).create_table(**table_definition(name))
    previous = os.environ.get("FREIGABE_TABLE")
    os.environ["FREIGABE_TABLE"] = name
    bootstrap.reset()
    with serve_app(free_port()) as url:
        yield url
    if previous is None:
        os.environ.pop("FREIGABE_TABLE", None)
    else:
        os.environ["FREIGABE_TABLE"] = previous
    bootstrap.reset()


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_input_gives_a_5xx(case: schemathesis.Case, live_api: str) -> None:
    case.headers = {**(case.headers or {}), "X-Freigabe-User": "fuzz.writer@freigabe.example"}
    response = case.call(base_url=live_api, timeout=10)
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()["message"], response.text
