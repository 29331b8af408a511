"""The packaging step refuses templates that would deploy but misbehave, and the deploy
step's pure parts (no AWS is called here)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra import deploy, finish, resources
from infra.resources import PackagingError, StageNames

NAMES = StageNames(stage="dev", app_name="freigabe", table="freigabe-dev",
                   queues={"freigabe-publish": "freigabe-publish-dev",
                           "freigabe-publish-dlq": "freigabe-publish-dlq-dev"})
ENV = {"FREIGABE_AUTH": "cognito", "FREIGABE_SLACK_SECRETS": "/freigabe/dev/slack"}


def route(uri_function: str = "${APIHandler.Arn}") -> dict[str, Any]:
    return {"get": {"x-amazon-apigateway-integration": {"uri": {
        "Fn::Sub": f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/"
                   f"{uri_function}/invocations"}}}}


def minimal_template(paths: dict[str, Any] | None = None, worker_timeout: int = 10) -> dict[str, Any]:
    """The smallest shape of chalice package's output that finish() works on."""
    return {
        "Parameters": {"Stage": {"Type": "String"}},
        "Resources": {
            "RestAPI": {"Type": "AWS::Serverless::Api", "Properties": {"DefinitionBody": {
                "paths": paths if paths is not None else {"/api/posts": route(), "/health": route()}}}},
            "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {
                "Handler": "app.app", "Role": {"Fn::GetAtt": ["APIHandlerRole", "Arn"]}}},
            "PublishWorker": {"Type": "AWS::Serverless::Function", "Properties": {
                "Handler": "app.publish_worker", "Timeout": worker_timeout,
                "Role": {"Fn::GetAtt": ["PublishWorkerRole", "Arn"]},
                "Events": {"Queue": {"Type": "SQS", "Properties": {
                    "Queue": {"Fn::GetAtt": ["PublishQueue", "Arn"]}}}}}},
            "PublishQueue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
            "APIHandlerRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            "PublishWorkerRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            "DefaultRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        },
    }


