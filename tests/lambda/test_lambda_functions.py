"""Every function of the prod package, run as Lambda runs it (see conftest.py): the API behind
API Gateway with Cognito claims, a signed Slack click and url_verification, a Bolt lazy
listener invoking its own function again, the stream relay with the template's filter, the
tick, the worker from real queue messages, and the reminders. Outcomes are read back from the
emulator, the Slack stand-in and the webhook receiver; every AWS call is checked against the
calling function's role (conftest.Stage.invoke)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from chalicelib.adapters.slack.blocks import APPROVE, CHECKLIST_ACTION, CHECKLIST_BLOCK
from dev.lambda_events import dynamodb_event, scheduled_event, sqs_event

from .conftest import Stage
from .events import api_event, cognito_claims, filtered, form_body, json_body

WRITER = "wanda.writer@freigabe.example"


def signed(body: str, secret: str, content_type: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}"}


def create_post(stage: Stage, text: str, **fields: Any) -> dict[str, Any]:
    event = api_event("POST", "/api/posts", body=json_body({"text": text, "channels": ["hooks"], **fields}),
                      headers={"Content-Type": "application/json"}, claims=cognito_claims(WRITER, "Wanda"))
    answer = stage.invoke("APIHandler", [event]).answers[0]
    assert answer["statusCode"] == 201, answer
    return json.loads(answer["body"])  # type: ignore[no-any-return]


def get_post(stage: Stage, post_id: str) -> dict[str, Any]:
    answer = stage.invoke("APIHandler", [api_event(
        "GET", "/api/posts/{post_id}", path=f"/api/posts/{post_id}", path_parameters={"post_id": post_id},
        claims=cognito_claims(WRITER))]).answers[0]
    assert answer["statusCode"] == 200, answer
    return json.loads(answer["body"])  # type: ignore[no-any-return]


def relay(stage: Stage) -> tuple[int, int]:
    """Lambda's stream poller: every record of the table's stream since the start, filtered
    as the template's FilterCriteria says, to the relay function. (records read, delivered)"""
    streams = boto3.client("dynamodbstreams", region_name="eu-central-1")
    shards = streams.describe_stream(StreamArn=stage.stream_arn)["StreamDescription"]["Shards"]
    records: list[dict[str, Any]] = []
    for shard in shards:
        iterator = streams.get_shard_iterator(StreamArn=stage.stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            answer = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += answer["Records"]
            iterator = answer.get("NextShardIterator") if answer["Records"] else None
    stage.check_role("RelayChanges", [  # what Lambda's stream poller does with the function's role
        {"service": "dynamodbstreams", "operation": operation, "params": {"StreamArn": stage.stream_arn}}
        for operation in ("DescribeStream", "GetShardIterator", "GetRecords")])
    seen = stage.__dict__.setdefault("_relayed", set())
    fresh = [r for r in records if r["eventID"] not in seen]
    seen.update(r["eventID"] for r in fresh)
    source = stage.package.template["Resources"]["RelayChanges"]["Properties"]["Events"]
    mapping = next(iter(source.values()))["Properties"]
    event = dynamodb_event(fresh, stage.stream_arn, "eu-central-1")
    passed = filtered(event["Records"], mapping.get("FilterCriteria", {}))
    if passed:
        answers = stage.invoke("RelayChanges", [{"Records": passed[i:i + mapping["BatchSize"]]}
                                                for i in range(0, len(passed), mapping["BatchSize"])]).answers
        assert all(not (a or {}).get("batchItemFailures") for a in answers), answers
    return len(fresh), len(passed)


def slack_state(stage: Stage) -> dict[str, Any]:
    import requests

    return requests.get(stage.slack.url + "/_dev/state", timeout=30).json()  # type: ignore[no-any-return]


def request_for(stage: Stage, channel: str, post_id: str) -> dict[str, Any]:
    found = [m for m in slack_state(stage)["messages"].get(channel, [])
             if post_id in json.dumps(m.get("blocks"))]
    assert found, f"no review request for {post_id} in {channel}"
    return {**found[0], "channel": channel}


def test_health_page_and_the_writers_api_with_cognito_claims(lambda_stage: Stage) -> None:
    claims = cognito_claims(WRITER, "Wanda")
    run = lambda_stage.invoke("APIHandler", [
        api_event("GET", "/health"),
        api_event("GET", "/", headers={"Accept": "text/html", "Accept-Language": "de"}),
        api_event("POST", "/api/posts", body=json_body({"text": "Hallo aus Lambda", "channels": ["hooks"]}),
                  headers={"Content-Type": "application/json"}, claims=claims),
        api_event("GET", "/api/posts", claims=claims),
        # Without Cognito's claims the dev header is refused: nobody is anybody in AWS.
        api_event("POST", "/api/posts", body=json_body({"text": "Ich bin jemand", "channels": ["hooks"]}),
                  headers={"Content-Type": "application/json", "X-Freigabe-User": WRITER}),
    ])
    health, page, created, listed, refused = run.answers
    assert health["statusCode"] == 200
    assert page["statusCode"] == 200 and "<html" in page["body"].lower()
    assert created["statusCode"] == 201, created
    post = json.loads(created["body"])
    assert listed["statusCode"] == 200 and post["id"] in listed["body"]
    assert refused["statusCode"] == 401
    stored = boto3.client("dynamodb", region_name="eu-central-1").scan(TableName=lambda_stage.table)["Items"]
    texts = json.dumps(stored)
    assert "Hallo aus Lambda" in texts and "Ich bin jemand" not in texts


def dev(stage: Stage, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    import requests

    return requests.post(stage.slack.url + path, json=payload, timeout=120).json()  # type: ignore[no-any-return]


def open_views(stage: Stage, user: str) -> list[dict[str, Any]]:
    import requests

    state = requests.get(stage.slack.url + "/_dev/state", timeout=30).json()
    return [v for v in state["views"].get(user, []) if v["open"]]


def published(stage: Stage) -> list[dict[str, Any]]:
    if not stage.webhook_log.exists():
        return []
    return [json.loads(line) for line in stage.webhook_log.read_text().splitlines()]


def test_reviewed_in_slack_then_queued_by_the_last_approval_and_published(lambda_stage: Stage) -> None:
    """API -> stream relay -> signed clicks in Slack -> the last one queues the post (the API
    function, under its role) -> the tick finds nothing left to send -> worker -> webhook."""
    soon = datetime.now(UTC) + timedelta(seconds=2)  # due within the tick's look-ahead
    post = create_post(lambda_stage, "Frohe Weihnachten aus Lambda", publish_at=soon.isoformat())
    read, delivered = relay(lambda_stage)
    assert delivered >= 1 and delivered < read  # the template's filter passes the events only
    # The package's workflow: Legal reviews everything for the webhook channel, Brand always.
    for reviewer, channel in (("U0LEGAL1", "C0LEGAL"), ("U0BRAND1", "C0BRAND")):
        request = request_for(lambda_stage, channel, post["id"])
        answer = dev(lambda_stage, "/_dev/click", {"user": reviewer, "channel": channel,
                                                    "ts": request["ts"], "action_id": APPROVE})
        assert answer.get("status") == 200, answer
        # Legal's compliance checklist: Approve opens it (views.open from the function), and
        # the approval goes in with the required items ticked.
        modals = open_views(lambda_stage, reviewer)
        if modals:
            (modal,) = modals
            items = [o["value"] for b in modal["blocks"] if b.get("block_id") == CHECKLIST_BLOCK
                     for o in b["element"]["options"]]
            ticked = dev(lambda_stage, "/_dev/submit_view", {
                "user": reviewer, "view_id": modal["id"],
                "values": {CHECKLIST_BLOCK: {CHECKLIST_ACTION: items}}})
            assert ticked.get("status") == 200 and ticked.get("view_open") is False, ticked
    # The last approval of a post due within the look-ahead claimed and queued it at once.
    assert get_post(lambda_stage, post["id"])["status"] == "publishing"
    legal = next(s for s in get_post(lambda_stage, post["id"])["steps"] if s["name"] == "legal")
    assert legal["checklist"]  # the ticks are part of the record
    relay(lambda_stage)
    updated = request_for(lambda_stage, "C0BRAND", post["id"])
    assert not [b for b in updated.get("blocks", []) if b.get("type") == "actions"]  # decided

    tick = lambda_stage.invoke("PublishDue", [scheduled_event(
        f"arn:aws:events:eu-central-1:123456789012:rule/{lambda_stage.functions['PublishDue'].name}",
        "eu-central-1", "123456789012")])
    assert tick.answers[0]["unsent"] == 0 and tick.answers[0]["claimed"] == 0, tick.answers

    # One publication of the post is queued, by the last approval.
    sqs = boto3.client("sqs", region_name="eu-central-1")
    messages = sqs.receive_message(QueueUrl=lambda_stage.queue_url, MaxNumberOfMessages=10,
                                   AttributeNames=["All"], MessageAttributeNames=["All"],
                                   VisibilityTimeout=360).get("Messages", [])
    assert [m for m in messages if post["id"] in m["Body"]], (tick.answers, messages)
    queue_arn = lambda_stage.resolve.get_att("PublishQueue", "Arn")
    lambda_stage.check_role("PublishWorker", [  # what Lambda's SQS poller does with the worker's role
        {"service": "sqs", "operation": operation, "params": {"QueueUrl": lambda_stage.queue_url}}
        for operation in ("GetQueueAttributes", "ReceiveMessage", "DeleteMessage")])
    worker = lambda_stage.invoke("PublishWorker", [sqs_event(messages, queue_arn, "eu-central-1")])
    assert not worker.answers[0].get("batchItemFailures"), worker.answers
    deliveries = [d for d in published(lambda_stage) if post["id"] in json.dumps(d["body"])]
    assert len(deliveries) == 1 and deliveries[0]["signature_ok"]
    assert "Frohe Weihnachten aus Lambda" in json.dumps(deliveries[0]["body"])
    assert get_post(lambda_stage, post["id"])["status"] == "published"


def test_slack_url_verification_and_unsigned_requests(lambda_stage: Stage) -> None:
    from dev.slack_workspace import DEV_SIGNING_SECRET

    body = json_body({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                      "type": "url_verification"})
    form = form_body({"command": "/freigabe", "text": "hilfe", "user_id": "U0BRAND1"})
    verified, unsigned = lambda_stage.invoke("APIHandler", [
        api_event("POST", "/slack/events", body=body,
                  headers=signed(body, DEV_SIGNING_SECRET, "application/json")),
        api_event("POST", "/slack/events", body=form,
                  headers={"Content-Type": "application/x-www-form-urlencoded"}),
    ]).answers
    assert verified["statusCode"] == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in verified["body"]
    assert unsigned["statusCode"] == 401


def test_a_lazy_listener_runs_in_a_second_invocation_of_the_api_function(lambda_stage: Stage) -> None:
    """App Home: Bolt acknowledges, then invokes its own function (InvocationType=Event) for
    the lazy listener that publishes the view; runner.py intercepts that lambda.Invoke and the
    conftest runs the payload in another isolated interpreter, as Lambda would."""
    answer = dev(lambda_stage, "/_dev/home", {"user": "U0BRAND1"})
    assert answer["status"] == 200, answer
    homes = slack_state(lambda_stage)["homes"]
    assert homes["U0BRAND1"]["type"] == "home" and homes["U0BRAND1"]["blocks"]
    acknowledged = lambda_stage.bridge.runs[-1]
    assert acknowledged.answers[0]["statusCode"] == 200
    [lazy] = acknowledged.invocations  # the same function, invoked again for the lazy listener
    assert lazy.function.logical_id == "APIHandler" and lazy.answers[0]["statusCode"] == 200
    assert ("lambda", "Invoke") in [(c["service"], c["operation"]) for c in acknowledged.calls]
    # Bolt is handed the container's Lambda client, from the session every other client of
    # the container comes from: no second session through boto3 (endpoints parsed again).
    assert acknowledged.raw["boto3_session"] is False


def test_reminders_are_posted_in_the_request_thread(lambda_stage: Stage) -> None:
    post = create_post(lambda_stage, "Bitte nicht vergessen")
    relay(lambda_stage)
    request = request_for(lambda_stage, "C0BRAND", post["id"])
    time.sleep(1.5)  # remind_after_hours in the stage's workflow is about a second

    run = lambda_stage.invoke("SendReminders", [scheduled_event(
        f"arn:aws:events:eu-central-1:123456789012:rule/{lambda_stage.functions['SendReminders'].name}",
        "eu-central-1", "123456789012")])
    assert run.answers[0]["reminded"] >= 1, run.answers
    thread = [m for m in slack_state(lambda_stage)["messages"]["C0BRAND"]
              if m.get("thread_ts") == request["ts"] and m["ts"] != request["ts"]]
    assert thread, "no reminder in the request's thread"
