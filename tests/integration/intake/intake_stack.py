"""The intake handler against template.yaml's resources in moto (Applications, Idempotency, the PII key,
the LINE secret) and the fake LINE, driven like the SQS event source drives it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any, cast

import botocore.session
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext
from tests.integration.aws_from_template import TemplateAws
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.applications import DynamoApplications
from civicline.adapters.dynamodb.wire_client import dynamodb_client
from civicline.adapters.line.client import LineApi
from civicline.adapters.pii import PiiReader
from civicline.models.environment import IntakeEnvironment
from civicline.services import intake
from devstack.fake_line import FakeLine

REGION = "ap-northeast-1"
PUSH = "/v2/bot/message/push"


def sqs_record(body: str, message_id: str | None = None, receive_count: int = 1) -> dict[str, Any]:
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": str(uuid.uuid4()),
        "body": body,
        "attributes": {  # as SQS sends them (Powertools' SqsRecordModel requires each)
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1764205323000",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1764205323100",
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 (SQS's checksum)
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:civicline-applications",
        "awsRegion": REGION,
    }


@dataclass
class IntakeStack:
    fake: FakeLine
    aws: TemplateAws

    def __post_init__(self) -> None:
        self.dynamodb = self.aws.client("dynamodb")
        self.pii_key_arn = self.aws.key_arn("PiiKey")
        self.applications_table = self.aws.table("ApplicationsTable")
        self.idempotency_table = self.aws.table("IdempotencyTable")
        self.app: ModuleType = load_function_module("intake")
        # For the crash scenarios: the same service, built as the composition root builds it, called
        # directly. As lambda_handler does, its idempotency needs the invocation's context.
        env = IntakeEnvironment.from_environ()
        self.service = intake.build(
            env,
            dynamodb_resource(),
            Logger(),
            Metrics(),
            line_api=LineApi(env).messaging_api,
            dynamodb_wire=dynamodb_client(),
        )
        self.service.idempotency_config.register_lambda_context(cast(LambdaContext, FakeLambdaContext()))
        self.applications = DynamoApplications(dynamodb_resource().Table(self.applications_table))
        # Export's reader opens what intake sealed (intake's role cannot decrypt; the tests can).
        self.pii = PiiReader(self.pii_key_arn, botocore.session.Session())

    def deliver(self, *records: dict[str, Any]) -> list[str]:
        """One SQS batch to the handler; the message ids it reported failed."""
        response = self.app.lambda_handler({"Records": list(records)}, FakeLambdaContext())
        return [failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])]

    def items(self, record_type: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": self.applications_table}
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