def test_a_minimal_template_is_finished() -> None:
    done = finish.finish(minimal_template(), NAMES, ENV)
    resources_ = done["Resources"]
    assert "DefaultRole" not in resources_
    assert resources_["PublishWorker"]["Properties"]["FunctionName"] == "freigabe-dev-publish_worker"
    assert resources_["APIHandlerLogGroup"]["Properties"]["LogGroupName"] == "/aws/lambda/freigabe-dev"
    paths = resources_["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert paths["/api/posts"]["get"]["security"] == [{"writers": []}]
    assert "security" not in paths["/health"]["get"]
    assert "${APIHandler.Arn}" not in str(paths)


def test_the_external_review_page_needs_no_sign_in_and_its_link_call_does() -> None:
    paths = {"/api/posts/{post_id}/review-links": route(), "/review/{token}": route(),
             "/review/{token}/decision": route()}
    env = {**ENV, "FREIGABE_LINK_KEY": "ssm:/freigabe/dev/link-key"}
    done = finish.finish(minimal_template(paths), NAMES, env)["Resources"]
    finished = done["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert finished["/api/posts/{post_id}/review-links"]["get"]["security"] == [{"writers": []}]
    assert "security" not in finished["/review/{token}"]["get"]
    assert "security" not in finished["/review/{token}/decision"]["get"]


def test_a_route_neither_under_api_nor_public_is_refused() -> None:
    with pytest.raises(PackagingError, match="/admin"):
        finish.finish(minimal_template({"/admin": route()}), NAMES, ENV)


def test_a_worker_slower_than_a_sixth_of_the_visibility_timeout_is_refused() -> None:
    with pytest.raises(PackagingError, match=r"lambda_functions\.publish_worker\.lambda_timeout <= 10"):
        finish.finish(minimal_template(worker_timeout=11), NAMES, ENV)


@pytest.mark.parametrize("env, problem", [
    ({**ENV, "SLACK_BOT_TOKEN": "xoxb-1-2-3"}, "looks like a secret"),
    ({**ENV, "FREIGABE_SLACK_SECRETS": "/other/slack"}, "may only read"),
    ({**ENV, "FREIGABE_AUTH": "dev"}, "cognito"),
    ({**ENV, "FREIGABE_COGNITO_CLIENT_ID": "abc"}, "remove it"),
    ({**ENV, "FREIGABE_TABLE": "freigabe-dev"}, "remove it"),
    ({**ENV, "FREIGABE_LINK_KEY": "env:LINK_KEY"}, "signs review links"),
    ({**ENV, "FREIGABE_LINK_KEY": "ssm:/freigabe/prod/link-key"}, "signs review links"),
])
def test_environment_that_cannot_work_in_aws_is_refused(env: dict[str, str], problem: str) -> None:
    with pytest.raises(PackagingError, match=problem):
        finish.finish(minimal_template(), NAMES, env)


def test_a_function_without_its_own_role_is_refused() -> None:
    template = minimal_template()
    template["Resources"]["APIHandler"]["Properties"]["Role"] = {"Fn::GetAtt": ["DefaultRole", "Arn"]}
    with pytest.raises(PackagingError, match="APIHandlerRole"):
        finish.finish(template, NAMES, ENV)


def test_an_override_of_a_renamed_function_is_refused() -> None:
    template = minimal_template()
    template["Resources"]["OldName"] = {"Properties": {"Role": "x"}}
    with pytest.raises(PackagingError, match="OldName"):
        finish.finish(template, NAMES, ENV)


def test_secret_references_the_roles_allow() -> None:
    assert finish.allowed_secret("/freigabe/dev/slack", "dev")
    assert finish.allowed_secret("ssm:/freigabe/dev/mastodon", "dev")
    assert finish.allowed_secret("secretsmanager:freigabe/dev/x", "dev")
    assert not finish.allowed_secret("ssm:/freigabe/prod/x", "dev")
    assert not finish.allowed_secret("env:TOKEN", "dev")


def test_stage_names_follow_the_app_and_stage() -> None:
    config: dict[str, Any] = {"app_name": "freigabe", "stages": {"prod": {}}}
    names = resources.stage_names(config, "prod")
    assert (names.table, names.api_function) == ("freigabe-prod", "freigabe-prod")
    assert names.function("publish_worker") == "freigabe-prod-publish_worker"
    assert names.queues["freigabe-publish"] == "freigabe-publish-prod"
    with pytest.raises(PackagingError, match="not in"):
        resources.stage_names(config, "qa")
    with pytest.raises(PackagingError, match="lowercase"):
        resources.stage_names(config, "Prod")


def test_deploy_points_every_function_at_the_uploaded_code() -> None:
    template = minimal_template()
    done = deploy.point_code_at(copy.deepcopy(template), "bucket", "dev/code-1.zip")
    for key in ("APIHandler", "PublishWorker"):
        code = done["Resources"][key]["Properties"]["CodeUri"]
        assert code == {"Bucket": "bucket", "Key": "dev/code-1.zip"}


def test_deploy_keeps_parameters_it_was_not_given() -> None:
    parameters = deploy.stack_parameters({"AlarmEmail": None, "LogRetentionDays": "90", "New": None},
                                         existing={"AlarmEmail", "LogRetentionDays"})
    assert parameters == [{"ParameterKey": "AlarmEmail", "UsePreviousValue": True},
                          {"ParameterKey": "LogRetentionDays", "ParameterValue": "90"}]


def test_a_first_deploy_uses_the_stack_s_own_table() -> None:
    parameters = deploy.stack_parameters({"RestoredTableName": None, "RestoredTableStreamArn": None},
                                         existing=set())
    assert parameters == [{"ParameterKey": "RestoredTableName", "ParameterValue": ""},
                          {"ParameterKey": "RestoredTableStreamArn", "ParameterValue": ""}]


def stubbed_cloudformation() -> tuple[Any, Any]:
    """A real boto3 client whose calls are answered by botocore's Stubber (checked against
    the service model, never sent)."""
    import boto3
    from botocore.stub import Stubber

    client = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                   region_name="eu-central-1").client("cloudformation")
    return client, Stubber(client)


def test_a_new_stack_is_created_through_a_change_set() -> None:
    from datetime import UTC, datetime

    cfn, stub = stubbed_cloudformation()
    stub.add_client_error("describe_stacks", "ValidationError", "Stack with id freigabe-dev does not exist")
    stub.add_response("create_change_set", {"Id": "arn:cs", "StackId": "arn:stack"})
    stub.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "ExecutionStatus": "AVAILABLE"})
    stub.add_response("execute_change_set", {})
    stub.add_response("describe_stacks", {"Stacks": [{
        "StackName": "freigabe-dev", "CreationTime": datetime.now(UTC), "StackStatus": "CREATE_COMPLETE"}]})
    with stub:
        deploy.deploy_stack(cfn, "freigabe-dev", "https://bucket.s3.eu-central-1.amazonaws.com/t.json",
                            {"AlarmEmail": None, "RestoredTableName": None}, {"stage": "dev"})
    stub.assert_no_pending_responses()


def test_an_unchanged_stack_is_left_alone() -> None:
    from datetime import UTC, datetime

    cfn, stub = stubbed_cloudformation()
    stub.add_response("describe_stacks", {"Stacks": [{
        "StackName": "freigabe-dev", "CreationTime": datetime.now(UTC), "StackStatus": "UPDATE_COMPLETE",
        "Parameters": [{"ParameterKey": "AlarmEmail", "ParameterValue": "ops@example.com"}]}]})
    stub.add_response("create_change_set", {"Id": "arn:cs", "StackId": "arn:stack"})
    stub.add_response("describe_change_set", {"Status": "FAILED", "StatusReason": (
        "The submitted information didn't contain changes. Submit different information to create a "
        "change set.")})
    stub.add_response("describe_change_set", {"Status": "FAILED", "StatusReason": (
        "The submitted information didn't contain changes.")})
    stub.add_response("delete_change_set", {})
    with stub:
        deploy.deploy_stack(cfn, "freigabe-dev", "https://bucket.s3.eu-central-1.amazonaws.com/t.json",
                            {"AlarmEmail": None}, {"stage": "dev"})
    stub.assert_no_pending_responses()
