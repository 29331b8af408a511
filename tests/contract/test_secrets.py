"""Secret references from the workflow file, resolved through Powertools Parameters
against SSM and Secrets Manager on moto's server, cached, and never echoed."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from chalicelib.secrets import SecretError, clear_cache, resolve


@pytest.fixture
def aws(aws_endpoint: str) -> Iterator[str]:
    from aws_lambda_powertools.utilities.parameters import base

    # Powertools builds its default providers once per process; build them anew against the
    # emulator (the endpoint comes from AWS_ENDPOINT_URL, as in the app).
    base.DEFAULT_PROVIDERS.clear()
    clear_cache()
    yield aws_endpoint
    clear_cache()
    base.DEFAULT_PROVIDERS.clear()


def test_env_references(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FREIGABE_TEST_TOKEN", "s3cr3t-value")
    assert resolve("env:FREIGABE_TEST_TOKEN") == "s3cr3t-value"
    monkeypatch.delenv("FREIGABE_TEST_TOKEN")
    with pytest.raises(SecretError, match="FREIGABE_TEST_TOKEN is not set"):
        resolve("env:FREIGABE_TEST_TOKEN")


def test_ssm_secure_strings_are_decrypted_and_cached(aws: str) -> None:
    ssm = boto3.client("ssm", endpoint_url=aws)
    ssm.put_parameter(Name="/freigabe/test/mastodon", Value="first-token", Type="SecureString",
                      Overwrite=True)
    assert resolve("ssm:/freigabe/test/mastodon") == "first-token"
    ssm.put_parameter(Name="/freigabe/test/mastodon", Value="rotated-token", Type="SecureString",
                      Overwrite=True)
    assert resolve("ssm:/freigabe/test/mastodon") == "first-token"  # cached for five minutes
    clear_cache()
    assert resolve("ssm:/freigabe/test/mastodon") == "rotated-token"


def test_secrets_manager_values(aws: str) -> None:
    boto3.client("secretsmanager", endpoint_url=aws).create_secret(
        Name="freigabe/test/webhook", SecretString="hook-secret")
    assert resolve("secretsmanager:freigabe/test/webhook") == "hook-secret"


def test_a_missing_secret_names_the_reference_only(aws: str) -> None:
    with pytest.raises(SecretError) as caught:
        resolve("ssm:/freigabe/test/nothing-here")
    assert str(caught.value) == "ssm:/freigabe/test/nothing-here could not be read"
