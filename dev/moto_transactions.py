"""DynamoDB transactions in moto as DynamoDB runs them: isolated, and not slower on a big table.

moto 5.2 runs TransactWriteItems as check-and-write per item after a deep copy of every table
involved (its rollback), with no lock. Two requests at once can therefore both pass a version
condition, a failing transaction can undo another request's write by restoring its copy, and
each transaction costs time in proportion to the table (0.6 s at 1,000 posts, seconds at
10,000). ``install()`` serialises moto's DynamoDB writes and checks every condition of a Put,
Delete or ConditionCheck transaction before writing anything, so no copy is needed. It patches
the moto running in this process (the test session's server, a bench's, ``dev.aws``).
"""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.RLock()
_SIMPLE = {"Put", "Delete", "ConditionCheck"}


def install() -> None:
    from moto.dynamodb import models

    backend: Any = models.DynamoDBBackend
    if getattr(backend, "_freigabe_isolated", False):
        return
    for name in ("put_item", "update_item", "delete_item"):
        setattr(backend, name, _serialised(getattr(backend, name)))
    original = backend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _LOCK:
            simple = all(len(item) == 1 and next(iter(item)) in _SIMPLE for item in transact_items)
            if not simple or len(transact_items) > 100:
                return original(self, transact_items)  # type: ignore[no-any-return]
            writes = _check(self, models, transact_items)
            for op_type, table_name, key, op in writes:
                if op_type == "Put":
                    self.put_item(table_name, op["Item"])
                elif op_type == "Delete":
                    self.delete_item(table_name, key)
            return None

    backend.transact_write_items = transact_write_items
    backend._freigabe_isolated = True


def _serialised(method: Any) -> Any:
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(self, *args, **kwargs)

    return locked


def _check(backend: Any, models: Any,
           transact_items: list[dict[str, Any]]) -> list[tuple[str, str, Any, Any]]:
    """Every condition against the current items; raises the cancellation moto would."""
    seen: set[tuple[str, str]] = set()
    writes: list[tuple[str, str, Any, Any]] = []
    errors: list[tuple[str | None, str | None, Any]] = []
    for item in transact_items:
        op_type, op = next(iter(item.items()))
        table_name = op["TableName"]
        if op_type == "Put":
            table = backend.get_table(table_name)
            key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = op["Item"][table.range_key_attr]
        else:
            key = op["Key"]
        marker = (str(table_name), str(dict(sorted(key.items()))))
        if marker in seen:
            raise models.MultipleTransactionsException()
        seen.add(marker)
        current = backend.get_item(table_name, key)
        condition = op.get("ConditionExpression")
        if condition is not None and not models.get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        ).expr(current):
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            failure = models.ConditionalCheckFailed(item=old)
            errors.append(("ConditionalCheckFailed", str(failure.message), old))
            continue
        errors.append((None, None, None))
        writes.append((op_type, table_name, key, op))
    if any(code is not None for code, _, _ in errors):
        raise models.TransactionCanceledException(errors)
    return writes
