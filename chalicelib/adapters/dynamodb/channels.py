"""Run-time channels in the table (services.ports.ChannelStore).

``CHANNEL#<name> / CHANNEL`` is the record; ``CHANNEL#<name> / LOG#<time>#<seq>`` one entry
of its change log. ``CHANNELS / NAME#<name>`` points at each record, so listing the channels is
one query, and ``CHANNELS / RESULT#<name>`` keeps every channel's last publish result (the
workflow file's channels too). Record saves are transactions conditional on the record's
version, each with its log entry; the refresh lease is a conditional update that only one
refresher wins. No secret is ever written here: tokens live in the token vault.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.accounts import STATUSES, ChannelAccount, ChannelChange
from chalicelib.domain.errors import Conflict, NotFound

ERROR_LIMIT = 300  # a network's message, kept short
# Record attributes that may be absent (REMOVE'd when None).
OPTIONAL = ("base_url", "account", "expires_at", "refresh_expires_at", "last_ok_at",
            "last_error", "x_monthly_budget_usd")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _key(name: str, sk: str = keys.CHANNEL_SK) -> dict[str, Any]:
    return {keys.PK: {"S": keys.channel_pk(name)}, keys.SK: {"S": sk}}


def _value(name: str, value: Any) -> dict[str, Any]:
    if name == "settings":
        return {"S": json.dumps(value, sort_keys=True)}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    return {"S": str(value)}


def _fields(account: ChannelAccount) -> dict[str, Any]:
    return {"name": account.name, "type": account.type, "source": account.source,
            "status": account.status, "base_url": account.base_url,
            "settings": dict(account.settings), "account": account.account,
            "expires_at": account.expires_at, "refresh_expires_at": account.refresh_expires_at,
            "refreshable": account.refreshable, "last_ok_at": account.last_ok_at,
            "last_error": account.last_error, "token_version": account.token_version,
            "x_monthly_budget_usd": account.x_monthly_budget_usd}


def _account(item: dict[str, Any]) -> ChannelAccount:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    budget = item.get("x_monthly_budget_usd")
    status = text("status") or "not_connected"
    return ChannelAccount(
        name=item["name"]["S"], type=item["type"]["S"], source="runtime",
        status=status if status in STATUSES else "error",
        base_url=text("base_url"), settings=json.loads(text("settings") or "{}"),
        account=text("account"), expires_at=text("expires_at"),
        refresh_expires_at=text("refresh_expires_at"),
        refreshable=bool(item.get("refreshable", {}).get("BOOL", False)),
        last_ok_at=text("last_ok_at"), last_error=text("last_error"),
        token_version=int(item.get("token_version", {}).get("N", "0")),
        x_monthly_budget_usd=float(budget["N"]) if budget else None,
        version=int(item["version"]["N"]))


class DynamoChannelStore:
    def __init__(self, client: Any, table: str, clock: Callable[[], datetime] = _now) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    # -- records -------------------------------------------------------------------------

    def get(self, name: str) -> ChannelAccount | None:
        item = self._client.get_item(TableName=self._table, Key=_key(name),
                                     ConsistentRead=True).get("Item")
        return _account(item) if item else None

    def list(self) -> list[ChannelAccount]:
        names = [item[keys.SK]["S"].removeprefix(keys.CHANNEL_NAME_PREFIX)
                 for item in self._query(keys.CHANNELS_PK, keys.CHANNEL_NAME_PREFIX)]
        found: list[ChannelAccount] = []
        for start in range(0, len(names), 100):  # BatchGetItem's limit
            wanted: dict[str, Any] = {self._table: {
                "Keys": [_key(n) for n in names[start:start + 100]], "ConsistentRead": True}}
            while wanted:
                answer = self._client.batch_get_item(RequestItems=wanted)
                found += [_account(i) for i in answer.get("Responses", {}).get(self._table, [])]
                wanted = answer.get("UnprocessedKeys") or {}
        return sorted(found, key=lambda account: account.name)

    def save(self, account: ChannelAccount, who: str, what: str) -> ChannelAccount:
        new_version = account.version + 1
        sets: builtins.list[str] = ["#version = :new"]
        removes: builtins.list[str] = []
        names: dict[str, str] = {"#version": "version"}
        values: dict[str, Any] = {":new": {"N": str(new_version)}}
        for position, (name, value) in enumerate(_fields(account).items()):
            names[f"#a{position}"] = name
            if value is None:
                removes.append(f"#a{position}")
            else:
                sets.append(f"#a{position} = :a{position}")
                values[f":a{position}"] = _value(name, value)
        if account.version == 0:
            condition = "attribute_not_exists(PK)"
        else:
            condition = "#version = :old"
            values[":old"] = {"N": str(account.version)}
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        writes: builtins.list[dict[str, Any]] = [
            {"Update": {"TableName": self._table, "Key": _key(account.name),
                        "UpdateExpression": expression, "ConditionExpression": condition,
                        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}},
            self._log_put(account.name, new_version, who, what),
        ]
        if account.version == 0:
            writes.append({"Put": {"TableName": self._table, "Item": self._pointer(account.name)}})
        self._transact(writes, account.name)
        return account.changed(version=new_version)

    def delete(self, name: str, who: str) -> None:
        current = self.get(name)
        if current is None:
            raise NotFound("channel_not_found", name=name)
        self._transact([
            {"Delete": {"TableName": self._table, "Key": _key(name),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(current.version)}}}},
            {"Delete": {"TableName": self._table,
                        "Key": {keys.PK: {"S": keys.CHANNELS_PK},
                                keys.SK: {"S": keys.CHANNEL_NAME_PREFIX + name}}}},
            self._log_put(name, current.version + 1, who, "deleted"),
        ], name)

    def log(self, name: str) -> builtins.list[ChannelChange]:
        return [ChannelChange(at=item["at"]["S"], by=item["by"]["S"], what=item["what"]["S"])
                for item in self._query(keys.channel_pk(name), keys.CHANNEL_LOG_PREFIX)]

    # -- the refresh lease ---------------------------------------------------------------

    def lease_refresh(self, name: str, until: datetime, holder: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(name),
                UpdateExpression="SET lease_holder = :h, lease_until = :u",
                ConditionExpression=("attribute_exists(PK) AND (attribute_not_exists(lease_until)"
                                     " OR lease_until < :now OR lease_holder = :h)"),
                ExpressionAttributeValues={":h": {"S": holder}, ":u": {"S": _iso(until)},
                                           ":now": {"S": _iso(self._clock())}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def finish_refresh(self, name: str, holder: str, expires_at: str | None,
                       token_version: int) -> None:
        current = self.get(name)
        if current is None:
            raise NotFound("channel_not_found", name=name)
        new_version = current.version + 1
        values: dict[str, Any] = {":h": {"S": holder}, ":t": {"N": str(token_version)},
                                  ":new": {"N": str(new_version)}, ":old": {"N": str(current.version)},
                                  ":c": {"S": "connected"}}
        expression = "SET token_version = :t, version = :new, #status = :c"
        if expires_at is not None:
            expression += ", expires_at = :e"
            values[":e"] = {"S": expires_at}
        self._transact([
            {"Update": {"TableName": self._table, "Key": _key(name),
                        "UpdateExpression": expression + " REMOVE lease_holder, lease_until, last_error",
                        "ConditionExpression": "lease_holder = :h AND version = :old",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": values}},
            self._log_put(name, new_version, "freigabe", "token refreshed"),
        ], name)

    # -- every channel's last result -----------------------------------------------------

    def record_result(self, name: str, ok: bool, error: str | None, at: str) -> None:
        key = {keys.PK: {"S": keys.CHANNELS_PK}, keys.SK: {"S": keys.CHANNEL_RESULT_PREFIX + name}}
        if ok:
            self._client.update_item(TableName=self._table, Key=key,
                                     UpdateExpression="SET last_ok_at = :at REMOVE last_error",
                                     ExpressionAttributeValues={":at": {"S": at}})
        else:
            self._client.update_item(
                TableName=self._table, Key=key,
                UpdateExpression="SET last_error = :e, last_error_at = :at",
                ExpressionAttributeValues={":e": {"S": (error or "failed")[:ERROR_LIMIT]},
                                           ":at": {"S": at}})

    def results(self) -> dict[str, tuple[str | None, str | None]]:
        found: dict[str, tuple[str | None, str | None]] = {}
        for item in self._query(keys.CHANNELS_PK, keys.CHANNEL_RESULT_PREFIX):
            name = item[keys.SK]["S"].removeprefix(keys.CHANNEL_RESULT_PREFIX)
            found[name] = (item.get("last_ok_at", {}).get("S"), item.get("last_error", {}).get("S"))
        return found

    # -- helpers -------------------------------------------------------------------------

    def _pointer(self, name: str) -> dict[str, Any]:
        return {keys.PK: {"S": keys.CHANNELS_PK}, keys.SK: {"S": keys.CHANNEL_NAME_PREFIX + name}}

    def _log_put(self, name: str, seq: int, who: str, what: str) -> dict[str, Any]:
        at = _iso(self._clock())
        return {"Put": {"TableName": self._table, "Item": {
            **_key(name, keys.channel_log_sk(at, seq)),
            "at": {"S": at}, "by": {"S": who}, "what": {"S": what}}}}

    def _transact(self, writes: builtins.list[dict[str, Any]], name: str) -> None:
        try:
            self._client.transact_write_items(TransactItems=writes)
        except self._client.exceptions.TransactionCanceledException as err:
            raise Conflict("channel_conflict", name=name) from err

    def _query(self, pk: str, prefix: str) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
        }
        while True:
            answer = self._client.query(**params)
            yield from answer.get("Items", [])
            if "LastEvaluatedKey" not in answer:
                return
            params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
