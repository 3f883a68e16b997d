"""The one path every export's rows take: rows → file in the bucket → (link for staff) → result.

Each mode decides which rows and which window; this module writes them, signs the link and states what
was done. A link is signed for staff only: a scheduled export has nobody to receive one (its notice
names the export id instead, see civicline.adapters.staff_notice).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from civicline.domain.export.csv_stream import CsvRow, EncodingReport, encode_csv
from civicline.domain.export.ports import ExportPorts, Invocation
from civicline.messages import text
from civicline.models.export import (
    LINK_EXPIRY_CEILING_SECONDS,
    ExportEncoding,
    ExportRequest,
    ExportResult,
    ExportTrigger,
    ExportTuning,
    ExportWindow,
    UnencodableCell,
)
from civicline.models.forms import FormDefinition
from civicline.ward_time import ward_time

SCHEDULER = "EventBridge Scheduler"
SCHEDULER_SOURCE = "the export schedule (EventBridge Scheduler with ExportSchedulerRole)"
STAFF_SOURCE = (
    "self-reported by the staff CLI (sts:GetCallerIdentity), not verified; the authenticated invoker is "
    "CloudTrail's lambda Invoke record with this invocationId"
)
CONSOLE_SOURCE = "the staff console's export grant (Cognito token: sub and username, verified)"
CONTENT_TYPES = {
    ExportEncoding.UTF8_BOM: "text/csv; charset=utf-8",
    ExportEncoding.CP932: "text/csv; charset=Shift_JIS",
}


@dataclass(slots=True)
class Tally:
    """What the rows counted while they streamed: written rows, and applications that would not open."""

    rows: int = 0
    unreadable: int = 0
    unreadable_numbers: list[str] = field(default_factory=list)


def object_key(form_id: str, export_id: str, now: datetime) -> str:
    return f"exports/{form_id}/{ward_time(now):%Y/%m/%d}/{export_id}.csv"


def download_names(form: FormDefinition, issued_at: datetime) -> tuple[str, str]:
    """(「広報新宿の個別配達_2026-11-27_0800.csv」, 「koho_delivery_2026-11-27_0800.csv」)."""
    stamp = f"{ward_time(issued_at):%Y-%m-%d_%H%M}"
    title = "".join(text(form.title).split())
    return f"{title}_{stamp}.csv", f"{form.id}_{stamp}.csv"


def requester(request: ExportRequest, run: Invocation) -> dict[str, Any]:
    """Who asked, where that name comes from, and whether it was verified (the audit keeps all of it).

    Verified only through a consumed export grant (the console); the CLI's name is self-reported and the
    schedule's is what the event says: both are recorded as not verified, plainly."""
    if run.staff is not None:
        return {
            "requested_by": run.staff.username,
            "requested_by_source": CONSOLE_SOURCE,
            "identity_verified": True,
            "requested_by_sub": run.staff.sub,
            "reason": run.reason,
        }
    if request.trigger is ExportTrigger.SCHEDULE:
        return {"requested_by": SCHEDULER, "requested_by_source": SCHEDULER_SOURCE}
    who = request.requested_by.arn if request.requested_by else "unknown"
    return {"requested_by": who, "requested_by_source": STAFF_SOURCE}


def link_fields(
    *,
    form: FormDefinition,
    key: str,
    request: ExportRequest,
    ports: ExportPorts,
    tuning: ExportTuning,
    run: Invocation,
) -> dict[str, Any]:
    """A presigned link to `key` (never longer-lived than the ceiling): the result's link fields."""
    expiry = min(request.link_expiry_seconds or tuning.link_expiry_seconds, LINK_EXPIRY_CEILING_SECONDS)
    download_name, ascii_name = download_names(form, run.now)
    url = ports.files.presign(key, download_name=download_name, ascii_name=ascii_name, expiry_seconds=expiry)
    return {"url": url, "expiry_seconds": expiry, "expires_at": run.now + timedelta(seconds=expiry)}


def publish(
    *,
    request: ExportRequest,
    form: FormDefinition,
    window: ExportWindow,
    header: tuple[str, ...],
    rows: Iterator[CsvRow] | None,
    tally: Tally,
    ports: ExportPorts,
    tuning: ExportTuning,
    run: Invocation,
) -> ExportResult:
    """Upload the rows (None: there are none, and no file is written), sign a link for staff, and
    state the result. The tally is read after the upload: the rows count it as they stream."""
    report = EncodingReport()
    fields: dict[str, Any] = {}
    if rows is not None:
        key = object_key(form.id, run.export_id, run.now)
        ports.files.upload(
            key, encode_csv(header, rows, request.encoding, report), CONTENT_TYPES[request.encoding]
        )
        fields["object_key"] = key
        if request.trigger is ExportTrigger.STAFF:
            fields |= link_fields(form=form, key=key, request=request, ports=ports, tuning=tuning, run=run)
    return ExportResult(
        export_id=run.export_id,
        invocation_id=run.invocation_id,
        issued_at=run.now,
        form_id=request.form_id,
        trigger=request.trigger,
        window=window,
        record_count=tally.rows,
        encoding=request.encoding,
        unencodable=tuple(
            UnencodableCell(row=cell.row, column=cell.column, reception_number=cell.row_id)
            for cell in report.cells
        ),
        unencodable_total=report.total,
        skipped_unreadable=tally.unreadable,
        unreadable_reception_numbers=tuple(tally.unreadable_numbers),
        **requester(request, run),
        **fields,
    )
