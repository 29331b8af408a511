"""The role check of the Lambda tier (template.py) on the packaged template: it allows what
the roles grant, and refuses what they do not, so a function calling beyond its role fails."""

from __future__ import annotations

from typing import Any

from . import template as cfn
from .conftest import Package


def call(service: str, operation: str, **params: Any) -> dict[str, Any]:
    return {"service": service, "operation": operation, "params": params}


def roles(package: Package) -> dict[str, cfn.Function]:
    resolve = cfn.Resolver(package.template, {"Stage": "prod"},
                           stream_arn=f"arn:aws:dynamodb:{cfn.REGION}:{cfn.ACCOUNT}:table/freigabe-prod/stream/x")
    return cfn.functions(package.template, resolve)


def test_the_roles_allow_what_they_grant(package: Package) -> None:
    functions = roles(package)
    api, worker = functions["APIHandler"], functions["PublishWorker"]
    table = api.environment["FREIGABE_TABLE"]
    queue = api.environment["FREIGABE_PUBLISH_QUEUE"]
    assert cfn.denied_calls(api, [
        call("dynamodb", "PutItem", TableName=table),
        call("dynamodb", "Query", TableName=table, IndexName="by_status"),
        call("dynamodb", "TransactWriteItems", TransactItems=[
            {"Put": {"TableName": table}}, {"ConditionCheck": {"TableName": table}}]),
        call("sqs", "GetQueueUrl", QueueName=queue),
        call("ssm", "GetParameter", Name="/freigabe/prod/slack", WithDecryption=True),
        call("lambda", "Invoke", FunctionName=api.name, InvocationType="Event"),
    ]) == []
    assert cfn.denied_calls(worker, [
        call("sqs", "DeleteMessage", QueueUrl=f"https://sqs.{cfn.REGION}.amazonaws.com/{cfn.ACCOUNT}/{queue}"),
    ]) == []


def test_the_roles_refuse_what_they_do_not_grant(package: Package) -> None:
    functions = roles(package)
    api, relay, worker = functions["APIHandler"], functions["RelayChanges"], functions["PublishWorker"]
    table = api.environment["FREIGABE_TABLE"]
    queue = api.environment["FREIGABE_PUBLISH_QUEUE"]
    refused = [
        (api, call("dynamodb", "DescribeTable", TableName=table)),
        (api, call("dynamodb", "PutItem", TableName="someone-elses-table")),
        (api, call("dynamodb", "Query", TableName="someone-elses-table", IndexName="by_status")),
        (api, call("ssm", "GetParameter", Name="/freigabe/dev/slack")),
        (api, call("lambda", "Invoke", FunctionName=functions["PublishDue"].name)),
        (relay, call("sqs", "SendMessage",
                     QueueUrl=f"https://sqs.{cfn.REGION}.amazonaws.com/{cfn.ACCOUNT}/freigabe-publish-dev")),
        (relay, call("sqs", "DeleteMessage",
                     QueueUrl=f"https://sqs.{cfn.REGION}.amazonaws.com/{cfn.ACCOUNT}/{queue}")),
        (worker, call("lambda", "Invoke", FunctionName=worker.name)),
        (worker, call("dynamodb", "TransactWriteItems", TransactItems=[
            {"Put": {"TableName": table}}, {"Delete": {"TableName": "freigabe-dev"}}])),
    ]
    for function, attempt in refused:
        assert cfn.denied_calls(function, [attempt]), (function.logical_id, attempt)


