"""Secret references from the workflow file, resolved against SSM and Secrets Manager on moto's
server, cached for five minutes, and never echoed."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib.secrets import CACHE_SECONDS, SecretError, SecretReader


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clients(aws_endpoint: str) -> dict[str, Any]:
    return {service: boto3.client(service, endpoint_url=aws_endpoint)
            for service in ("ssm", "secretsmanager")}


def test_env_references(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = SecretReader(lambda service: pytest.fail(f"{service} asked for an env reference"))
    monkeypatch.setenv("FREIGABE_TEST_TOKEN", "s3cr3t-value")
    assert reader.resolve("env:FREIGABE_TEST_TOKEN") == "s3cr3t-value"
    monkeypatch.delenv("FREIGABE_TEST_TOKEN")
    with pytest.raises(SecretError, match="FREIGABE_TEST_TOKEN is not set"):
        reader.resolve("env:FREIGABE_TEST_TOKEN")


def test_ssm_secure_strings_are_decrypted_and_cached_for_five_minutes(clients: dict[str, Any]) -> None:
    clock = Clock()
    reader = SecretReader(clients.__getitem__, clock=clock)
    ssm = clients["ssm"]
    ssm.put_parameter(Name="/freigabe/test/mastodon", Value="first-token", Type="SecureString",
                      Overwrite=True)
    assert reader.resolve("ssm:/freigabe/test/mastodon") == "first-token"
    ssm.put_parameter(Name="/freigabe/test/mastodon", Value="rotated-token", Type="SecureString",
                      Overwrite=True)
    clock.now += CACHE_SECONDS - 1
    assert reader.resolve("ssm:/freigabe/test/mastodon") == "first-token"  # still cached
    clock.now += 2
    assert reader.resolve("ssm:/freigabe/test/mastodon") == "rotated-token"
    ssm.put_parameter(Name="/freigabe/test/mastodon", Value="third-token", Type="SecureString",
                      Overwrite=True)
    reader.clear()
    assert reader.resolve("ssm:/freigabe/test/mastodon") == "third-token"


def test_secrets_manager_values(clients: dict[str, Any]) -> None:
    clients["secretsmanager"].create_secret(Name="freigabe/test/webhook", SecretString="hook-secret")
    assert SecretReader(clients.__getitem__).resolve("secretsmanager:freigabe/test/webhook") == "hook-secret"


def test_a_missing_secret_names_the_reference_only(clients: dict[str, Any]) -> None:
    reader = SecretReader(clients.__getitem__)
    with pytest.raises(SecretError) as caught:
        reader.resolve("ssm:/freigabe/test/nothing-here")
    assert str(caught.value) == "ssm:/freigabe/test/nothing-here could not be read"
    with pytest.raises(SecretError, match="unknown secret reference kind 'vault'"):
        reader.resolve("vault:x")
