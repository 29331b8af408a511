"""The prod stage as packaged, with its own workflow file (chalicelib/workflows/example-prod.toml,
chosen by the FREIGABE_CONFIG the template gives the functions, not overridden here), publishes:
a writer's post for Mastodon goes through the API, the Brand request the relay posts in Slack,
a signed Approve click by the step's reviewer, the tick and the worker fed from the real queue,
to a Mastodon stand-in (tests/standins) that FREIGABE_MASTODON_URL points the example's
base_url at. The token is where the example says, in SSM as a SecureString. Slack's ids are the
example's placeholders, added to the dev workspace stand-in (slack_people.py). Every AWS call
each function makes is checked against its role (conftest.Stage.invoke)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.adapters.slack.blocks import APPROVE
from chalicelib.domain.publication import Publication
from dev.lambda_events import scheduled_event, sqs_event
from tests.standins import start
from tests.standins.networks import MastodonStandin

from . import slack_people
from .conftest import STAGE, Stage
from .template import REGION
from .test_lambda_functions import create_post, dev, get_post, relay, request_for, slack_state

WORKFLOW = "chalicelib/workflows/example-prod.toml"
TOKEN_PARAMETER = f"/freigabe/{STAGE}/mastodon-token"
# Longer than the longest SQS delay the tick may give a publication (it queues posts due within
# the next minutes with a delay until their second); a post without publish_at has none.
QUEUE_WAIT_SECONDS = 75


@dataclass
class ProdExample:
    stage: Stage
    mastodon: MastodonStandin
    people: slack_people.WorkflowPeople


def _stream_event_ids(stage: Stage) -> set[str]:
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    ids: set[str] = set()
    for shard in streams.describe_stream(StreamArn=stage.stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=stage.stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            answer = streams.get_records(ShardIterator=iterator, Limit=1000)
            ids.update(record["eventID"] for record in answer["Records"])
            iterator = answer.get("NextShardIterator") if answer["Records"] else None
    return ids


@pytest.fixture
def prod_example(lambda_stage: Stage) -> Iterator[ProdExample]:
    """The session's stage with the template's own FREIGABE_CONFIG (the conftest replaces it with
    a webhook workflow for the other tests), the Mastodon stand-in and the example's people."""
    stage = lambda_stage
    configured = {f.environment.get("FREIGABE_CONFIG") for f in stage.functions.values()}
    assert configured == {WORKFLOW}, configured  # what .chalice/config.json gives stage prod
    workflow = stage.package.task_root / WORKFLOW
    assert workflow.is_file(), "the prod stage's workflow file is not in the package"

    mastodon = start("mastodon")
    assert isinstance(mastodon, MastodonStandin)
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name=TOKEN_PARAMETER, Type="SecureString", Value=mastodon.secret, Overwrite=True)
    people = slack_people.seed(stage.slack.url, Path(workflow))
    # Stream records written before this test belong to the other tests' workflow: not relayed here.
    stage.__dict__.setdefault("_relayed", set()).update(_stream_event_ids(stage))
    saved = dict(stage.environment)
    del stage.environment["FREIGABE_CONFIG"]
    stage.environment["FREIGABE_MASTODON_URL"] = mastodon.base_url
    try:
        yield ProdExample(stage, mastodon, people)
    finally:
        stage.environment.clear()
        stage.environment.update(saved)
        mastodon.stop()


def _queued_for(stage: Stage, post_id: str) -> list[dict[str, Any]]:
    """The publish queue's messages for the post, as Lambda's SQS poller receives them; waits out
    a delay the tick may have given them (never edits the queue or the tick)."""
    sqs = boto3.client("sqs", region_name=REGION)
    deadline = time.monotonic() + QUEUE_WAIT_SECONDS
    mine: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=stage.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       AttributeNames=["All"], MessageAttributeNames=["All"],
                                       VisibilityTimeout=360).get("Messages", [])
        mine += [m for m in messages if post_id in m["Body"]]
        if mine and not messages:
            return mine
        if time.monotonic() > deadline:
            return mine


def test_the_packaged_prod_example_publishes_to_mastodon(prod_example: ProdExample) -> None:
    stage, mastodon, people = prod_example.stage, prod_example.mastodon, prod_example.people
    brand_channel, (brand_reviewer,) = people.channels["brand"], people.reviewers["brand"]
    text = "Frohe Weihnachten aus dem Prod-Paket, direkt nach der Freigabe"

    # No publish_at: published as soon as approved, so the queue message carries no delay.
    post = create_post(stage, text, channels=["mastodon"])
    # No Legal keyword, not for LinkedIn: Brand's approval is the one the post needs.
    assert [s["name"] for s in post["steps"] if s["required"]] == ["brand"], post["steps"]
    relay(stage)
    request = request_for(stage, brand_channel, post["id"])
    assert not [m for m in slack_state(stage)["messages"].get(people.channels["legal"], [])
                if post["id"] in str(m.get("blocks"))]

    # A signed click, delivered by the workspace to API Gateway in front of the API function.
    answer = dev(stage, "/_dev/click", {"user": brand_reviewer, "channel": brand_channel,
                                        "ts": request["ts"], "action_id": APPROVE})
    assert answer.get("status") == 200, answer
    relay(stage)  # the approval: the relay claims the post, due now, and queues it

    tick = stage.invoke("PublishDue", [scheduled_event(
        f"arn:aws:events:{REGION}:123456789012:rule/{stage.functions['PublishDue'].name}", REGION,
        "123456789012")])
    assert tick.answers[0]["unsent"] == 0, tick.answers

    messages = _queued_for(stage, post["id"])
    assert len(messages) == 1, messages  # one claim of the post, one channel: one publication
    stage.check_role("PublishWorker", [  # what Lambda's SQS poller does with the worker's role
        {"service": "sqs", "operation": operation, "params": {"QueueUrl": stage.queue_url}}
        for operation in ("GetQueueAttributes", "ReceiveMessage", "DeleteMessage")])
    worker = stage.invoke("PublishWorker", [sqs_event(messages, stage.resolve.get_att("PublishQueue", "Arn"),
                                                      REGION)])
    assert not worker.answers[0].get("batchItemFailures"), worker.answers

    stored = get_post(stage, post["id"])
    (sent,) = mastodon.publish_requests()
    (status,) = mastodon.posts
    assert status["text"] == text and sent.json() == {"status": text}
    assert sent.headers["authorization"] == f"Bearer {mastodon.secret}"  # the token from SSM
    key = Publication(post_id=post["id"], channel="mastodon",
                      content_hash=stored["content_hash"]).idempotency_key
    assert sent.headers["idempotency-key"] == key == status["idempotency_key"]
    assert stored["status"] == "published", stored
    result = stored["results"]["mastodon"]
    assert result["status"] == "published"
    assert result["url"] == f"{mastodon.base_url}/@freigabe/{status['id']}"
    assert result["external_id"] == status["id"]
