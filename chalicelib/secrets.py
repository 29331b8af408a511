"""Secret references from the workflow file (``env:NAME``, ``ssm:/path``,
``secretsmanager:name``), resolved through Powertools Parameters and cached.

Values are never logged; errors name the reference, never the value.
"""

from __future__ import annotations

import os

CACHE_SECONDS = 300


class SecretError(LookupError):
    """A referenced secret is not available."""


def resolve(reference: str) -> str:
    kind, _, name = reference.partition(":")
    if kind == "env":
        value = os.environ.get(name)
        if not value:
            raise SecretError(f"environment variable {name} is not set")
        return value
    # Imported here: Parameters costs import time that most invocations never need.
    from aws_lambda_powertools.utilities import parameters

    try:
        if kind == "ssm":
            value = parameters.get_parameter(name, decrypt=True, max_age=CACHE_SECONDS)
        elif kind == "secretsmanager":
            value = parameters.get_secret(name, max_age=CACHE_SECONDS)
        else:
            raise SecretError(f"unknown secret reference kind {kind!r}")
    except parameters.exceptions.GetParameterError as err:
        raise SecretError(f"{reference} could not be read") from err
    if not isinstance(value, str) or not value:
        raise SecretError(f"{reference} is empty")
    return value


def clear_cache() -> None:
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()  # type: ignore[no-untyped-call]
