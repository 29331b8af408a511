"""Reviewers' absences in the table (services.ports.DeputyStore).

Each absence is two items written in one transaction: ``PK=DEPUTY#<reviewer>, SK=<until>``
(whose deputy is who, for the review requests) and ``PK=COVERS#<deputy>, SK=<until>#<reviewer>``
(whom a person stands in for, for their clicks, App Home and ``/freigabe due``). Sort keys begin
with the absence's end in UTC, so "still running" is a key condition (``SK > now``): a query
never reads an absence that has ended, and no one scans.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.deputies import Away

FIELDS = ("reviewer", "deputy", "from", "until", "by")


def _stamp(moment: datetime) -> str:
    """A sortable UTC time: every sort key has the same shape, so strings compare as times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DynamoDeputies:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _keys(self, away: Away) -> tuple[dict[str, Any], dict[str, Any]]:
        until = _stamp(away.until)
        return ({keys.PK: {"S": keys.deputy_pk(away.reviewer)}, keys.SK: {"S": until}},
                {keys.PK: {"S": keys.covers_pk(away.deputy)},
                 keys.SK: {"S": f"{until}#{away.reviewer}"}})

    def put(self, away: Away) -> None:
        data = away.to_dict()
        values = {name: {"S": str(data[name])} for name in FIELDS}
        self._client.transact_write_items(TransactItems=[
            {"Put": {"TableName": self._table, "Item": {**key, **values}}}
            for key in self._keys(away)])

    def remove(self, away: Away) -> None:
        self._client.transact_write_items(TransactItems=[
            {"Delete": {"TableName": self._table, "Key": key}} for key in self._keys(away)])

    def of_reviewer(self, reviewer: str, after: datetime) -> list[Away]:
        return self._query(keys.deputy_pk(reviewer), after)

    def covered_by(self, deputy: str, after: datetime) -> list[Away]:
        return self._query(keys.covers_pk(deputy), after)

    def _query(self, pk: str, after: datetime) -> list[Away]:
        found: list[Away] = []
        request: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "#pk = :pk AND #sk > :after",
            "ExpressionAttributeNames": {"#pk": keys.PK, "#sk": keys.SK},
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":after": {"S": _stamp(after)}},
        }
        while True:
            answer = self._client.query(**request)
            for item in answer.get("Items", []):
                away = Away.from_dict({name: item[name]["S"] for name in FIELDS if name in item})
                if away.until > after:  # "<until>#<reviewer>" sorts after "<until>" itself
                    found.append(away)
            if "LastEvaluatedKey" not in answer:
                return found
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
