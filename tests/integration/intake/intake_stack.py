"""The intake handler and its moto resources (Applications with both indexes, Idempotency, the PII key,
the LINE secret), driven like the SQS event source drives it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from devstack.fake_line import FakeLine
from devtools.lambda_support import FakeLambdaContext, load_function_module

REGION = "ap-northeast-1"
DEV_ACCESS_TOKEN = "civicline-dev-access-token"
APPLICATIONS_TABLE = "civicline-applications"
IDEMPOTENCY_TABLE = "civicline-idempotency"
PUSH = "/v2/bot/message/push"


def clear_caches() -> None:
    from aws_lambda_powertools.utilities import parameters

    from civicline.adapters import pii
    from civicline.adapters.dynamodb import dynamodb_resource
    from civicline.adapters.line import client
    from civicline.models.environment import environment

    environment.cache_clear()
    client._api_client.cache_clear()
    dynamodb_resource.cache_clear()
    pii._data_masking.cache_clear()
    parameters.clear_caches()


def create_tables(dynamodb: Any) -> None:
    """As template.yaml and docs/contracts.md define them."""
    dynamodb.create_table(
        TableName=APPLICATIONS_TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "applicationId", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("applicationId", "userId", "submittedAt", "formId", "receivedAt")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byUser",
                "KeySchema": [
                    {"AttributeName": "userId", "KeyType": "HASH"},
                    {"AttributeName": "submittedAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "byFormReceived",
                "KeySchema": [
                    {"AttributeName": "formId", "KeyType": "HASH"},
                    {"AttributeName": "receivedAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    )
    dynamodb.create_table(
        TableName=IDEMPOTENCY_TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )


def sqs_record(body: str, message_id: str | None = None, receive_count: int = 1) -> dict[str, Any]:
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": str(uuid.uuid4()),
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": "1764205323000"},
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 (SQS's checksum)
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:civicline-applications",
        "awsRegion": REGION,
    }


@dataclass
class IntakeStack:
    fake: FakeLine
    dynamodb: Any
    pii_key_arn: str

    def __post_init__(self) -> None:
        self.app: ModuleType = load_function_module("intake")
        # As lambda_handler does: direct calls of the idempotent store (crash scenarios) need it too.
        self.app.idempotency_config.register_lambda_context(FakeLambdaContext())

    def deliver(self, *records: dict[str, Any]) -> list[str]:
        """One SQS batch to the handler; the message ids it reported failed."""
        response = self.app.lambda_handler({"Records": list(records)}, FakeLambdaContext())
        return [failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])]

    def items(self, record_type: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": APPLICATIONS_TABLE}
        while True:
            page = self.dynamodb.scan(**request)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [i for i in items if record_type is None or i["recordType"]["S"] == record_type]

    def pushes(self) -> list[dict[str, Any]]:
        return self.fake.requests(path=PUSH)

    def received_by(self, user_id: str) -> list[dict[str, Any]]:
        return self.fake.messages_for(user_id)
