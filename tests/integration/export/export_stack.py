"""The export handler and its moto resources: Applications (both indexes), Audit, the PII key, the export
bucket and the staff topic (with a queue subscribed, to read the notices). Applications are stored by
intake's own adapter and cipher, so the export reads exactly what intake writes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from types import ModuleType
from typing import Any

from civicline.adapters.dynamodb.applications import DynamoApplications
from civicline.adapters.pii import PiiCipher
from civicline.domain.applications.reception import format_reception_number
from civicline.domain.applications.records import ApplicationRecord
from civicline.models.forms import ApplicantAnswers
from devtools.lambda_support import FakeLambdaContext, load_function_module

REGION = "ap-northeast-1"
APPLICATIONS_TABLE = "civicline-applications"
AUDIT_TABLE = "civicline-audit"
EXPORT_BUCKET = "civicline-exports"
FORM = "koho_delivery"
STAFF_ARN = "arn:aws:iam::123456789012:user/koho-staff"

# Personal data the tests scan the logs for.
SAMPLE = ApplicantAnswers(
    name="新宿 太郎",
    kana="シンジュク タロウ",
    postal_code="160-0022",
    address="東京都新宿区新宿1-2-3 新宿ハイツ101",
    phone="+81312345678",
)


def clear_caches() -> None:
    from civicline.adapters import pii, pii_decrypt, s3_export, staff_notice
    from civicline.adapters.dynamodb import dynamodb_resource, export_source
    from civicline.models.environment import environment

    environment.cache_clear()
    dynamodb_resource.cache_clear()
    export_source._low_level_client.cache_clear()
    s3_export._client.cache_clear()
    staff_notice._client.cache_clear()
    pii._data_masking.cache_clear()
    pii_decrypt._opener.cache_clear()
    pii_decrypt.kms_session.cache_clear()


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
        TableName=AUDIT_TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )


@dataclass
class ExportStack:
    pii_key_arn: str
    notices_queue_url: str
    handler: ModuleType
    s3: Any
    dynamodb: Any
    sqs: Any
    _numbers: count[int] = field(default_factory=lambda: count(1))

    def add_application(
        self,
        answers: ApplicantAnswers = SAMPLE,
        *,
        kind: str = "new",
        received_at: datetime | None = None,
        user_id: str | None = None,
        form_id: str = FORM,
    ) -> ApplicationRecord:
        """Stored as intake stores it: sealed PII, guard taken in the same transaction."""
        application_id = str(uuid.uuid4())
        received = received_at or datetime.now(UTC)
        sequence = next(self._numbers)
        record = ApplicationRecord(
            application_id=application_id,
            user_id=user_id or f"U{uuid.uuid4().hex}",
            form_id=form_id,
            form_version=1,
            kind=kind,
            submitted_at=received - timedelta(seconds=1),
            received_at=received,
            reception_number=format_reception_number("KH", date(2026, 11, 27), sequence),
            pii=PiiCipher(self.pii_key_arn).seal(answers, application_id, form_id),
            pii_masked={"name": "新宿 **"},
            first_edition=None if kind == "stop" else date(2026, 12, 5),
            last_edition=date(2026, 11, 25) if kind == "stop" else None,
        )
        DynamoApplications(APPLICATIONS_TABLE).add(record, replacing_holder=None)
        return record

    def item(self, application_id: str) -> dict[str, Any] | None:
        answer = self.dynamodb.get_item(
            TableName=APPLICATIONS_TABLE, Key={"applicationId": {"S": application_id}}
        )
        return answer.get("Item")

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.handler.lambda_handler(
            event, FakeLambdaContext(remaining_millis=300_000)
        )
        return result

    def staff_export(self, **fields: Any) -> dict[str, Any]:
        return self.invoke(
            {"formId": FORM, "requestedBy": {"arn": STAFF_ARN, "account": "123456789012"}, **fields}
        )

    def download(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=EXPORT_BUCKET, Key=key)["Body"].read()
        return body

    def notices(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(QueueUrl=self.notices_queue_url, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in answer.get("Messages", [])]

    def audit_items(self) -> list[dict[str, Any]]:
        from civicline.adapters.dynamodb.audit import DynamoAudit

        return DynamoAudit(AUDIT_TABLE).entries(FORM)


def build_stack(boto3: Any) -> tuple[ExportStack, str]:
    """The stack and the staff topic's ARN (inside mock_aws)."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_tables(dynamodb)
    key_arn = boto3.client("kms", region_name=REGION).create_key(Description="pii")["KeyMetadata"]["Arn"]
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=EXPORT_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    sns = boto3.client("sns", region_name=REGION)
    topic_arn = sns.create_topic(Name="civicline-staff")["TopicArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="staff-notices")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    stack = ExportStack(
        pii_key_arn=key_arn,
        notices_queue_url=queue_url,
        handler=load_function_module("export"),
        s3=s3,
        dynamodb=dynamodb,
        sqs=sqs,
    )
    return stack, topic_arn
