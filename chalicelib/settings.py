"""The process environment (README: Configuration), parsed once into one model.

A plain pydantic model over ``os.environ`` instead of pydantic-settings: the latter
costs about 240 ms of import on a cold start and would add nothing we use here.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

# The publish queue's name; app.py repeats it as a literal for Chalice (a test holds them equal).
PUBLISH_QUEUE = "freigabe-publish"


class Settings(BaseModel):
    model_config = {"frozen": True}

    port: int = Field(8000, alias="FREIGABE_PORT")
    aws_port: int = Field(5055, alias="FREIGABE_AWS_PORT")
    slack_port: int = Field(8001, alias="FREIGABE_SLACK_PORT")
    config_path: str = Field("chalicelib/freigabe.toml", alias="FREIGABE_CONFIG")
    table: str = Field("freigabe", alias="FREIGABE_TABLE")
    publish_queue: str = Field(PUBLISH_QUEUE, alias="FREIGABE_PUBLISH_QUEUE")
    # Where images live (uploads and the checked, content-addressed copies).
    media_bucket: str = Field("freigabe-media", alias="FREIGABE_MEDIA_BUCKET")
    auth: Literal["cognito", "dev"] = Field("dev", alias="FREIGABE_AUTH")
    tick_seconds: float = Field(5, alias="FREIGABE_TICK_SECONDS", gt=0)
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN", repr=False)
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET", repr=False)
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    # Where the Slack secrets live inside AWS (never in config.json): an SSM parameter
    # or Secrets Manager name, resolved through Powertools Parameters.
    slack_secrets_ref: str = Field("", alias="FREIGABE_SLACK_SECRETS")
    public_url: str = Field("", alias="FREIGABE_PUBLIC_URL")
    # Where the key that signs review links for reviewers outside the company lives: a secret
    # reference (env:NAME, ssm:/path, secretsmanager:name), never the key itself.
    link_key: str = Field("", alias="FREIGABE_LINK_KEY", repr=False)
    # Where run-time channels' tokens live: SSM SecureString parameters under this path.
    channel_tokens: str = Field("/freigabe/local/channels", alias="FREIGABE_CHANNEL_TOKENS")
    # Where the stream relay anchors each post's chain head, outside the table (make verify).
    anchor_log_group: str = Field("freigabe-anchors", alias="FREIGABE_ANCHOR_LOG_GROUP")
    # The key that signs evidence files: a KMS key id or ARN (AWS), or "local:<path>" of a key
    # file; unset outside Lambda: a key file in the state directory, made on first use.
    evidence_key: str = Field("", alias="FREIGABE_EVIDENCE_KEY")
    state_dir: str = Field(".freigabe", alias="FREIGABE_STATE_DIR")
    # Cognito's hosted UI for the web page's sign-in (public values: the page needs them).
    cognito_domain: str = Field("", alias="FREIGABE_COGNITO_DOMAIN")
    cognito_client_id: str = Field("", alias="FREIGABE_COGNITO_CLIENT_ID")
    cognito_redirect_uri: str = Field("", alias="FREIGABE_COGNITO_REDIRECT_URI")
    lambda_function_name: str = Field("", alias="AWS_LAMBDA_FUNCTION_NAME")

    @property
    def in_lambda(self) -> bool:
        return bool(self.lambda_function_name)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))


def reset_settings() -> None:
    """Forget the parsed environment (tests change it)."""
    get_settings.cache_clear()
