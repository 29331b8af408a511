"""Shared fixtures: a moto server over HTTP (the local AWS, as `make run` uses it), a fresh
table per test, the test workflow file, and a Chalice test client."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "tests" / "fixtures" / "workflow.toml"

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "FREIGABE_CONFIG": str(WORKFLOW),
    "FREIGABE_AUTH": "dev",
    "WEBHOOK_SECRET": "test-webhook-secret",
    "X_TOKEN": "test-x-token",
    "MASTODON_TOKEN": "test-mastodon-token",
    "BLUESKY_PASSWORD": "test-bluesky-password",
    "LINKEDIN_TOKEN": "test-linkedin-token",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


def pytest_configure(config: pytest.Config) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_LAMBDA_FUNCTION_NAME", "SLACK_BOT_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(TEST_ENV)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """moto's server on a free port, for the whole session."""
    from dev.aws import LocalAws, prepare_moto

    # moto's transactions are neither isolated nor cheap; the local stack patches them the
    # same way, so races are tested against DynamoDB's real semantics.
    prepare_moto()
    server = LocalAws("127.0.0.1", free_port())
    server.start()
    endpoint = server.endpoint
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    yield endpoint
    server.stop()


@pytest.fixture
def table(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh table (and publish queues) for one test; the app is pointed at it."""
    import boto3

    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.schema import table_definition

    name = f"freigabe-{uuid.uuid4().hex[:10]}"
    client = boto3.client("dynamodb", endpoint_url=aws_endpoint)
    client.create_table(**table_definition(name))
    monkeypatch.setenv("FREIGABE_TABLE", name)
    bootstrap.reset()
    yield name
    client.delete_table(TableName=name)
    bootstrap.reset()


@pytest.fixture
def dynamodb(aws_endpoint: str) -> Any:
    import boto3

    return boto3.client("dynamodb", endpoint_url=aws_endpoint)


@pytest.fixture
def client(table: str) -> Iterator[Any]:
    """Chalice's test client on the app, with a stage that sets no environment."""
    from chalice.test import Client

    import app as application

    with Client(application.app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client
