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
