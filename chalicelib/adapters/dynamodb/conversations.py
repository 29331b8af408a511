"""Replies and mentions in the table (services/listening.py's ConversationStore).

- ``PK=CONVERSATION#<post id | inbox#<brand>>``, ``SK=<network time>#<channel>#<external id>``:
  one item per reply or mention; its key is the network's, so storing is conditional on it and
  a thing read twice is kept once.
- ``PK=CONVERSATIONS#OPEN``: a copy of each item that is neither answered nor done, written in
  the same transaction, so showing, reminding and the open count read only open items.
- ``PK=CURSOR#<channel>``, ``SK=READ``: where reading the channel stands.
- ``PK=PUBLISHED#<channel>``, ``SK=<external id>``: which post a network id of ours belongs
  to, written when a post's publications are settled.
No call here scans the table.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.conversation import ConversationItem, Cursor

OPEN_PK = keys.CONVERSATIONS_OPEN_PK
CURSOR_SK = keys.CURSOR_SK
PUBLISHED_SK_ATTR = "post_id"
conversation_pk = keys.conversation_pk
cursor_pk = keys.cursor_pk
published_pk = keys.published_pk


def open_sk(item: ConversationItem) -> str:
    return f"{item.incoming.at}#{item.conversation}#{item.key}"


def _attrs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = {"BOOL": value}
        elif isinstance(value, int | float):
            out[name] = {"N": str(value)}
        else:
            out[name] = {"S": str(value)}
    return out


def _plain(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for name, value in item.items():
        if "S" in value:
            plain[name] = value["S"]
        elif "BOOL" in value:
            plain[name] = value["BOOL"]
        elif "N" in value:
            plain[name] = int(value["N"])
    return plain


class DynamoConversationStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    # -- cursors ------------------------------------------------------------------------------

    def cursor(self, channel: str) -> Cursor | None:
        found = self._client.get_item(
            TableName=self._table, ConsistentRead=True,
            Key={keys.PK: {"S": cursor_pk(channel)}, keys.SK: {"S": CURSOR_SK}}).get("Item")
        if not found:
            return None
        data = _plain(found)
        return Cursor(value=data.get("cursor"), read_at=data.get("read_at"),
                      resume_at=data.get("resume_at"), failures=int(data.get("failures") or 0))

    def save_cursor(self, channel: str, cursor: Cursor) -> None:
        self._client.put_item(TableName=self._table, Item=_attrs({
            keys.PK: cursor_pk(channel), keys.SK: CURSOR_SK, "channel": channel,
            "cursor": cursor.value, "read_at": cursor.read_at, "resume_at": cursor.resume_at,
            "failures": cursor.failures}))

    # -- items --------------------------------------------------------------------------------

    def _item(self, item: ConversationItem) -> dict[str, dict[str, Any]]:
        return _attrs({keys.PK: conversation_pk(item.conversation), keys.SK: item.key,
                       **item.to_dict()})

    def _open(self, item: ConversationItem) -> dict[str, dict[str, Any]]:
        return _attrs({keys.PK: OPEN_PK, keys.SK: open_sk(item), **item.to_dict()})

    def _open_key(self, item: ConversationItem) -> dict[str, dict[str, str]]:
        return {keys.PK: {"S": OPEN_PK}, keys.SK: {"S": open_sk(item)}}

    def add(self, item: ConversationItem) -> bool:
        writes: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table, "Item": self._item(item),
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": keys.PK}}}]
        if item.open:
            writes.append({"Put": {"TableName": self._table, "Item": self._open(item)}})
        try:
            self._client.transact_write_items(TransactItems=writes)
        except self._client.exceptions.TransactionCanceledException as err:
            reasons = err.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

    def get(self, conversation: str, key: str) -> ConversationItem | None:
        found = self._client.get_item(
            TableName=self._table, ConsistentRead=True,
            Key={keys.PK: {"S": conversation_pk(conversation)}, keys.SK: {"S": key}}).get("Item")
        return ConversationItem.from_dict(_plain(found)) if found else None

    def update(self, item: ConversationItem) -> None:
        writes: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table, "Item": self._item(item),
            "ConditionExpression": "attribute_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": keys.PK}}}]
        if item.open:
            writes.append({"Put": {"TableName": self._table, "Item": self._open(item)}})
        else:
            writes.append({"Delete": {"TableName": self._table, "Key": self._open_key(item)}})
        self._client.transact_write_items(TransactItems=writes)

    def _query(self, pk: str, limit: int, **extra: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self._table, "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": keys.PK},
            "ExpressionAttributeValues": {":pk": {"S": pk}}, **extra}
        while len(found) < limit:
            answer = self._client.query(**request)
            found += [_plain(item) for item in answer.get("Items", [])]
            if "LastEvaluatedKey" not in answer:
                break
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        return found[:limit]

    def open_items(self, limit: int = 500) -> list[ConversationItem]:
        return [ConversationItem.from_dict(data) for data in self._query(OPEN_PK, limit)]

    def conversation(self, conversation: str) -> list[ConversationItem]:
        return [ConversationItem.from_dict(data)
                for data in self._query(conversation_pk(conversation), 1000)]

    # -- what we published --------------------------------------------------------------------

    def post_for(self, channel: str, external_id: str) -> tuple[str, str] | None:
        found = self._client.get_item(
            TableName=self._table,
            Key={keys.PK: {"S": published_pk(channel)}, keys.SK: {"S": external_id}}).get("Item")
        if not found:
            return None
        data = _plain(found)
        return str(data[PUBLISHED_SK_ATTR]), str(data.get("brand") or "default")

    def remember_publication(self, channel: str, external_id: str, post_id: str, brand: str,
                             at: str) -> None:
        self._client.put_item(TableName=self._table, Item=_attrs({
            keys.PK: published_pk(channel), keys.SK: external_id, PUBLISHED_SK_ATTR: post_id,
            "brand": brand, "at": at}))

    def publications(self, channel: str, since: str) -> list[str]:
        found = self._query(published_pk(channel), 1000, FilterExpression="#at >= :since",
                            ExpressionAttributeNames={"#pk": keys.PK, "#at": "at"},
                            ExpressionAttributeValues={":pk": {"S": published_pk(channel)},
                                                       ":since": {"S": since}})
        found.sort(key=lambda data: str(data.get("at") or ""), reverse=True)
        return [str(data[keys.SK]) for data in found]
