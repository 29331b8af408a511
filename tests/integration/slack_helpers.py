"""The Slack rig for integration tests: the app served over real HTTP (chalice's local
server), the Slack dev workspace delivering signed clicks to it, and the table's stream read
from the emulator and fed to the app's `relay_changes` handler, as Lambda would.

Test modules take the fixtures from here: `rig = slack_helpers.rig` and so on.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
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
class Servers:
    workspace: Any  # dev.slack_workspace.server.ServerHandle
    app_url: str


@dataclass
class Rig:
    servers: Servers
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
    from chalicelib.domain.serialize import post_to_api

    post, events, _ = bootstrap.repository().get_full(post_id)
    body = post_to_api(post)
    return {"status": body["status"], "steps": body["steps"], "version": body["version"],
            "timeline": [e.to_dict() for e in events]}


def refs(post_id: str) -> dict[str, Any]:
    from chalicelib import bootstrap

    return bootstrap.repository().get_full(post_id)[2]  # type: ignore[no-any-return]


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def slack_servers(aws_endpoint: str) -> Iterator[Servers]:
    """The dev workspace and the app's local HTTP server, once per session."""
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, LocalChalice, LocalDevServer, create_local_server

    import app as application
    from dev.slack_workspace import start_in_thread
    from tests.conftest import free_port

    class Quiet(ChaliceRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    workspace = start_in_thread("http://127.0.0.1:9/slack/events", delivery_timeout=60)
    port = free_port()
    config = Config.create(chalice_stage="local", app_name="freigabe", function_name="api_handler",
                           lambda_timeout=60)
    if isinstance(application.app, LocalChalice):
        # Each test module that imports this fixture gets its own session instance; the app
        # object is already made thread-safe for local serving by the first.
        server = LocalDevServer(application.app, config, "127.0.0.1", port, handler_cls=Quiet)
    else:
        server = create_local_server(application.app, config, "127.0.0.1", port)
        server.server.RequestHandlerClass = functools.partial(Quiet, app_object=application.app,
                                                              config=config)
    thread = threading.Thread(target=server.server.serve_forever, name="chalice-local", daemon=True)
    thread.start()
    app_url = f"http://127.0.0.1:{port}"
    workspace.set_events_url(app_url + "/slack/events")
    yield Servers(workspace, app_url)
    server.shutdown()
    workspace.stop()


@pytest.fixture
def app_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Records of every logger, the app's included (Chalice stops "freigabe" propagating)."""
    import logging

    caplog.set_level(logging.DEBUG)
    app_logger = logging.getLogger("freigabe")
    app_logger.addHandler(caplog.handler)
    yield caplog
    app_logger.removeHandler(caplog.handler)


@pytest.fixture
def rig(table: str, slack_servers: Servers, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    from chalicelib import bootstrap
    from chalicelib.adapters.slack.notifier import build_notifier
    from dev.slack_workspace import DEV_BOT_TOKEN, DEV_SIGNING_SECRET

    monkeypatch.setenv("SLACK_BOT_TOKEN", DEV_BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", DEV_SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", slack_servers.workspace.api_url)
    # Until bootstrap wires the notifier itself (the lead's change), the tests do.
    monkeypatch.setattr(bootstrap, "message_handlers", lambda: [build_notifier()])
    bootstrap.reset()
    slack_servers.workspace.workspace.reset()
    yield Rig(slack_servers, StreamRelay(table), DEV_SIGNING_SECRET)
    bootstrap.reset()


__all__ = ["Rig", "StreamRelay", "app_logs", "buttons", "refs", "rig", "shown_text", "signed_headers",
           "slack_servers", "stored"]
