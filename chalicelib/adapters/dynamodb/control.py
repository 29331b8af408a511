"""Operational state kept in the table: the scheduler's heartbeat and the publishing pause."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb import keys


class ControlStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _get(self, sk: str) -> dict[str, Any] | None:
        item = self._client.get_item(
            TableName=self._table,
            Key={keys.PK: {"S": keys.CONTROL_PK}, keys.SK: {"S": sk}},
            ConsistentRead=True,
        ).get("Item")
        return item  # type: ignore[no-any-return]

    def last_tick(self) -> str | None:
        item = self._get(keys.TICK_SK)
        return item["at"]["S"] if item else None

    def record_tick(self, at: datetime) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                keys.PK: {"S": keys.CONTROL_PK},
                keys.SK: {"S": keys.TICK_SK},
                "at": {"S": at.isoformat()},
            },
        )
