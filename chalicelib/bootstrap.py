"""The composition root: the one place that builds real adapters and hands them to services.

Everything is built on first use and cached for the life of the Lambda container, so a cold
start imports only what the invoked function needs.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient  # pragma: no cover


@cache
def aws_client(service: str) -> Any:
    """A boto3 client; endpoints come from boto3's own AWS_ENDPOINT_URL* variables."""
    import boto3

    return boto3.session.Session().client(service)


def dynamodb() -> DynamoDBClient:
    return aws_client("dynamodb")  # type: ignore[no-any-return]


def reset() -> None:
    """Forget every cached adapter (tests point the process at another environment)."""
    from chalicelib import settings

    settings.reset_settings()
    aws_client.cache_clear()
    for reset_hook in _RESET_HOOKS:
        reset_hook()


_RESET_HOOKS: list[Any] = []


def table_name() -> str:
    return get_settings().table


@lru_cache(maxsize=1)
def control_store() -> Any:
    from chalicelib.adapters.dynamodb.control import ControlStore

    return ControlStore(dynamodb(), table_name())


_RESET_HOOKS.append(control_store.cache_clear)


@lru_cache(maxsize=1)
def workflow() -> Any:
    """The workflow file, validated once per container; an invalid file stops start-up."""
    from chalicelib.config import load_workflow

    return load_workflow(get_settings().config_path)


@lru_cache(maxsize=1)
def repository() -> Any:
    from chalicelib.adapters.dynamodb.repository import DynamoPostRepository

    return DynamoPostRepository(dynamodb(), table_name())


@lru_cache(maxsize=1)
def bus() -> Any:
    from chalicelib.services.bus import Dispatcher

    return Dispatcher(handlers=message_handlers())


def message_handlers() -> list[Any]:
    """Who hears about reviews, decisions and publications: Slack. Built lazily; building
    the notifier imports no Slack SDK until a message is actually sent."""
    from chalicelib.adapters.slack.notifier import build_notifier

    return [build_notifier()]


def new_id() -> str:
    import secrets

    return secrets.token_hex(8)


def now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def context() -> Any:
    from chalicelib.services.ports import Context

    return Context(repo=repository(), workflow=workflow(), clock=now, new_id=new_id)


_RESET_HOOKS.extend([workflow.cache_clear, repository.cache_clear, bus.cache_clear])
