"""Staff exports of applications: CSV in S3, presigned link, audit record (civicline.domain.export).

Events:
    {"trigger": "schedule"}                                   the daily export (EventBridge Scheduler)
    {"formId": "koho_delivery", "encoding": "utf-8-sig" | "cp932",
     "requestedBy": {"arn", "userId", "account"}}              on demand, since the watermark
    {... , "from": "2026-11-01", "to": "2026-11-27"}           re-export of a period (JST days or ISO times)
    {"formId": ..., "exportId": "...", "requestedBy": ...}    a new link to an earlier export's file
    "linkExpirySeconds": 60–3600 on any staff request           (default EXPORT_LINK_EXPIRY_SECONDS)

The answer is ExportResult (camelCase JSON) with the link in `url`, or `{"error": {"type", "message"}}`.
The link is never logged: it is a bearer token to applicants' personal data.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from civicline.adapters.dynamodb.audit import DynamoAudit
from civicline.adapters.dynamodb.export_source import DynamoExportSource
from civicline.adapters.pii_decrypt import PiiDecryptor
from civicline.adapters.s3_export import S3ExportFiles
from civicline.adapters.staff_notice import NoticeFailed, SnsStaffNotifier
from civicline.domain.export.errors import ExportError, ExportInProgress
from civicline.domain.export.service import ExportPorts, Invocation, run_export
from civicline.models.environment import ExportEnvironment, environment
from civicline.models.export import ExportRequest, ExportResult, ExportTrigger, ExportTuning

LEASE_MARGIN = timedelta(seconds=60)


def new_export_id(now: datetime) -> str:
    """Sortable by time (audit records of a form list in order), unique by its random tail."""
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class _LoggedNotifier:
    """A notice that fails is logged, not raised: the export is committed and audited already."""

    def __init__(self, notifier: SnsStaffNotifier, logger: Logger) -> None:
        self._notifier = notifier
        self._logger = logger

    def export_ready(self, result: ExportResult) -> None:
        try:
            self._notifier.export_ready(result)
        except NoticeFailed as error:
            self._logger.error(
                "staff notice failed", extra={"export_id": result.export_id, "reason": str(error)}
            )


def _error(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **extra}}


class ExportService:
    """One invocation's export on this function's adapters; tuning is read once per sandbox."""

    def __init__(self, logger: Logger) -> None:
        self._logger = logger
        self.tuning = cache(lambda: ExportTuning.model_validate(dict(os.environ)))

    def _ports(self, env: ExportEnvironment, settings: ExportTuning) -> ExportPorts:
        source = DynamoExportSource(env.applications_table)
        return ExportPorts(
            applications=source,
            surveys=source,
            pii=PiiDecryptor(env.pii_key_arn),
            files=S3ExportFiles(env.export_bucket, settings.region),
            audit=DynamoAudit(env.audit_table),
            notifier=_LoggedNotifier(SnsStaffNotifier(env.staff_topic_arn, settings.file_days), self._logger),
        )

    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        env = environment(ExportEnvironment)
        settings = self.tuning()
        try:
            request = ExportRequest.model_validate(event)
        except ValidationError as error:
            # Field paths and reasons only: the values stay out of the answer and the logs.
            details = [
                {"loc": ".".join(map(str, e["loc"])), "msg": e["msg"]}
                for e in error.errors(include_input=False)
            ]
            return _error("InvalidRequest", "invalid export request", details=details)
        now = datetime.now(UTC)
        run = Invocation(
            export_id=new_export_id(now),
            invocation_id=context.aws_request_id,
            now=now,
            lease_until=now + timedelta(milliseconds=context.get_remaining_time_in_millis()) + LEASE_MARGIN,
        )
        self._logger.append_keys(
            export_id=run.export_id, form_id=request.form_id, trigger=request.trigger.value
        )
        try:
            result = run_export(request, self._ports(env, settings), settings, run)
        except ExportInProgress as error:
            if request.trigger is ExportTrigger.SCHEDULE:
                raise  # the scheduler's retry runs once the other export is done
            self._logger.warning("export refused", extra={"reason": type(error).__name__})
            return _error(type(error).__name__, str(error))
        except ExportError as error:
            self._logger.warning("export refused", extra={"reason": type(error).__name__})
            return _error(type(error).__name__, str(error))
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
                "reissued": result.reissued,
            },
        )
        return result.model_dump(mode="json", by_alias=True)
