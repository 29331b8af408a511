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

    def pause_state(self) -> dict[str, Any] | None:
        """``{"reason", "by", "at"}`` while publishing is paused, else None."""
        item = self._get(keys.PAUSE_SK)
        if not item or not item.get("paused", {}).get("BOOL"):
            return None
        return {"reason": item["reason"]["S"], "by": item["by"]["S"], "at": item["at"]["S"]}

    def pause(self, reason: str, by: str, at: datetime) -> None:
        self._client.put_item(TableName=self._table, Item={
            keys.PK: {"S": keys.CONTROL_PK}, keys.SK: {"S": keys.PAUSE_SK},
            "paused": {"BOOL": True}, "reason": {"S": reason}, "by": {"S": by},
            "at": {"S": at.isoformat()},
        })

    def resume(self, by: str, at: datetime) -> dict[str, Any] | None:
        """Lift the pause; returns what it was (None if publishing was not paused)."""
        previous = self.pause_state()
        self._client.put_item(TableName=self._table, Item={
            keys.PK: {"S": keys.CONTROL_PK}, keys.SK: {"S": keys.PAUSE_SK},
            "paused": {"BOOL": False}, "reason": {"S": ""}, "by": {"S": by},
            "at": {"S": at.isoformat()},
        })
        return previous
