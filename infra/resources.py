"""The stateful resources (table, queues) as CloudFormation, generated from the same
definitions the local emulator and the contract tests use, so AWS never drifts from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamodb import schema

# Powertools' idempotency layer keeps its records in the table and expires them through
# this attribute (its default ``expiry_attr``); DynamoDB's TTL deletes them.
TTL_ATTRIBUTE = "expiration"

TABLE_ID = "Table"
# Logical ids the hand-written template refers to (roles, alarms): a new queue in
# schema.py needs one here, so that nobody forgets to give it permissions and alarms.
QUEUE_IDS = {
    schema.PUBLISH_QUEUE: "PublishQueue",
    schema.PUBLISH_DLQ: "PublishDeadLetterQueue",
}

STAGE_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")


class PackagingError(RuntimeError):
    """The project and the infrastructure disagree; the message says how to fix it."""


@dataclass(frozen=True)
class StageNames:
    stage: str
    app_name: str
    table: str
    queues: dict[str, str]  # schema name -> name in this stage

    @property
    def api_function(self) -> str:
        return f"{self.app_name}-{self.stage}"

    def function(self, name: str) -> str:
        return f"{self.app_name}-{self.stage}-{name}"


def stage_environment(config: dict[str, Any], stage: str) -> dict[str, str]:
    """The environment Chalice gives the stage's functions (top level, then the stage)."""
    env = dict(config.get("environment_variables") or {})
    env.update((config.get("stages") or {}).get(stage, {}).get("environment_variables") or {})
    return env


def stage_names(config: dict[str, Any], stage: str) -> StageNames:
    if not STAGE_NAME.match(stage):
        raise PackagingError(f"stage {stage!r}: use 1-12 lowercase letters and digits, a letter first")
    if stage not in (config.get("stages") or {}):
        raise PackagingError(f"stage {stage!r} is not in .chalice/config.json 'stages'")
    app_name = str(config.get("app_name") or "freigabe")
    return StageNames(stage=stage, app_name=app_name, table=f"{app_name}-{stage}",
                      queues={name: f"{name}-{stage}" for name in QUEUE_IDS})


def table_resource(names: StageNames) -> dict[str, Any]:
    """schema.table_definition (CreateTable arguments) as an AWS::DynamoDB::Table."""
    definition = dict(schema.table_definition(names.table))
    properties: dict[str, Any] = {}
    for key in ("TableName", "BillingMode", "AttributeDefinitions", "KeySchema",
                "GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if key in definition:
            properties[key] = definition.pop(key)
    stream = definition.pop("StreamSpecification", None)
    if stream and stream.get("StreamEnabled"):
        # CloudFormation has no StreamEnabled: a view type alone switches the stream on.
        properties["StreamSpecification"] = {"StreamViewType": stream["StreamViewType"]}
    if definition:
        raise PackagingError(f"infra/resources.py cannot deploy the table settings {sorted(definition)}")
    if properties.get("BillingMode") != "PAY_PER_REQUEST":
        raise PackagingError("the table must be on-demand (PAY_PER_REQUEST): nothing to size or operate")
    properties.update({
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": True,
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
    })
    return {
        "Type": "AWS::DynamoDB::Table",
        # Left out once the stack switched to a restored table (RestoredTableName).
        "Condition": "KeepOwnTable",
        # Retained even if the stack is deleted or the table replaced: posts and the audit
        # timeline outlive any deployment mistake.
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


QUEUE_ATTRIBUTES = {
    "VisibilityTimeout": "VisibilityTimeout",
    "MessageRetentionPeriod": "MessageRetentionPeriod",
    "DelaySeconds": "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
}


def queue_resources(names: StageNames) -> dict[str, dict[str, Any]]:
    """schema.queue_definitions (CreateQueue arguments) as AWS::SQS::Queue resources."""
    resources: dict[str, dict[str, Any]] = {}
    for definition in schema.queue_definitions():
        name = definition["QueueName"]
        if name not in QUEUE_IDS:
            raise PackagingError(f"queue {name!r} from schema.py has no logical id in infra/resources.py")
        properties: dict[str, Any] = {"QueueName": names.queues[name], "SqsManagedSseEnabled": True}
        for key, value in (definition.get("Attributes") or {}).items():
            if key not in QUEUE_ATTRIBUTES:
                raise PackagingError(f"infra/resources.py does not know the queue attribute {key!r}")
            properties[QUEUE_ATTRIBUTES[key]] = int(value)
        target = definition.get("RedriveTarget")
        if target:
            properties["RedrivePolicy"] = {
                "deadLetterTargetArn": {"Fn::GetAtt": [QUEUE_IDS[target], "Arn"]},
                "maxReceiveCount": int(definition["MaxReceiveCount"]),
            }
        resources[QUEUE_IDS[name]] = {"Type": "AWS::SQS::Queue", "Properties": properties}
    return resources



MEDIA_BUCKET_ID = "MediaBucket"
MEDIA_BUCKET_POLICY_ID = "MediaBucketPolicy"
# The web page is served by the API itself, so its origin is the API's.
WEB_ORIGIN = {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}


def media_bucket_resources() -> dict[str, dict[str, Any]]:
    """The image bucket (chalicelib/adapters/media_bucket.py, the shape the emulator gets too)
    and its policy: private, encrypted, TLS only, uploads from the web page only."""
    from chalicelib.adapters import media_bucket

    rules = []
    for rule in media_bucket.lifecycle_rules():
        cfn: dict[str, Any] = {"Id": rule["ID"], "Status": rule["Status"],
                               "ExpirationInDays": rule["Expiration"]["Days"]}
        found = rule["Filter"].get("And") or rule["Filter"]
        cfn["Prefix"] = found["Prefix"]
        if found.get("Tags"):
            cfn["TagFilters"] = found["Tags"]
        if "AbortIncompleteMultipartUpload" in rule:
            cfn["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
        rules.append(cfn)
    cors = [{"AllowedOrigins": [WEB_ORIGIN], "AllowedMethods": rule["AllowedMethods"],
             "AllowedHeaders": rule["AllowedHeaders"], "ExposedHeaders": rule["ExposeHeaders"],
             "MaxAge": rule["MaxAgeSeconds"]}
            for rule in media_bucket.cors_rules(["web page"])]
    bucket = {"Fn::GetAtt": [MEDIA_BUCKET_ID, "Arn"]}
    return {
        MEDIA_BUCKET_ID: {
            "Type": "AWS::S3::Bucket",
            # The images posts went out with belong to their audit record, like the table.
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                # No VersioningConfiguration: see chalicelib/adapters/media_bucket.py.
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": media_bucket.ENCRYPTION}}]},
                "PublicAccessBlockConfiguration": media_bucket.public_access_block(),
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "CorsConfiguration": {"CorsRules": cors},
                "LifecycleConfiguration": {"Rules": rules},
            },
        },
        MEDIA_BUCKET_POLICY_ID: {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": MEDIA_BUCKET_ID},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": [bucket, {"Fn::Join": ["", [bucket, "/*"]]}],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }]},
            },
        },
    }
