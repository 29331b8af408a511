"""The physical shape of the table and the queues, shared by the local emulator setup,
the contract tests and infra/. Key attribute names are spelled in keys.py only."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.settings import PUBLISH_QUEUE

PUBLISH_DLQ = "freigabe-publish-dlq"
MAX_RECEIVE_COUNT = 5
# AWS asks for at least six times the worker's timeout (60 s), so a message a slow
# network is still working on is not handed to a second worker.
VISIBILITY_TIMEOUT_SECONDS = 360


def table_definition(table_name: str) -> dict[str, Any]:
    """Arguments for DynamoDB CreateTable."""
    gsis = [
        (keys.GSI_DUE, keys.GSI_DUE_PK, keys.GSI_DUE_SK),
        (keys.GSI_AUTHOR, keys.GSI_AUTHOR_PK, keys.GSI_AUTHOR_SK),
        (keys.GSI_CALENDAR, keys.GSI_CALENDAR_PK, keys.GSI_CALENDAR_SK),
        (keys.GSI_STATUS, keys.GSI_STATUS_PK, keys.GSI_STATUS_SK),
    ]
    attributes = {keys.PK, keys.SK}
    for _, pk, sk in gsis:
        attributes.update((pk, sk))
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in sorted(attributes)
        ],
        "KeySchema": [
            {"AttributeName": keys.PK, "KeyType": "HASH"},
            {"AttributeName": keys.SK, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": pk, "KeyType": "HASH"},
                    {"AttributeName": sk, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, pk, sk in gsis
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def queue_definitions() -> list[dict[str, Any]]:
    """Queues in creation order: the dead-letter queue first, then the queue that uses it.

    ``RedriveTarget`` names the dead-letter queue; the creator turns it into a RedrivePolicy
    once it knows that queue's ARN.
    """
    return [
        {"QueueName": PUBLISH_DLQ, "Attributes": {"MessageRetentionPeriod": "1209600"}},
        {
            "QueueName": PUBLISH_QUEUE,
            "Attributes": {"VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS)},
            "RedriveTarget": PUBLISH_DLQ,
            "MaxReceiveCount": MAX_RECEIVE_COUNT,
        },
    ]