def test_the_roles_hold_images_to_what_each_function_does(package: Package) -> None:
    functions = roles(package)
    api, relay, worker = functions["APIHandler"], functions["RelayChanges"], functions["PublishWorker"]
    bucket = api.environment["FREIGABE_MEDIA_BUCKET"]
    assert bucket and all(f.environment["FREIGABE_MEDIA_BUCKET"] == bucket for f in functions.values())
    assert cfn.denied_calls(api, [
        call("s3", "PutObject", Bucket=bucket, Key="uploads/m1"),  # the browser, signed by the API
        call("s3", "GetObject", Bucket=bucket, Key="uploads/m1", Range="bytes=0-10"),
        call("s3", "HeadObject", Bucket=bucket, Key="media/abc"),
        call("s3", "CopyObject", Bucket=bucket, Key="media/abc", Tagging="freigabe-attached=no",
             CopySource={"Bucket": bucket, "Key": "uploads/m1"}),
        call("s3", "DeleteObject", Bucket=bucket, Key="uploads/m1"),
        call("s3", "PutObjectTagging", Bucket=bucket, Key="media/abc"),
    ]) == []
    for reader in (relay, worker):
        assert cfn.denied_calls(reader, [call("s3", "GetObject", Bucket=bucket, Key="media/abc")]) == []
    refused = [
        (api, call("s3", "DeleteObject", Bucket=bucket, Key="media/abc")),
        (api, call("s3", "GetObject", Bucket="someone-elses-bucket", Key="media/abc")),
        (worker, call("s3", "PutObject", Bucket=bucket, Key="media/abc")),
        (worker, call("s3", "GetObject", Bucket=bucket, Key="uploads/m1")),
        (relay, call("s3", "DeleteObject", Bucket=bucket, Key="media/abc")),
        (functions["PublishDue"], call("s3", "GetObject", Bucket=bucket, Key="media/abc")),
    ]
    for function, attempt in refused:
        assert cfn.denied_calls(function, [attempt]), (function.logical_id, attempt)


def test_only_the_api_signs_evidence_with_its_key_and_reads_the_anchors(package: Package) -> None:
    functions = roles(package)
    api = functions["APIHandler"]
    key = api.environment["FREIGABE_EVIDENCE_KEY"]
    anchors = api.environment["FREIGABE_ANCHOR_LOG_GROUP"]
    assert key.startswith("arn:aws:kms:")
    assert cfn.denied_calls(api, [
        call("kms", "GetPublicKey", KeyId=key),
        call("kms", "Sign", KeyId=key, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"),
        call("logs", "GetLogEvents", logGroupName=anchors, logStreamName="p1"),
        call("logs", "DescribeLogGroups", logGroupNamePrefix=anchors),
    ]) == []
    refused = [
        (api, call("kms", "Sign", KeyId=key.rsplit("/", 1)[0] + "/someone-elses-key")),
        (api, call("kms", "ScheduleKeyDeletion", KeyId=key)),
        (api, call("logs", "PutLogEvents", logGroupName=anchors, logStreamName="p1")),
        *[(function, call("kms", "Sign", KeyId=key))
          for name, function in functions.items() if name != "APIHandler"],
    ]
    for function, attempt in refused:
        assert cfn.denied_calls(function, [attempt]), (function.logical_id, attempt)


def test_the_listen_function_reads_the_table_and_channel_tokens_and_nothing_more(
        package: Package) -> None:
    functions = roles(package)
    listen, api = functions["Listen"], functions["APIHandler"]
    table = api.environment["FREIGABE_TABLE"]
    queue = api.environment["FREIGABE_PUBLISH_QUEUE"]
    assert cfn.denied_calls(listen, [
        call("dynamodb", "Query", TableName=table),
        call("dynamodb", "TransactWriteItems", TransactItems=[
            {"Put": {"TableName": table}}, {"Put": {"TableName": table}}]),
        call("ssm", "GetParameter", Name="/freigabe/prod/channels/mastodon", WithDecryption=True),
    ]) == []
    for attempt in (call("sqs", "SendMessage",
                         QueueUrl=f"https://sqs.{cfn.REGION}.amazonaws.com/{cfn.ACCOUNT}/{queue}"),
                    call("ssm", "PutParameter", Name="/freigabe/prod/channels/mastodon"),
                    call("dynamodb", "PutItem", TableName="someone-elses-table")):
        assert cfn.denied_calls(listen, [attempt]), attempt
