"""The export handler against template.yaml's resources in moto: Applications, Audit, the PII key, the
export bucket and the staff topic (with a queue subscribed, to read the notices). Applications are stored
by intake's own adapter and cipher, so the export reads exactly what intake writes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from types import ModuleType
from typing import Any

from tests.integration.aws_from_template import TemplateAws
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.applications import DynamoApplications
from civicline.adapters.dynamodb.export_audit import DynamoExportAudit
from civicline.adapters.dynamodb.export_grants import DynamoExportGrants
from civicline.adapters.pii import PiiSealer
from civicline.domain.applications.intake import DEFAULT_RETENTION_CEILING
from civicline.domain.applications.reception import format_reception_number
from civicline.domain.applications.records import ApplicationRecord
from civicline.models.export_grant import GRANT_LIFETIME, ExportGrant
from civicline.models.forms import ApplicantAnswers
from civicline.models.language import Language
from civicline.models.staff import Role, StaffIdentity

FORM = "koho_delivery"
STAFF_ARN = "arn:aws:iam::123456789012:user/koho-staff"
ADMIN = StaffIdentity(sub="0b6d-admin-sub", username="admin@example.jp", roles=frozenset({Role.ADMIN}))

# Personal data the tests scan the logs for.
SAMPLE = ApplicantAnswers(
    name="新宿 太郎",
    kana="シンジュク タロウ",
    postal_code="160-0022",
    address="東京都新宿区新宿1-2-3 新宿ハイツ101",
    phone="+81312345678",
)


@dataclass
class ExportStack:
    aws: TemplateAws
    notices_queue_url: str
    handler: ModuleType
    s3: Any
    dynamodb: Any
    sqs: Any
    _numbers: count[int] = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        self.pii_key_arn = self.aws.key_arn("PiiKey")
        self.applications_table = self.aws.table("ApplicationsTable")
        self.audit_table = self.aws.table("AuditTable")
        self.bucket = self.aws.bucket("ExportBucket")
        # Intake's own adapters, built once as intake's composition root builds them.
        self.sealer = PiiSealer(self.pii_key_arn)
        self.applications = DynamoApplications(dynamodb_resource().Table(self.applications_table))
        self.audit = DynamoExportAudit(dynamodb_resource().Table(self.audit_table))
        # The staff console's side of a console export: the grant it writes before invoking.
        self.grants = DynamoExportGrants(dynamodb_resource().Table(self.aws.table("StaffConsoleTable")))

    def add_application(
        self,
        answers: ApplicantAnswers = SAMPLE,
        *,
        kind: str = "new",
        received_at: datetime | None = None,
        user_id: str | None = None,
        form_id: str = FORM,
        retention_ceiling: timedelta = DEFAULT_RETENTION_CEILING,
        language: Language = Language.JA,
    ) -> ApplicationRecord:
        """Stored as intake stores it: sealed PII, guard taken in the same transaction, purge at the
        retention ceiling."""
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
            pii=self.sealer.seal(answers, application_id, form_id),
            pii_masked={"name": "新宿 **"},
            first_edition=None if kind == "stop" else date(2026, 12, 5),
            last_edition=date(2026, 11, 25) if kind == "stop" else None,
            purge_at=received + retention_ceiling,
            language=language,
        )
        self.applications.add(record, replacing_holder=None)
        return record

    def item(self, application_id: str) -> dict[str, Any] | None:
        answer = self.dynamodb.get_item(
            TableName=self.applications_table, Key={"applicationId": {"S": application_id}}
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

    def grant(self, what: dict[str, Any] | None = None, staff: StaffIdentity = ADMIN) -> str:
        """A grant as the staff console writes it (who from the token, what from the page): its id."""
        now = datetime.now(UTC)
        grant = ExportGrant.model_validate(
            {
                "grantId": uuid.uuid4().hex,
                "staff": staff.model_dump(by_alias=True, mode="json"),
                "formId": FORM,
                "createdAt": now,
                "expiresAt": now + GRANT_LIFETIME,
                **(what or {}),
            }
        )
        self.grants.issue(grant)
        return grant.grant_id

    def console_export(self, what: dict[str, Any], staff: StaffIdentity = ADMIN) -> dict[str, Any]:
        """An export as the console asks for it: a grant, then ExportFunction with its id alone."""
        return self.invoke({"grantId": self.grant(what, staff)})

    def download(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def notices(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(QueueUrl=self.notices_queue_url, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in answer.get("Messages", [])]

    def audit_items(self) -> list[dict[str, Any]]:
        return self.audit.entries(FORM)


def build_stack(aws: TemplateAws) -> ExportStack:
    """The stack over the template's resources (inside its mock_aws)."""
    s3 = aws.client("s3")
    bucket = aws.bucket("ExportBucket")
    # The template's bucket encrypts with SSE-KMS by default; without that default the SSE-KMS checks
    # prove the export asks for aws:kms on every write itself (the bucket policy that refuses anything
    # else in AWS is not enforced by moto).
    s3.delete_bucket_encryption(Bucket=bucket)
    # Not in the template: a queue subscribed to the staff topic, so the tests can read the notices.
    sqs = aws.client("sqs")
    queue_url = sqs.create_queue(QueueName="staff-notices")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws.client("sns").subscribe(
        TopicArn=aws.topic_arn("StaffNoticesTopic"), Protocol="sqs", Endpoint=queue_arn
    )
    return ExportStack(
        aws=aws,
        notices_queue_url=queue_url,
        handler=load_function_module("export"),
        s3=s3,
        dynamodb=aws.client("dynamodb"),
        sqs=sqs,
    )
