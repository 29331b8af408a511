"""The workflow's saved versions in the table (services/workflow_admin.py's WorkflowVersions).

``PK=WORKFLOW``: ``SK=V#<00001>`` one item per version (the TOML text, who saved it, when and
what changed), never changed once written; ``SK=CURRENT`` the pointer to the newest, carrying a
copy of its text so that reading the current workflow is one GetItem. A save writes both in one
transaction: the version item only if its number is new, the pointer only if it still names the
version the admin edited. Anything else is a Conflict (409), and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.errors import Conflict
from chalicelib.domain.workflow_versions import Change, WorkflowVersion

# What a listing reads of each version: everything but the text.
SUMMARY = "#n, saved_by, saved_at, changes"


def _key(sk: str) -> dict[str, dict[str, str]]:
    return {keys.PK: {"S": keys.WORKFLOW_PK}, keys.SK: {"S": sk}}


def _item(sk: str, version: WorkflowVersion) -> dict[str, Any]:
    return {**_key(sk), "n": {"N": str(version.number)}, "toml": {"S": version.toml},
            "saved_by": {"S": version.saved_by}, "saved_at": {"S": version.saved_at},
            "changes": {"S": json.dumps([c.to_dict() for c in version.changes],
                                        ensure_ascii=False)}}


def _version(item: dict[str, Any]) -> WorkflowVersion:
    try:
        changes = tuple(Change.from_dict(c) for c in json.loads(item["changes"]["S"]))
    except (KeyError, ValueError, TypeError, AttributeError):
        changes = ()
    return WorkflowVersion(number=int(item["n"]["N"]), toml=item.get("toml", {}).get("S", ""),
                           saved_by=item.get("saved_by", {}).get("S", ""),
                           saved_at=item.get("saved_at", {}).get("S", ""), changes=changes)


class DynamoWorkflowVersions:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def current(self) -> WorkflowVersion | None:
        item = self._client.get_item(TableName=self._table, Key=_key(keys.WORKFLOW_CURRENT_SK),
                                     ConsistentRead=True).get("Item")
        return _version(item) if item else None

    def get(self, number: int) -> WorkflowVersion | None:
        item = self._client.get_item(TableName=self._table,
                                     Key=_key(keys.workflow_version_sk(number))).get("Item")
        return _version(item) if item else None

    def history(self, limit: int) -> list[WorkflowVersion]:
        """The newest ``limit`` versions first, without their text (one Query)."""
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames={"#pk": keys.PK, "#sk": keys.SK, "#n": "n"},
            ExpressionAttributeValues={":pk": {"S": keys.WORKFLOW_PK},
                                       ":prefix": {"S": keys.WORKFLOW_VERSION_PREFIX}},
            ProjectionExpression=SUMMARY, ScanIndexForward=False, Limit=max(1, limit))
        return [_version(item) for item in answer.get("Items", [])]

    def save(self, version: WorkflowVersion) -> None:
        """Store ``version`` as the current one; Conflict unless the current one is
        ``version.number - 1`` (none at all for number 1)."""
        previous = version.number - 1
        if previous < 0:
            raise Conflict("workflow_stale", version=version.number)
        pointer: dict[str, Any] = {"TableName": self._table,
                                   "Item": _item(keys.WORKFLOW_CURRENT_SK, version)}
        if previous == 0:
            pointer["ConditionExpression"] = "attribute_not_exists(#pk)"
            pointer["ExpressionAttributeNames"] = {"#pk": keys.PK}
        else:
            pointer["ConditionExpression"] = "#n = :previous"
            pointer["ExpressionAttributeNames"] = {"#n": "n"}
            pointer["ExpressionAttributeValues"] = {":previous": {"N": str(previous)}}
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table,
                         "Item": _item(keys.workflow_version_sk(version.number), version),
                         "ConditionExpression": "attribute_not_exists(#pk)",
                         "ExpressionAttributeNames": {"#pk": keys.PK}}},
                {"Put": pointer},
            ])
        except self._client.exceptions.TransactionCanceledException as err:
            raise Conflict("workflow_stale", version=previous) from err
