"""Started connects and notices told once, in the table (services.connect.ConnectStates).

A connect's ``state`` is an item ``PK=OAUTH#<state>, SK=STATE`` holding the channel, the admin,
the PKCE verifier and a hash of the browser's binding, with an expiry; taking it deletes it in
the same request (``ReturnValues=ALL_OLD``), so two callbacks with one state cannot both find
it. A notice told once is an item ``PK=NOTICE#<key>, SK=NOTICE`` written only when absent.
Both carry ``expires_at`` (epoch seconds); a read checks it, so an expired state is worthless
even while its item is still there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys

STATE_PREFIX = keys.OAUTH_STATE_PREFIX
STATE_SK = keys.OAUTH_STATE_SK
NOTICE_PREFIX = keys.NOTICE_PREFIX
NOTICE_SK = keys.NOTICE_SK
NOTICE_LIFETIME = timedelta(days=400)  # longer than any token a notice is about


class DynamoConnectStates:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, state: str, record: dict[str, str], expires_at: datetime) -> None:
        item: dict[str, Any] = {key: {"S": value} for key, value in record.items()}
        item.update({keys.PK: {"S": STATE_PREFIX + state}, keys.SK: {"S": STATE_SK},
                     "expires_at": {"N": str(int(expires_at.timestamp()))}})
        self._client.put_item(TableName=self._table, Item=item,
                              ConditionExpression="attribute_not_exists(PK)")

    def take(self, state: str, now: datetime) -> dict[str, str] | None:
        if not state or len(state) > 200:
            return None
        answer = self._client.delete_item(
            TableName=self._table, ReturnValues="ALL_OLD",
            Key={keys.PK: {"S": STATE_PREFIX + state}, keys.SK: {"S": STATE_SK}})
        item = answer.get("Attributes")
        if not item or int(item["expires_at"]["N"]) < now.timestamp():
            return None
        return {key: value["S"] for key, value in item.items()
                if "S" in value and key not in (keys.PK, keys.SK)}

    def once(self, key: str, now: datetime | None = None) -> bool:
        until = (now or datetime.now().astimezone()) + NOTICE_LIFETIME
        try:
            self._client.put_item(
                TableName=self._table, ConditionExpression="attribute_not_exists(PK)",
                Item={keys.PK: {"S": NOTICE_PREFIX + key}, keys.SK: {"S": NOTICE_SK},
                      "expires_at": {"N": str(int(until.timestamp()))}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
