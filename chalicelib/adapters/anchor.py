"""Each post's chain head, kept outside the table in CloudWatch Logs: one log stream per post,
one log event per anchored head. Log events cannot be changed or removed one by one, and the
table's writers may not write there at all (only the stream relay may append), so a timeline
cut back together with the post's count and head is still caught (`make verify`)."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any

from chalicelib.adapters.dynamodb import keys

log = logging.getLogger("freigabe.anchor")


def chain_head_of(record: dict[str, Any]) -> tuple[str, int, str] | None:
    """(post id, seq, hash) of a timeline event a stream record inserted, if it is one."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    sk = (image.get(keys.SK) or {}).get("S", "")
    if not sk.startswith(keys.EVENT_PREFIX) or "doc" not in image:
        return None
    event = json.loads(image["doc"]["S"])
    return image[keys.PK]["S"].removeprefix(keys.post_pk("")), int(event["seq"]), str(event["hash"])


class AnchorUnavailable(Exception):
    """The log group cannot be read (missing, no permission, no endpoint)."""


class LogAnchor:
    def __init__(self, client: Any, group: str, create_group: bool = False) -> None:
        self._client = client
        self._group = group
        self._create_group = create_group  # locally: AWS gets the group from the template
        self._streams: set[str] = set()  # created by this process already

    def anchor(self, post_id: str, seq: int, head: str) -> None:
        """Append one chain head to the post's stream."""
        self._ensure_stream(post_id)
        record = json.dumps({"post_id": post_id, "seq": seq, "head": head}, separators=(",", ":"))
        self._client.put_log_events(logGroupName=self._group, logStreamName=post_id,
                                    logEvents=[{"timestamp": int(time.time() * 1000),
                                                "message": record}])

    def latest(self, post_id: str) -> tuple[int, str] | None:
        """The highest anchored (seq, head) of a post; None if it has none. Raises
        AnchorUnavailable when the log group cannot be read."""
        from botocore.exceptions import BotoCoreError, ClientError

        best: tuple[int, str] | None = None
        params: dict[str, Any] = {"logGroupName": self._group, "logStreamName": post_id,
                                  "startFromHead": True}
        try:
            while True:
                page = self._client.get_log_events(**params)
                for event in page.get("events", []):
                    record = json.loads(event["message"])
                    if record.get("post_id") == post_id and (best is None or record["seq"] > best[0]):
                        best = (int(record["seq"]), str(record["head"]))
                token = page.get("nextForwardToken")
                if not page.get("events") or token == params.get("nextToken"):
                    return best
                params["nextToken"] = token
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code == "ResourceNotFoundException" and self._group_exists():
                return None  # the group is there; this post was never anchored
            raise AnchorUnavailable(str(code)) from err
        except BotoCoreError as err:
            raise AnchorUnavailable(type(err).__name__) from err

    def _group_exists(self) -> bool:
        groups = self._client.describe_log_groups(logGroupNamePrefix=self._group)["logGroups"]
        return any(g["logGroupName"] == self._group for g in groups)

    def _ensure_stream(self, post_id: str) -> None:
        if post_id in self._streams:
            return
        client = self._client
        try:
            client.create_log_stream(logGroupName=self._group, logStreamName=post_id)
        except client.exceptions.ResourceAlreadyExistsException:
            pass
        except client.exceptions.ResourceNotFoundException:
            if not self._create_group:
                raise
            with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
                client.create_log_group(logGroupName=self._group)
            client.create_log_stream(logGroupName=self._group, logStreamName=post_id)
        self._streams.add(post_id)
