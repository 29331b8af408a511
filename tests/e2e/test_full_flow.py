"""The whole product as `make run` starts it: a writer submits over HTTP, reviewers approve
in the Slack dev workspace (signed clicks), and at its time the post appears once in the
outbox and once at the webhook, with the links in the review requests' threads and a direct
message to the writer."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from dev.testing import StackHandle, start_stack
from tests.conftest import free_port

pytestmark = pytest.mark.e2e

WRITER = "writer@freigabe.example"
PUBLISH_IN_SECONDS = 25

WORKFLOW = """
timezone = "Europe/Berlin"
language = "de"
review_order = "parallel"
late_publish_minutes = 120
admins = ["U0ADMIN"]

[[steps]]
name = "legal"
label = "Legal"
slack_channel = "C0LEGAL"
reviewers = ["U0LEGAL1", "U0LEGAL2"]
[steps.when]
keywords = ["rabatt"]

[[steps]]
name = "brand"
label = "Brand"
slack_channel = "C0BRAND"
reviewers = ["U0BRAND1"]

[channels.outbox]
type = "outbox"
path = "{outbox}"

[channels.hooks]
type = "webhook"
url = "http://127.0.0.1:{hooks_port}/freigabe"
secret = "env:WEBHOOK_SECRET"
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    state = tmp_path_factory.mktemp("flow-stack")
    hooks_port = free_port()
    workflow = state / "workflow.toml"
    workflow.write_text(WORKFLOW.format(outbox=state / "outbox.jsonl", hooks_port=hooks_port))
    handle = start_stack(state, {
        "FREIGABE_CONFIG": str(workflow), "FREIGABE_TABLE": "freigabe-flow",
        "FREIGABE_TICK_SECONDS": "1", "FREIGABE_WEBHOOK_PORT": str(hooks_port),
        "WEBHOOK_SECRET": "flow-secret",
    })
    yield handle
    handle.stop()


def api(stack: StackHandle, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        stack.base_url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "X-Freigabe-User": WRITER})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def slack_state(stack: StackHandle) -> dict[str, Any]:
    return requests.get(f"{stack.slack_url}/_dev/state", timeout=5).json()  # type: ignore[no-any-return]


def review_request(stack: StackHandle, channel: str, post_id: str) -> dict[str, Any] | None:
    found = [m for m in slack_state(stack)["messages"].get(channel, [])
             if m.get("thread_ts") in (None, m["ts"]) and post_id in json.dumps(m.get("blocks"))]
    return found[-1] if found else None


def test_a_post_approved_in_slack_goes_out_once_at_its_time(stack: StackHandle) -> None:
    publish_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=PUBLISH_IN_SECONDS)
    status, post = api(stack, "POST", "/api/posts", {
        "title": "Adventsaktion", "text": "20 % Rabatt im Advent <!channel>",
        "channels": ["outbox", "hooks"], "publish_at": publish_at.isoformat()})
    assert status == 201, post
    assert {s["name"]: s["status"] for s in post["steps"]} == {"legal": "pending", "brand": "pending"}

    for channel, reviewer in (("C0LEGAL", "U0LEGAL1"), ("C0BRAND", "U0BRAND1")):
        request = eventually(lambda c=channel: review_request(stack, c, post["id"]), 20,
                             f"review request in {channel}")
        assert "&lt;!channel&gt;" in json.dumps(request["blocks"])  # shown, not announced
        click = requests.post(f"{stack.slack_url}/_dev/click", timeout=15, json={
            "user": reviewer, "channel": channel, "ts": request["ts"],
            "action_id": "freigabe_approve"}).json()
        assert click["status"] == 200, click

    # Due within the tick's look-ahead: the last approval claimed it and queued it, held
    # back by the queue until its second.
    claimed_early = api(stack, "GET", f"/api/posts/{post['id']}")[1]
    assert claimed_early["status"] == "publishing"
    assert not Path(stack.state_dir / "outbox.jsonl").exists()  # not before its time

    published = eventually(
        lambda: (p := api(stack, "GET", f"/api/posts/{post['id']}")[1])["status"] == "published" and p,
        PUBLISH_IN_SECONDS + 30, "post published")
    # Claimed ahead of its time (the tick looks one tick ahead), sent on its second.
    claimed = next(e for e in published["timeline"] if e["type"] == "publishing")["at"]
    assert datetime.fromisoformat(claimed.replace("Z", "+00:00")) <= publish_at + timedelta(seconds=5)

    lines = [json.loads(line) for line in
             (stack.state_dir / "outbox.jsonl").read_text().splitlines()]
    assert [line["post_id"] for line in lines] == [post["id"]]
    went_out = datetime.fromisoformat(lines[0]["published_at"])
    assert publish_at <= went_out <= publish_at + timedelta(seconds=5)
    assert lines[0]["text"] == "20 % Rabatt im Advent <!channel>"
    deliveries = [json.loads(line) for line in
                  (stack.state_dir / "webhook.jsonl").read_text().splitlines()]
    assert len(deliveries) == 1 and deliveries[0]["signature_ok"]
    assert deliveries[0]["body"]["post_id"] == post["id"]
    assert deliveries[0]["body"]["content_hash"] == post["content_hash"]
    assert published["results"]["outbox"]["status"] == "published"
    assert published["results"]["hooks"]["status"] == "published"

    def thread_reply() -> Any:
        request = review_request(stack, "C0BRAND", post["id"])
        messages = slack_state(stack)["messages"]["C0BRAND"]
        return [m for m in messages if request and m.get("thread_ts") == request["ts"]
                and m["ts"] != request["ts"] and "veröffentlicht" in json.dumps(m, ensure_ascii=False)]

    eventually(thread_reply, 15, "results in the review request's thread")
    def writer_told() -> Any:
        return [m for m in slack_state(stack)["messages"].get("D0WRITER", [])
                if "veröffentlicht" in json.dumps(m, ensure_ascii=False)]

    assert eventually(writer_told, 15, "DM to the writer")

    time.sleep(3)  # a few more ticks: nothing goes out twice
    assert len((stack.state_dir / "outbox.jsonl").read_text().splitlines()) == 1
    assert len((stack.state_dir / "webhook.jsonl").read_text().splitlines()) == 1
