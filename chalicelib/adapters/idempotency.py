"""The publish worker's protection against doing a publication twice, in the one table.

``PowertoolsOnce``: Powertools idempotency (DynamoDB persistence) around the network call, keyed
on post, channel, content hash and attempt; a redelivered message gets the stored outcome.
``DynamoSendLedger``: a conditional item written before the request leaves, so that a run which
died mid-send (no outcome stored, the idempotency record expired) is recognised afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.publication import Outcome, Publication

KEEP_SECONDS = 7 * 24 * 3600
EXPIRY_ATTR = "expiration"  # epoch seconds; the table's TTL attribute
KEY_FIELDS = "[post_id, channel, content_hash, attempt]"


class PowertoolsOnce:
    def __init__(self, client: Any, table: str, keep_seconds: int = KEEP_SECONDS) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        self.config = IdempotencyConfig(
            event_key_jmespath=KEY_FIELDS,
            raise_on_no_idempotency_key=True,
            expires_after_seconds=keep_seconds,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=table,
            key_attr=keys.PK,
            sort_key_attr=keys.SK,
            static_pk_value=keys.IDEMPOTENCY_PK,
            expiry_attr=EXPIRY_ATTR,
            # Not "status": that attribute keys the posts' status index.
            status_attr="idempotency_status",
            boto3_client=client,
        )

        @idempotent_function(  # type: ignore[untyped-decorator,unused-ignore]
            data_keyword_argument="publication", persistence_store=persistence,
            config=self.config, key_prefix="publication")
        def run(publication: dict[str, str | int],
                send: Callable[[], dict[str, str | None]]) -> dict[str, str | None]:
            return send()

        self._run = run

    def register_lambda_context(self, context: Any) -> None:
        """An in-progress record then expires with the invocation, so a run that died is
        retried after the function's timeout instead of after ``keep_seconds``."""
        self.config.register_lambda_context(context)

    def __call__(self, publication: Publication, send: Callable[[], Outcome]) -> Outcome:
        # Powertools keeps JSON: the outcome is stored as a dict and read back from one.
        result = self._run(publication=publication.key(), send=lambda: send().to_dict())
        return Outcome.from_dict(result)


class DynamoSendLedger:
    def __init__(self, client: Any, table: str, keep_seconds: int = KEEP_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._keep = keep_seconds
        self._clock = clock

    @staticmethod
    def _key(publication: Publication) -> dict[str, dict[str, str]]:
        return {
            keys.PK: {"S": keys.send_pk(publication.post_id)},
            keys.SK: {"S": keys.send_sk(publication.channel, publication.content_hash,
                                        publication.attempt)},
        }

    def begin(self, publication: Publication) -> bool:
        now = self._clock()
        item = {
            **self._key(publication),
            "at": {"S": datetime.fromtimestamp(now, UTC).isoformat()},
            EXPIRY_ATTR: {"N": str(int(now) + self._keep)},
        }
        try:
            self._client.put_item(TableName=self._table, Item=item,
                                  ConditionExpression="attribute_not_exists(#pk)",
                                  ExpressionAttributeNames={"#pk": keys.PK})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def forget(self, publication: Publication) -> None:
        self._client.delete_item(TableName=self._table, Key=self._key(publication))
