"""Analytics facts in the table (services/analytics.py's StatsStore).

One item per fact in the partition of its UTC day: ``PK=STATS#<yyyy-mm-dd>``,
``SK=<brand>#<post id>#<key>``. Writing is a plain PutItem: a fact is derived from a stored
event, so the same event recorded twice (a redelivered stream record) writes the same item.
Reading a day is one Query (``begins_with`` the brand when one is asked for), never a Scan.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.stream import inserted_event
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.services.ports import StatsFact


class DynamoStatsStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, fact: StatsFact) -> None:
        self._client.put_item(TableName=self._table, Item={
            keys.PK: {"S": keys.stats_pk(fact.day)},
            keys.SK: {"S": keys.stats_sk(fact.brand, fact.subject, fact.key)},
            "kind": {"S": fact.kind},
            "brand": {"S": fact.brand},
            "subject": {"S": fact.subject},
            "key": {"S": fact.key},
            "at": {"S": fact.at},
            "doc": {"S": json.dumps(fact.data, ensure_ascii=False, separators=(",", ":"))},
        })

    def day(self, day: str, brand: str | None = None) -> list[StatsFact]:
        condition = "PK = :pk"
        values: dict[str, Any] = {":pk": {"S": keys.stats_pk(day)}}
        if brand is not None:
            condition += " AND begins_with(SK, :brand)"
            values[":brand"] = {"S": f"{brand}#"}
        request: dict[str, Any] = {"TableName": self._table, "KeyConditionExpression": condition,
                                   "ExpressionAttributeValues": values}
        facts: list[StatsFact] = []
        while True:
            page = self._client.query(**request)
            facts += [_fact(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return facts
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _fact(item: dict[str, Any]) -> StatsFact:
    return StatsFact(kind=item["kind"]["S"], brand=item["brand"]["S"],
                     subject=item["subject"]["S"], key=item["key"]["S"], at=item["at"]["S"],
                     data=json.loads(item["doc"]["S"]))


def counted_event_of(record: dict[str, Any],
                     counted: tuple[str, ...]) -> tuple[str, TimelineEvent] | None:
    """The post id and timeline event of a stream record that inserted an event carrying
    messages (the deployed mapping's filter lets only those reach the relay) or of a counted
    type; None for anything else (a post's own item, a reference, a quiet event)."""
    inserted = inserted_event(record)
    raw = (inserted[1].get("doc") or {}).get("S") if inserted else None
    if inserted is None or not raw:
        return None
    post_id, image = inserted
    doc = json.loads(raw)
    if keys.OUTBOX_ATTR not in image and doc.get("type") not in counted:
        return None
    return post_id, TimelineEvent.from_dict(doc)
