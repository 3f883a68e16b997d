"""Staff exports of applications: CSV in S3, presigned link, audit record (civicline.domain.export).

Events:
    {"trigger": "schedule"}                                   the daily export (EventBridge Scheduler)
    {"formId": "koho_delivery", "encoding": "utf-8-sig" | "cp932",
     "requestedBy": {"arn", "userId", "account"}}              on demand, since the watermark
    {... , "from": "2026-11-01", "to": "2026-11-27"}           re-export of a period (JST days or ISO times)
    {"formId": ..., "exportId": "...", "requestedBy": ...}    a new link to an earlier export's file
    {"grantId": "<32 hex>"}                                    from the staff console: who and what are
                                                               the export grant's (models/export_grant.py)
    "linkExpirySeconds": 60–3600 on any staff request           (default EXPORT_LINK_EXPIRY_SECONDS)

`requestedBy` is self-reported (the audit says `identityVerified: false`); a re-export of a period needs
a grant from an administrator with a reason (domain/export/grants.py), so the CLI's range is refused.

The answer is ExportResult (camelCase JSON) with the link in `url`, or `{"error": {"type", "message"}}`.
The link is never logged: it is a bearer token to applicants' personal data.

Metrics (per invocation): RecordsExported, KmsCalls, UnencodableCells, UnreadableApplications,
LinksIssued, ExportsRefused (answered with an error), ExportsFailed (raised: Lambda or the scheduler
retries), StaffNoticesFailed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.session
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.export_audit import DynamoExportAudit
from civicline.adapters.dynamodb.export_grants import DynamoExportGrants
from civicline.adapters.dynamodb.export_source import DynamoExportSource, export_dynamodb_client
from civicline.adapters.pii import PiiReader
from civicline.adapters.s3_export import S3ExportFiles, export_s3_client
from civicline.adapters.staff_notice import NoticeFailed, SnsStaffNotifier
from civicline.domain.applications.errors import PiiUnavailable
from civicline.domain.export.errors import ExportError, ExportInProgress
from civicline.domain.export.grants import GrantRefused, GrantStore
from civicline.domain.export.ports import ExportPorts, Invocation, StaffNotifier
from civicline.domain.export.run import run_export
from civicline.models.environment import ExportEnvironment
from civicline.models.export import ExportRequest, ExportResult, ExportTrigger, ExportTuning
from civicline.models.export_grant import ExportGrant, GrantedExport
from civicline.models.staff import StaffIdentity
from civicline.models.validation import validation_details

LEASE_MARGIN = timedelta(seconds=60)
# What staff are told rather than raised at: the request or the moment is wrong, not the function.
REFUSALS = (ExportError, PiiUnavailable)


def new_export_id(now: datetime) -> str:
    """Sortable by time (audit records of a form list in order), unique by its random tail."""
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class LoggedNotifier:
    """A notice that fails is logged and counted, not raised: the export is committed and audited."""

    def __init__(self, notifier: StaffNotifier, logger: Logger, metrics: Metrics) -> None:
        self._notifier = notifier
        self._logger = logger
        self._metrics = metrics

    def export_ready(self, result: ExportResult) -> None:
        try:
            self._notifier.export_ready(result)
        except NoticeFailed as error:
            self._logger.error(
                "staff notice failed", extra={"export_id": result.export_id, "reason": str(error)}
            )
            self._metrics.add_metric(name="StaffNoticesFailed", unit=MetricUnit.Count, value=1)


def _error(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **extra}}


class ExportService:
    """One invocation's export over the ports it was built with (once per container)."""

    def __init__(
        self,
        ports: ExportPorts,
        tuning: ExportTuning,
        logger: Logger,
        metrics: Metrics,
        *,
        grants: GrantStore,
        kms_calls: Callable[[], int] = lambda: 0,
    ) -> None:
        self._ports = ports
        self._grants = grants
        self._tuning = tuning
        self._logger = logger
        self._metrics = metrics
        self._kms_calls = kms_calls

    def _count(self, name: str, value: int = 1) -> None:
        self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def _granted(self, event: dict[str, Any]) -> tuple[ExportRequest, ExportGrant]:
        """The request and identity of a console export, from its grant (consumed here, used once)."""
        grant = self._grants.consume(GrantedExport.model_validate(event).grant_id)
        if grant is None:
            raise GrantRefused("the export grant is unknown, used or expired: ask from the console again")
        wire = {"formId": grant.form_id, "encoding": grant.encoding, "exportId": grant.export_id}
        if grant.from_ is not None and grant.to is not None:
            wire |= {"from": grant.from_.isoformat(), "to": grant.to.isoformat()}
        return ExportRequest.model_validate(wire), grant

    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        staff: StaffIdentity | None = None
        reason: str | None = None
        try:
            if isinstance(event, dict) and "grantId" in event:
                request, grant = self._granted(event)
                staff, reason = grant.staff, grant.reason
            else:
                request = ExportRequest.model_validate(event)
        except ValidationError as error:
            # Field paths and reasons only: the values stay out of the answer and the logs.
            self._count("ExportsRefused")
            details = [{"loc": d["field"], "msg": d["message"]} for d in validation_details(error)]
            return _error("InvalidRequest", "invalid export request", details=details)
        except GrantRefused as error:
            self._count("ExportsRefused")
            self._logger.warning("export refused", extra={"reason": type(error).__name__})
            return _error(type(error).__name__, str(error))
        now = datetime.now(UTC)
        run = Invocation(
            export_id=new_export_id(now),
            invocation_id=context.aws_request_id,
            now=now,
            lease_until=now + timedelta(milliseconds=context.get_remaining_time_in_millis()) + LEASE_MARGIN,
            staff=staff,
            reason=reason,
        )
        self._logger.append_keys(
            export_id=run.export_id, form_id=request.form_id, trigger=request.trigger.value
        )
        kms_before = self._kms_calls()
        try:
            result = run_export(request, self._ports, self._tuning, run)
        except REFUSALS as error:
            if isinstance(error, ExportInProgress) and request.trigger is ExportTrigger.SCHEDULE:
                self._count("ExportsFailed")
                raise  # the scheduler's retry runs once the other export is done
            self._count("ExportsRefused")
            self._count("KmsErrors", int(isinstance(error, PiiUnavailable)))
            self._logger.warning("export refused", extra={"reason": type(error).__name__})
            return _error(type(error).__name__, str(error))
        except Exception:
            self._count("ExportsFailed")
            raise
        finally:
            self._count("KmsCalls", self._kms_calls() - kms_before)
        self._count("RecordsExported", result.record_count)
        self._count("UnencodableCells", result.unencodable_total)
        self._count("UnreadableApplications", result.skipped_unreadable)
        # A ciphertext that does not open is a KMS refusal too: the alarm counts both kinds.
        self._count("KmsErrors", result.skipped_unreadable)
        self._count("LinksIssued", int(result.url is not None))
        self._logger.info(
            "export done",
            extra={
                "mode": result.window.mode,
                "record_count": result.record_count,
                "object_key": result.object_key,
                "link_issued": result.url is not None,
                "expiry_seconds": result.expiry_seconds,
                "unencodable_total": result.unencodable_total,
                "skipped_unreadable": result.skipped_unreadable,
                "requested_by": result.requested_by,
                "identity_verified": result.identity_verified,
                "reissued": result.reissued,
            },
        )
        return result.model_dump(mode="json", by_alias=True)


def build(env: ExportEnvironment, tuning: ExportTuning, logger: Logger, metrics: Metrics) -> ExportService:
    """The composition root's wiring (functions/export/app.py calls it once per container; tests too)."""
    source = DynamoExportSource(export_dynamodb_client(), env.applications_table)
    pii = PiiReader(env.pii_key_arn, botocore.session.Session())
    notifier = SnsStaffNotifier(boto3.client("sns"), env.staff_topic_arn, tuning.file_days)
    ports = ExportPorts(
        applications=source,
        surveys=source,
        pii=pii,
        files=S3ExportFiles(export_s3_client(tuning.region), env.export_bucket),
        audit=DynamoExportAudit(dynamodb_resource().Table(env.audit_table)),
        notifier=LoggedNotifier(notifier, logger, metrics),
    )
    grants = DynamoExportGrants(dynamodb_resource().Table(env.staff_console_table))
    return ExportService(ports, tuning, logger, metrics, grants=grants, kms_calls=lambda: pii.kms_calls)
