"""Creates the table and the queues of chalicelib's schema in an AWS endpoint, idempotently."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import schema


def ensure_table(dynamodb: Any, table_name: str) -> bool:
    """True when the table was created now, i.e. it is empty and may take saved state."""
    try:
        dynamodb.create_table(**schema.table_definition(table_name))
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceInUseException":
            raise
        return False
    dynamodb.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    return True


def ensure_queues(sqs: Any, visibility_override: int | None = None, suffix: str = "") -> dict[str, str]:
    """Queue name -> URL, with each queue's attributes (re)applied, the redrive included.
    ``suffix``: the schema's queues under names of their own (``freigabe-publish-<suffix>``), for
    a test or a bench beside others on one emulator."""
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}
    for definition in schema.queue_definitions():
        name = suffixed(definition["QueueName"], suffix)
        attributes = dict(definition.get("Attributes", {}))
        target = definition.get("RedriveTarget")
        if target:
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": arns[suffixed(target, suffix)],
                    "maxReceiveCount": str(definition["MaxReceiveCount"]),
                }
            )
            # Only the queue a worker consumes has retries worth shortening for tests.
            if visibility_override is not None:
                attributes["VisibilityTimeout"] = str(visibility_override)
        urls[name] = _create_or_update(sqs, name, attributes)
        arns[name] = sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    return urls


def suffixed(name: str, suffix: str) -> str:
    return f"{name}-{suffix}" if suffix else name


def _create_or_update(sqs: Any, name: str, attributes: dict[str, str]) -> str:
    try:
        url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as err:
        # Exists with other attributes (an earlier run, another visibility override).
        if err.response["Error"]["Code"] not in ("QueueAlreadyExists", "QueueNameExists"):
            raise
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        return url
    # CreateQueue on an existing queue with equal attributes answers without an error; setting
    # them again costs nothing and covers emulators that do not compare attributes.
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def ensure_media_bucket(s3: Any, bucket: str, origins: list[str]) -> bool:
    """The image bucket as the template defines it (chalicelib/adapters/media_bucket.py), CORS
    for the local web page's origins. True when it was created now."""
    from chalicelib.adapters import media_bucket

    created = True
    try:
        region = s3.meta.region_name
        where = {} if region in (None, "us-east-1") else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **where)
    except ClientError as err:
        if err.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
        created = False
    s3.put_public_access_block(Bucket=bucket,
                               PublicAccessBlockConfiguration=media_bucket.public_access_block())
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": media_bucket.ENCRYPTION}}]})
    s3.put_bucket_cors(Bucket=bucket,
                       CORSConfiguration={"CORSRules": media_bucket.cors_rules(origins)})
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": media_bucket.lifecycle_rules()})
    return created
