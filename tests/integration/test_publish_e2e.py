"""End to end through the real queue on the moto server: an approved post, the scheduled
function invoked the way EventBridge does, the worker invoked with the messages SQS hands out,
and the publications on the outbox file and the network stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api_helpers import Api
from tests.integration.publish_support import PublishRig, publish_rig

CHANNELS = ["outbox", "archive", "hooks", "mastodon"]


@pytest.fixture
def rig(table: str, aws_endpoint: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishRig]:
    with publish_rig(table, aws_endpoint, tmp_path, monkeypatch) as publishing:
        yield publishing


@pytest.fixture
def app_client(rig: PublishRig) -> Iterator[Any]:
    from chalice.test import Client

    import app as application
    from tests.conftest import ROOT

    with Client(application.app, stage_name="local", project_dir=str(ROOT)) as client:
        yield client


def tick(client: Any) -> dict[str, int]:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={},
        resources=["arn:aws:events:eu-central-1:123456789012:rule/freigabe-local-publish_due"])
    return client.lambda_.invoke("publish_due", event).payload  # type: ignore[no-any-return]


def test_an_approved_post_goes_out_once_per_channel_through_the_queue(rig: PublishRig,
                                                                     app_client: Any) -> None:
    # GIVEN a post approved for "as soon as possible" on four channels
    post = rig.approved(CHANNELS, text="Frühling im Laden")
    # WHEN the scheduled function runs
    counts = tick(app_client)
    assert (counts["due"], counts["claimed"], counts["messages"]) == (1, 1, 4)
    # THEN the queue holds one message per channel, bound to the approved content
    messages = rig.receive_all()
    assert sorted(b["channel"] for b in rig.bodies(messages)) == sorted(CHANNELS)
    assert {(b["post_id"], b["content_hash"], b["attempt"]) for b in rig.bodies(messages)} == {
        (post.id, post.content_hash, 1)}
    # WHEN the worker gets them as Lambda's poller hands them over
    answer = app_client.lambda_.invoke("publish_worker", rig.event(messages)).payload
    assert answer == {"batchItemFailures": []}
    # THEN the outbox file has exactly one line per outbox channel, each network one post
    lines = rig.outbox_lines()
    assert sorted(line["channel"] for line in lines) == ["archive", "outbox"]
    assert {line["text"] for line in lines} == {"Frühling im Laden"}
    assert [p["text"] for p in rig.network_posts("webhook")] == ["Frühling im Laden"]
    assert [p["text"] for p in rig.network_posts("mastodon")] == ["Frühling im Laden"]
    # AND the post is published, with every channel's result, in the writers' API too
    api = Api(app_client)
    shown = api.call("GET", f"/api/posts/{post.id}").data
    assert shown["status"] == "published"
    assert {c: r["status"] for c, r in shown["results"].items()} == dict.fromkeys(CHANNELS, "published")
    assert shown["results"]["mastodon"]["url"].startswith(rig.standins["mastodon"].base_url)
    assert [e["type"] for e in shown["timeline"]][-6:] == (
        ["publishing"] + ["publish_result"] * 4 + ["published"])
    # AND a second tick and a redelivery change nothing
    assert tick(app_client)["claimed"] == 0
    app_client.lambda_.invoke("publish_worker", rig.event(messages))
    assert len(rig.outbox_lines()) == 2 and len(rig.network_posts("mastodon")) == 1


def test_the_tick_records_its_heartbeat_and_does_nothing_while_paused(rig: PublishRig,
                                                                    app_client: Any) -> None:
    from datetime import UTC, datetime

    from chalicelib import bootstrap

    bootstrap.container().control.pause("Krisenkommunikation", "U0ADMIN", datetime.now(UTC))
    rig.approved(["outbox"])
    assert tick(app_client)["paused"] == 1
    assert rig.receive_all() == []
    assert app_client.http.get("/health").json_body["last_tick"] is not None


def test_a_malformed_message_is_reported_failed_and_others_in_its_batch_go_out(rig: PublishRig,
                                                                              app_client: Any) -> None:
    post = rig.approved(["outbox"])
    tick(app_client)
    [message] = rig.receive_all()
    poison = dict(message, MessageId="poison-1", Body='{"post_id": 1}')
    answer = app_client.lambda_.invoke("publish_worker", rig.event([poison, message])).payload
    assert answer == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    assert rig.post(post.id).status.value == "published"
