"""What the Slack integration tests drive: the app served over real HTTP (chalice's local
server), the Slack dev workspace delivering signed clicks to it, and the table's stream read
from the emulator and fed to the app's `relay_changes` handler, as Lambda would.

The fixtures that set this up (`slack_rig`, `slack_servers`, `app_logs`) are in conftest.py.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import requests

WRITER = "writer@freigabe.example"
WRITER_ID = "U0WRITER"


def signed_headers(body: bytes, secret: str, timestamp: int | None = None,
                   content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    from chalicelib.adapters.slack.signature import sign

    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(secret, stamp, body)}


class StreamRelay:
    """Reads the table's DynamoDB stream from its start and hands each batch to the app's
    stream handler, recording any batch item failures."""

    def __init__(self, table: str) -> None:
        import boto3

        self._streams = boto3.client("dynamodbstreams")
        description = boto3.client("dynamodb").describe_table(TableName=table)["Table"]
        self.arn = str(description["LatestStreamArn"])
        self._iterators: dict[str, str] = {}
        self.failures: list[dict[str, Any]] = []

    def pump(self) -> int:
        import app as application
        from dev.lambda_events import LambdaContext, dynamodb_event

        handler = application.app.handler_map["relay_changes"]
        shards = self._streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self._iterators:
                self._iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        delivered = 0
        for shard_id, iterator in list(self._iterators.items()):
            while iterator:
                answer = self._streams.get_records(ShardIterator=iterator, Limit=50)
                records = answer.get("Records", [])
                iterator = answer.get("NextShardIterator")
                if iterator:
                    self._iterators[shard_id] = iterator
                if not records:
                    break
                context = LambdaContext("freigabe-local-relay_changes", 512,
                                        "arn:aws:lambda:eu-central-1:123456789012:function:relay",
                                        60)
                result = handler(dynamodb_event(records, self.arn, "eu-central-1"), context)
                self.failures += list((result or {}).get("batchItemFailures") or [])
                delivered += len(records)
        return delivered


@dataclass
class SlackServers:
    """The Slack dev workspace and the app's local HTTP server (one pair per session)."""

    workspace: Any  # dev.slack_workspace.server.ServerHandle
    app_url: str


@dataclass
class SlackRig:
    """The app with the Slack dev workspace pointed at it and a relay of the table's stream:
    a writer's API calls, people's clicks and commands in Slack, and what Slack received."""

    servers: SlackServers
    relay: StreamRelay
    secret: str
    http: requests.Session = field(default_factory=requests.Session)

    # -- the writers' API -------------------------------------------------------------------

    def api(self, method: str, path: str, payload: Any = None, user: str = WRITER) -> Any:
        response = self.http.request(method, self.servers.app_url + path, json=payload,
                                     headers={"X-Freigabe-User": user}, timeout=30)
        assert response.status_code < 500, response.text
        return response.json()

    def create(self, user: str = WRITER, **fields: Any) -> dict[str, Any]:
        payload = {"text": "Hallo Welt", "channels": ["outbox"], **fields}
        post = self.api("POST", "/api/posts", payload, user=user)
        assert "id" in post, post
        return post  # type: ignore[no-any-return]

    def post(self, post_id: str, user: str = WRITER) -> dict[str, Any]:
        return self.api("GET", f"/api/posts/{post_id}", user=user)  # type: ignore[no-any-return]

    # -- Slack, as people use it --------------------------------------------------------------

    def dev(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(self.servers.workspace.url + path, json=payload, timeout=60)
        return response.json()  # type: ignore[no-any-return]

    def click(self, user: str, message: dict[str, Any], action_id: str,
              retry_num: int | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"user": user, "channel": message["channel"], "ts": message["ts"],
                                   "action_id": action_id}
        if retry_num is not None:
            payload["retry_num"] = retry_num
        return self.dev("/_dev/click", payload)

    def click_in_view(self, user: str, view_id: str, action_id: str) -> dict[str, Any]:
        return self.dev("/_dev/click", {"user": user, "view_id": view_id, "action_id": action_id})

    def submit(self, user: str, view_id: str, comment: str) -> dict[str, Any]:
        return self.dev("/_dev/submit_view", {"user": user, "view_id": view_id,
                                               "values": {"comment": {"comment": comment}}})

    def command(self, user: str, text: str) -> dict[str, Any]:
        return self.dev("/_dev/command", {"user": user, "command": "/freigabe", "text": text})

    def open_home(self, user: str) -> dict[str, Any]:
        return self.dev("/_dev/home", {"user": user})

    # -- what Slack received ------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return self.http.get(self.servers.workspace.url + "/_dev/state", timeout=30).json()  # type: ignore[no-any-return]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        return list(self.state()["messages"].get(channel, []))

    def request_for(self, channel: str, post_id: str) -> dict[str, Any]:
        """The top-level review request about a post in a channel (the newest one)."""
        found = [m for m in self.messages(channel)
                 if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))]
        assert found, f"no request for {post_id} in {channel}"
        return {**found[-1], "channel": channel}

    def thread(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        return [m for m in self.messages(message["channel"])
                if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]]

    def dms(self, user: str) -> list[dict[str, Any]]:
        return self.messages("D" + user[1:])

    def ephemerals(self, user: str) -> list[dict[str, Any]]:
        return [e for e in self.state()["ephemerals"] if e["user"] == user]

    def open_views(self, user: str) -> list[dict[str, Any]]:
        return [v for v in self.state()["views"].get(user, []) if v["open"]]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [element for block in message.get("blocks") or [] if block.get("type") == "actions"
            for element in block.get("elements", [])]


def shown_text(message: dict[str, Any]) -> str:
    """Every piece of text in a message or view, as sent (escaped)."""
    parts = [str(message.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks") or [])
    return "\n".join(parts)


def stored(post_id: str) -> dict[str, Any]:
    """What must not change on a refused attempt: status, steps, version, timeline."""
    from chalicelib import bootstrap
    from chalicelib.http.representation import post_to_api

    post, events, _ = bootstrap.container().repository.get_full(post_id)
    body = post_to_api(post)
    return {"status": body["status"], "steps": body["steps"], "version": body["version"],
            "timeline": [e.to_dict() for e in events]}


def refs(post_id: str) -> dict[str, Any]:
    from chalicelib import bootstrap

    return bootstrap.container().repository.refs(post_id)


def queued(post_id: str) -> list[str]:
    """The channels the publish queue holds a publication of the post for (read without
    taking them: they become visible again at once)."""
    import os

    import boto3

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=os.environ["FREIGABE_PUBLISH_QUEUE"])["QueueUrl"]
    channels: list[str] = []
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    for message in answer.get("Messages", []):
        body = json.loads(message["Body"])
        if body["post_id"] == post_id:
            channels.append(body["channel"])
    return sorted(channels)
