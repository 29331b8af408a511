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


def test_a_batchs_publications_go_to_the_networks_at_the_same_time(rig: PublishRig,
                                                                  app_client: Any) -> None:
    # GIVEN ten posts due now, on a network that answers only once ten requests are waiting
    posts = [rig.approved(["hooks"], text=f"Beitrag {n}") for n in range(10)]
    assert tick(app_client)["messages"] == 10
    messages = rig.receive_all()
    assert len(messages) == 10
    rig.standins["webhook"].gather(10, timeout=5.0)
    # WHEN the worker gets them in one batch
    answer = app_client.lambda_.invoke("publish_worker", rig.event(messages)).payload
    # THEN all ten were sent at once (one after another, each would have waited for the
    # timeout, and the tenth post would have gone out 45 s late)
    assert answer == {"batchItemFailures": []}
    assert rig.standins["webhook"].peak_in_flight == 10
    assert sorted(p["text"] for p in rig.network_posts("webhook")) == sorted(
        f"Beitrag {n}" for n in range(10))
    assert {rig.post(p.id).status.value for p in posts} == {"published"}


def test_a_posts_channels_in_one_batch_are_recorded_one_after_the_other(
        rig: PublishRig, app_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap
    from chalicelib.domain.errors import Conflict

    # GIVEN a post on four channels and one on the outbox, in one batch
    post = rig.approved(CHANNELS)
    other = rig.approved(["outbox"], text="Noch einer")
    tick(app_client)
    messages = rig.receive_all()
    assert len(messages) == 5
    repository = bootstrap.container().repository
    real_save, refused = repository.save, []

    def save(saved: Any) -> None:
        try:
            real_save(saved)
        except Conflict:
            refused.append(saved.id)
            raise

    monkeypatch.setattr(repository, "save", save)
    # WHEN the worker takes the batch
    answer = app_client.lambda_.invoke("publish_worker", rig.event(messages)).payload
    # THEN every channel went out, and no save of a post's result was refused for another
    # channel of the same post saved at the same moment
    assert answer == {"batchItemFailures": []}
    assert refused == []
    assert rig.post(post.id).status.value == "published"
    assert rig.post(other.id).status.value == "published"


def test_a_malformed_message_is_reported_failed_and_others_in_its_batch_go_out(rig: PublishRig,
                                                                              app_client: Any) -> None:
    post = rig.approved(["outbox"])
    tick(app_client)
    [message] = rig.receive_all()
    poison = dict(message, MessageId="poison-1", Body='{"post_id": 1}')
    answer = app_client.lambda_.invoke("publish_worker", rig.event([poison, message])).payload
    assert answer == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    assert rig.post(post.id).status.value == "published"


def test_a_post_due_within_the_next_minute_is_queued_now_and_held_until_its_second(
        rig: PublishRig, app_client: Any) -> None:
    from datetime import UTC, datetime, timedelta

    # GIVEN a post approved for 90 seconds from now, later than the next tick
    publish_at = (datetime.now(UTC) + timedelta(seconds=90)).replace(microsecond=0)
    post = rig.approved(CHANNELS, publish_at=publish_at)
    # WHEN this tick runs
    counts = tick(app_client)
    # THEN it claims the post, and the queue keeps its messages from the worker until its time
    assert (counts["claimed"], counts["messages"]) == (1, 4)
    assert rig.post(post.id).status.value == "publishing"
    assert rig.receive_all() == []
    attributes = rig.sqs.get_queue_attributes(QueueUrl=rig.queue_url, AttributeNames=["All"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "4"


def test_an_approval_without_a_time_is_queued_by_the_relay_without_waiting_for_the_tick(
        rig: PublishRig, app_client: Any, table: str) -> None:
    from tests.integration.slack_helpers import StreamRelay

    # GIVEN a post approved "as soon as possible"
    post = rig.approved(CHANNELS, text="Sofort raus")
    # WHEN the table's stream hands the approval to the relay (no tick has run)
    StreamRelay(table).pump()
    # THEN the post is claimed and one message per channel is ready for the worker
    assert rig.post(post.id).status.value == "publishing"
    messages = rig.receive_all()
    assert sorted(b["channel"] for b in rig.bodies(messages)) == sorted(CHANNELS)
    # AND the tick that follows does not send it again
    assert tick(app_client)["claimed"] == 0
    assert rig.deliver(messages).failed == []
    assert [line["post_id"] for line in rig.outbox_lines()] == [post.id, post.id]
