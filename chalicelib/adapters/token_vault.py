"""Channel secrets in SSM Parameter Store (services.ports.TokenVault).

One SecureString parameter per run-time channel, ``<prefix>/<channel name>``, holding JSON
(``access_token``, and where the network gives them ``refresh_token``, ``expires_at``,
``client_secret``, ``app_password``). Parameter Store rather than Secrets Manager: standard
parameters cost nothing, a Secrets Manager secret $0.40 a month each, and neither rotation
lambdas nor cross-account sharing are needed here: Freigabe rotates the tokens itself. A
standard parameter holds 4 KB, plenty for a few tokens.

Nothing here logs a value or puts one in an exception's message.
"""

from __future__ import annotations

import json
from typing import Any

DEFAULT_PREFIX = "/freigabe/local/channels"


class VaultError(Exception):
    """The vault could not be read or written (the message names the channel, never a value)."""


class SsmTokenVault:
    def __init__(self, client: Any, prefix: str = DEFAULT_PREFIX) -> None:
        self._client = client
        self._prefix = (prefix or DEFAULT_PREFIX).rstrip("/")

    def path(self, name: str) -> str:
        return f"{self._prefix}/{name}"

    def put(self, name: str, tokens: dict[str, str]) -> None:
        value = json.dumps({k: v for k, v in tokens.items() if v}, sort_keys=True)
        try:
            self._client.put_parameter(Name=self.path(name), Value=value, Type="SecureString",
                                       Overwrite=True, Tier="Standard")
        except self._client.exceptions.ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            raise VaultError(f"the secrets of channel {name} could not be stored ({code})") from None

    def get(self, name: str) -> dict[str, str] | None:
        try:
            answer = self._client.get_parameter(Name=self.path(name), WithDecryption=True)
        except self._client.exceptions.ParameterNotFound:
            return None
        except self._client.exceptions.ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            raise VaultError(f"the secrets of channel {name} could not be read ({code})") from None
        try:
            data = json.loads(answer["Parameter"]["Value"])
        except (KeyError, ValueError):
            raise VaultError(f"the secrets of channel {name} are not readable JSON") from None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None

    def delete(self, name: str) -> None:
        try:
            self._client.delete_parameter(Name=self.path(name))
        except self._client.exceptions.ParameterNotFound:
            return
