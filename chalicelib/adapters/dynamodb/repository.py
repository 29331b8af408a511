"""Posts, their timeline events and integration references in the one table.

Every state change is one conditional write on the post's version; the post and the
timeline events a change adds go in one TransactWriteItems, so a change is stored whole or
not at all, and a lost race becomes a Conflict.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.content import Content
from chalicelib.domain.errors import Conflict, NotFound, Paused, StorageRefused
from chalicelib.domain.events import Message, message_to_dict
from chalicelib.domain.media import MediaObject
from chalicelib.domain.post import Post, iso
from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.domain.status import ON_CALENDAR, Status
from chalicelib.domain.timeline import NEW_CONTENT_EVENTS, TimelineEvent

log = logging.getLogger("freigabe.storage")

BATCH_GET = 100  # BatchGetItem's limit of keys per request


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def calendar_time(post: Post) -> str | None:
    """Where a post stands in the calendar: its publish time, else when it was approved."""
    if post.status not in ON_CALENDAR:
        return None
    return post.publish_at_iso or post.scheduled_at


def months_between(start: str, end: str) -> list[str]:
    year, month = int(start[:4]), int(start[5:7])
    last = (int(end[:4]), int(end[5:7]))
    months = []
    while (year, month) <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _refusal(err: Exception, post_id: str) -> Exception:
    """An item the table will not take (over its size limit) as a named error; anything
    else as it was."""
    response = getattr(err, "response", {}) or {}
    if (response.get("Error") or {}).get("Code") == "ValidationException":
        return StorageRefused(post=post_id)
    return err


class DynamoPostRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    # -- writing --------------------------------------------------------------------------

    def _post_item(self, post: Post, version: int) -> dict[str, Any]:
        doc = post_to_document(post)
        doc["version"] = version
        item: dict[str, Any] = {
            keys.PK: _s(keys.post_pk(post.id)),
            keys.SK: _s(keys.POST_SK),
            "version": {"N": str(version)},
            "status": _s(post.status.value),
            "doc": _s(json.dumps(doc, ensure_ascii=False, separators=(",", ":"))),
            keys.GSI_AUTHOR_PK: _s(keys.author_pk(post.author_id)),  # the subject, not the email
            keys.GSI_AUTHOR_SK: _s(f"{post.created_at}#{post.id}"),
            keys.GSI_STATUS_SK: _s(f"{post.updated_at}#{post.id}"),
        }
        due = post.due_at
        if due:
            item[keys.GSI_DUE_PK] = _s(keys.DUE_PARTITION)
            item[keys.GSI_DUE_SK] = _s(f"{due}#{post.id}")
        when = calendar_time(post)
        if when:
            item[keys.GSI_CALENDAR_PK] = _s(keys.calendar_pk(when[:7]))
            item[keys.GSI_CALENDAR_SK] = _s(f"{when}#{post.id}")
        return item

    def _event_item(self, post_id: str, event: TimelineEvent,
                    messages: list[Message]) -> dict[str, Any]:
        item = {
            keys.PK: _s(keys.post_pk(post_id)),
            keys.SK: _s(keys.event_sk(event.seq)),
            "doc": _s(json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":"))),
        }
        if messages:
            # The transactional outbox: the table's stream carries these to Slack once the
            # change is stored, and never if it was not.
            item[keys.OUTBOX_ATTR] = _s(json.dumps([message_to_dict(m) for m in messages]))
        return item

    def save(self, post: Post, *, unless_paused: bool = False) -> None:
        """Store a new or changed post, the events it added and the messages it recorded,
        conditional on the version it was read at (0 for a new post); ``unless_paused``: and
        on the pause switch being off (a ConditionCheck in the same transaction)."""
        if post.messages and not post.new_events:
            raise ValueError("messages need an event to travel with")
        new_version = post.version + 1
        if post.version == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"}
        else:
            condition = {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(post.version)}},
            }
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": self._post_item(post, new_version),
                     **condition}}
        ]
        last = len(post.new_events) - 1
        writes += [
            {"Put": {"TableName": self._table,
                     "Item": self._event_item(post.id, event, post.messages if i == last else []),
                     "ConditionExpression": "attribute_not_exists(PK)"}}
            for i, event in enumerate(post.new_events)
        ]
        if any(event.type in NEW_CONTENT_EVENTS for event in post.new_events):
            # Content-addressed: writing the same version again changes nothing.
            writes.append({"Put": {"TableName": self._table,
                                   "Item": self._content_item(post.id, post.content)}})
        if unless_paused:
            writes.append({"ConditionCheck": {
                "TableName": self._table,
                "Key": {keys.PK: _s(keys.CONTROL_PK), keys.SK: _s(keys.PAUSE_SK)},
                "ConditionExpression": "attribute_not_exists(paused) OR paused = :off",
                "ExpressionAttributeValues": {":off": {"BOOL": False}}}})
        try:
            self._client.transact_write_items(TransactItems=writes)
        except self._client.exceptions.TransactionCanceledException as err:
            reasons = err.response.get("CancellationReasons") or []
            if any(reason.get("Code") == "ValidationError" for reason in reasons):
                raise StorageRefused(post=post.id) from err
            if (unless_paused and len(reasons) == len(writes)
                    and reasons[-1].get("Code") == "ConditionalCheckFailed"):
                raise Paused("paused", post=post.id) from err
            raise Conflict("conflict", post=post.id) from err
        except self._client.exceptions.ClientError as err:
            raise _refusal(err, post.id) from err
        post.version = new_version
        post.new_events = []
        post.messages = []
        if post.stored_status is not post.status:
            self._count(post.stored_status, post.status, post.id)
            post.stored_status = post.status

    def _count(self, before: Status | None, after: Status, post_id: str) -> None:
        """Move the post between the per-status counts. After the save, never in it: in the
        transaction, one counts item would make every two saves of any posts conflict. A
        process that stops in between leaves a count off by one until the next recount."""
        names = {"#a": after.value}
        values = {":one": {"N": "1"}}
        expression = "ADD #a :one"
        if before is not None:
            names["#b"] = before.value
            values[":minus"] = {"N": "-1"}
            expression += ", #b :minus"
        try:
            self._client.update_item(
                TableName=self._table,
                Key={keys.PK: _s(keys.CONTROL_PK), keys.SK: _s(keys.COUNTS_SK)},
                UpdateExpression=expression, ExpressionAttributeNames=names,
                ExpressionAttributeValues=values)
        except self._client.exceptions.ClientError:
            log.warning("status counts not updated", extra={"post_id": post_id})

    def _content_item(self, post_id: str, content: Content) -> dict[str, Any]:
        return {
            keys.PK: _s(keys.post_pk(post_id)),
            keys.SK: _s(keys.content_sk(content.hash)),
            "doc": _s(json.dumps(content.to_dict(), ensure_ascii=False, separators=(",", ":"))),
        }

    def save_ref(self, post_id: str, name: str, data: dict[str, Any]) -> None:
        """Remember where something about the post lives elsewhere (a Slack message)."""
        try:
            self._client.put_item(TableName=self._table, Item={
                keys.PK: _s(keys.post_pk(post_id)),
                keys.SK: _s(keys.ref_sk(name)),
                "doc": _s(json.dumps(data, separators=(",", ":"))),
            })
        except self._client.exceptions.ClientError as err:
            raise _refusal(err, post_id) from err

    def save_media(self, media: MediaObject) -> None:
        self._client.put_item(TableName=self._table, Item={
            keys.PK: _s(keys.media_pk(media.id)),
            keys.SK: _s(keys.MEDIA_SK),
            "doc": _s(json.dumps(media.to_dict(), separators=(",", ":"))),
        })

    def get_media(self, media_id: str) -> MediaObject | None:
        item = self._client.get_item(
            TableName=self._table,
            Key={keys.PK: _s(keys.media_pk(media_id)), keys.SK: _s(keys.MEDIA_SK)},
            ConsistentRead=True,
        ).get("Item")
        return MediaObject.from_dict(json.loads(item["doc"]["S"])) if item else None

    # -- reading --------------------------------------------------------------------------

    def get(self, post_id: str) -> Post:
        item = self._client.get_item(
            TableName=self._table,
            Key={keys.PK: _s(keys.post_pk(post_id)), keys.SK: _s(keys.POST_SK)},
            ConsistentRead=True,
        ).get("Item")
        if not item:
            raise NotFound("post_not_found", post=post_id)
        return post_from_document(json.loads(item["doc"]["S"]))

    def content_version(self, post_id: str, content_hash: str) -> Content | None:
        """One version of the post's content by its hash (None if it was never stored)."""
        item = self._client.get_item(
            TableName=self._table,
            Key={keys.PK: _s(keys.post_pk(post_id)), keys.SK: _s(keys.content_sk(content_hash))},
        ).get("Item")
        return Content.from_dict(json.loads(item["doc"]["S"])) if item else None

    def get_full(self, post_id: str) -> tuple[Post, list[TimelineEvent], dict[str, Any]]:
        """The post, its timeline (oldest first) and its references, in one query (which
        starts after the content versions: they are read one by one, by hash)."""
        post: Post | None = None
        events: list[TimelineEvent] = []
        refs: dict[str, Any] = {}
        for item in self._query(KeyConditionExpression="PK = :pk AND SK >= :first",
                                ExpressionAttributeValues={":pk": _s(keys.post_pk(post_id)),
                                                           ":first": _s(keys.EVENT_PREFIX)},
                                ConsistentRead=True):
            sk, doc = item[keys.SK]["S"], json.loads(item["doc"]["S"])
            if sk == keys.POST_SK:
                post = post_from_document(doc)
            elif sk.startswith(keys.EVENT_PREFIX):
                events.append(TimelineEvent.from_dict(doc))
            elif sk.startswith(keys.REF_PREFIX):
                refs[sk.removeprefix(keys.REF_PREFIX)] = doc
        if post is None:
            raise NotFound("post_not_found", post=post_id)
        return post, events, refs

    def refs(self, post_id: str) -> dict[str, dict[str, Any]]:
        """The post's references alone: one query over the REF# items of its partition."""
        refs = {}
        for item in self._query(KeyConditionExpression="PK = :pk AND begins_with(SK, :ref)",
                                ExpressionAttributeValues={":pk": _s(keys.post_pk(post_id)),
                                                           ":ref": _s(keys.REF_PREFIX)},
                                ConsistentRead=True):
            refs[item[keys.SK]["S"].removeprefix(keys.REF_PREFIX)] = json.loads(item["doc"]["S"])
        return refs

    def refs_of(self, post_ids: Iterable[str], names: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The named references of many posts, a hundred keys per BatchGetItem."""
        wanted = [(p, n) for p in dict.fromkeys(post_ids) for n in dict.fromkeys(names)]
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), BATCH_GET):
            request: dict[str, Any] = {self._table: {"Keys": [
                {keys.PK: _s(keys.post_pk(p)), keys.SK: _s(keys.ref_sk(n))}
                for p, n in wanted[start:start + BATCH_GET]]}}
            while request:
                page = self._client.batch_get_item(RequestItems=request)
                for item in page.get("Responses", {}).get(self._table, []):
                    post_id = item[keys.PK]["S"].removeprefix(keys.post_pk(""))
                    name = item[keys.SK]["S"].removeprefix(keys.REF_PREFIX)
                    found.setdefault(post_id, {})[name] = json.loads(item["doc"]["S"])
                request = page.get("UnprocessedKeys") or {}
        return found

    def by_author(self, author: str, status: str | None = None, limit: int = 200) -> list[Post]:
        params: dict[str, Any] = {
            "IndexName": keys.GSI_AUTHOR,
            "KeyConditionExpression": f"{keys.GSI_AUTHOR_PK} = :a",
            "ExpressionAttributeValues": {":a": _s(keys.author_pk(author))},
            "ScanIndexForward": False,
        }
        if status:
            params["FilterExpression"] = "#s = :s"
            params["ExpressionAttributeNames"] = {"#s": "status"}
            params["ExpressionAttributeValues"][":s"] = _s(status)
        return self._posts(limit, **params)

    def calendar(self, start: datetime, end: datetime) -> list[Post]:
        lo, hi = iso(start)[:19], iso(end)[:19]
        posts = []
        for month in months_between(lo, hi):
            for item in self._query(
                IndexName=keys.GSI_CALENDAR,
                KeyConditionExpression=f"{keys.GSI_CALENDAR_PK} = :m AND "
                                       f"{keys.GSI_CALENDAR_SK} BETWEEN :lo AND :hi",
                ExpressionAttributeValues={":m": _s(keys.calendar_pk(month)),
                                           ":lo": _s(lo), ":hi": _s(hi + "\uffff")},
            ):
                posts.append(post_from_document(json.loads(item["doc"]["S"])))
        return posts

    def due(self, now: datetime, limit: int = 500) -> list[Post]:
        """Scheduled posts whose time has come, oldest first, from the sparse due index.

        The index is eventually consistent: callers re-read each post before acting on it.
        """
        return self._posts(
            limit,
            IndexName=keys.GSI_DUE,
            KeyConditionExpression=f"{keys.GSI_DUE_PK} = :d AND {keys.GSI_DUE_SK} <= :now",
            ExpressionAttributeValues={":d": _s(keys.DUE_PARTITION),
                                       ":now": _s(iso(now)[:19] + "\uffff")},
            Limit=limit,
        )

    def by_status(self, status: str, limit: int = 200) -> list[Post]:
        """Posts in one status, most recently changed first (review queues, App Home)."""
        return self._posts(
            limit,
            IndexName=keys.GSI_STATUS,
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": keys.GSI_STATUS_PK},
            ExpressionAttributeValues={":s": _s(status)},
            ScanIndexForward=False,
        )

    def stalled(self, before: datetime, limit: int = 100) -> list[Post]:
        """Posts in publishing whose last change is older than ``before``, oldest first: a
        lost or unsent publish message. Eventually consistent: re-read before acting."""
        return self._posts(
            limit,
            IndexName=keys.GSI_STATUS,
            KeyConditionExpression=f"#s = :s AND {keys.GSI_STATUS_SK} < :before",
            ExpressionAttributeNames={"#s": keys.GSI_STATUS_PK},
            ExpressionAttributeValues={":s": _s(Status.PUBLISHING.value),
                                       ":before": _s(iso(before))},
            Limit=limit,
        )

    def count_by_status(self) -> dict[str, int]:
        """How many posts are in each status: one read of the counts item (recounted from the
        status index when there is none yet, e.g. a table from before it was kept)."""
        item = self._client.get_item(
            TableName=self._table,
            Key={keys.PK: _s(keys.CONTROL_PK), keys.SK: _s(keys.COUNTS_SK)},
        ).get("Item")
        if not item:
            return self.recount_statuses()
        return {status.value: max(0, int(item.get(status.value, {}).get("N", "0")))
                for status in Status}

    def recount_statuses(self) -> dict[str, int]:
        """Count each status on the status index (one COUNT query per status, no Scan) and
        store the figures as the counts item, repairing any drift."""
        counts = {}
        for status in Status:
            total, params = 0, {
                "IndexName": keys.GSI_STATUS, "KeyConditionExpression": "#s = :s",
                "ExpressionAttributeNames": {"#s": keys.GSI_STATUS_PK},
                "ExpressionAttributeValues": {":s": _s(status.value)}, "Select": "COUNT",
            }
            while True:
                page = self._client.query(TableName=self._table, **params)
                total += int(page.get("Count", 0))
                if "LastEvaluatedKey" not in page:
                    break
                params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            counts[status.value] = total
        self._client.put_item(TableName=self._table, Item={
            keys.PK: _s(keys.CONTROL_PK), keys.SK: _s(keys.COUNTS_SK),
            **{name: {"N": str(count)} for name, count in counts.items()}})
        return counts

    def upcoming(self, after: datetime, limit: int = 10) -> list[Post]:
        """The next scheduled posts after a moment, soonest first."""
        return self._posts(
            limit,
            IndexName=keys.GSI_DUE,
            KeyConditionExpression=f"{keys.GSI_DUE_PK} = :d AND {keys.GSI_DUE_SK} > :after",
            ExpressionAttributeValues={":d": _s(keys.DUE_PARTITION), ":after": _s(iso(after)[:19])},
            Limit=limit,
        )

    def _posts(self, limit: int, **params: Any) -> list[Post]:
        """Up to ``limit`` posts from a query over one of the post indexes."""
        posts = []
        for item in self._query(**params):
            posts.append(post_from_document(json.loads(item["doc"]["S"])))
            if len(posts) >= limit:
                break
        return posts

    def _query(self, **params: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self._client.query(TableName=self._table, **params)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
