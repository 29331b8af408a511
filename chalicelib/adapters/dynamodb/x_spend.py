"""Each X channel's spend per calendar month, in the table (services/x_budget.py's XSpend).

One item per channel and month holds ``spent`` (dollars, a DynamoDB number, so exact).
Adding is one conditional UpdateItem: ``ADD`` when there is no spend yet or when the spend
leaves room for the amount, so concurrent workers cannot both pass the budget.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamodb import keys


class DynamoXSpend:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _key(self, channel: str, month: str) -> dict[str, dict[str, str]]:
        return {keys.PK: {"S": keys.x_spend_pk(channel)}, keys.SK: {"S": keys.x_spend_sk(month)}}

    def add(self, channel: str, month: str, amount: Decimal,
            budget: Decimal | None) -> tuple[bool, Decimal]:
        request: dict[str, Any] = {
            "TableName": self._table, "Key": self._key(channel, month),
            "UpdateExpression": "ADD spent :amount",
            "ExpressionAttributeValues": {":amount": {"N": str(amount)}},
            "ReturnValues": "UPDATED_OLD",
        }
        if budget is not None:
            room = budget - amount
            if room < 0:
                return False, self.spent(channel, month)
            request["ConditionExpression"] = "attribute_not_exists(spent) OR spent <= :room"
            request["ExpressionAttributeValues"][":room"] = {"N": str(room)}
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            answer = self._client.update_item(**request)
        except self._client.exceptions.ConditionalCheckFailedException as err:
            item = getattr(err, "response", {}).get("Item") or {}
            if "spent" in item:
                return False, Decimal(item["spent"]["N"])
            return False, self.spent(channel, month)
        before = (answer.get("Attributes") or {}).get("spent")
        return True, Decimal(before["N"]) if before else Decimal(0)

    def take_back(self, channel: str, month: str, amount: Decimal) -> None:
        self._client.update_item(
            TableName=self._table, Key=self._key(channel, month),
            UpdateExpression="ADD spent :amount",
            ExpressionAttributeValues={":amount": {"N": str(-amount)}})

    def spent(self, channel: str, month: str) -> Decimal:
        item = self._client.get_item(TableName=self._table, Key=self._key(channel, month),
                                     ConsistentRead=True).get("Item") or {}
        return Decimal(item["spent"]["N"]) if "spent" in item else Decimal(0)
