"""One export, start to finish: window, rows, file, link, audit record, notice.

Everything streams: index pages are read one at a time, each page's applications decrypted, marked and
turned into rows, the rows encoded into chunks and the chunks uploaded as parts. Memory holds a page
and a part, whatever the number of applications.

Links: an on-demand export answers with a presigned link (staff invoked it with their own IAM
credentials). A scheduled export issues no link at all: nobody is there to receive it, and a link in a
notice would outlive its purpose in mailboxes. Its notice names the export id; staff get a link with
`make export LINK=<export id>`, which is audited like any other.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from civicline.domain.applications.forms.definition import FormDefinitionError, load_form
from civicline.domain.errors import CivicLineError
from civicline.domain.export.csv_stream import MAX_CELLS_REPORTED, CsvRow, EncodingReport, encode_csv
from civicline.domain.export.errors import ExportNotFound, UnknownForm, UnreadablePii
from civicline.domain.export.ports import (
    ApplicationSource,
    AuditLog,
    Bounds,
    ExportFiles,
    PiiOpener,
    StaffNotifier,
    StoredApplication,
    SurveySource,
)
from civicline.domain.export.rows import APPLICATION_HEADER, application_row
from civicline.domain.export.survey import SURVEY_HEADER, survey_count_rows
from civicline.domain.export.watermark import Watermark, bound
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
from civicline.models.forms import FormDefinition, FormPurpose
from civicline.ward_time import WARD_TZ as JST

SCHEDULER = "EventBridge Scheduler"
SCHEDULER_SOURCE = "the export schedule (EventBridge Scheduler with ExportSchedulerRole)"
STAFF_SOURCE = (
    "self-reported by the staff CLI (sts:GetCallerIdentity); the authenticated invoker is CloudTrail's "
    "lambda Invoke record with this invocationId"
)
CONTENT_TYPES = {
    ExportEncoding.UTF8_BOM: "text/csv; charset=utf-8",
    ExportEncoding.CP932: "text/csv; charset=Shift_JIS",
}


@dataclass(frozen=True, slots=True)
class ExportPorts:
    applications: ApplicationSource
    surveys: SurveySource
    pii: PiiOpener
    files: ExportFiles
    audit: AuditLog
    notifier: StaffNotifier


@dataclass(frozen=True, slots=True)
class Invocation:
    """This run: its ids, its clock, and until when it may hold the watermark (its Lambda's deadline)."""

    export_id: str
    invocation_id: str
    now: datetime
    lease_until: datetime


@dataclass(slots=True)
class _Tally:
    rows: int = 0
    unreadable: int = 0
    unreadable_numbers: list[str] = field(default_factory=list)


def _form(form_id: str) -> FormDefinition:
    try:
        return load_form(form_id)
    except FormDefinitionError:
        raise UnknownForm(f"no form {form_id!r}") from None


def _requester(request: ExportRequest) -> tuple[str, str]:
    if request.trigger is ExportTrigger.SCHEDULE:
        return SCHEDULER, SCHEDULER_SOURCE
    return (request.requested_by.arn if request.requested_by else "unknown"), STAFF_SOURCE


def _expiry(request: ExportRequest, tuning: ExportTuning) -> int:
    return min(request.link_expiry_seconds or tuning.link_expiry_seconds, LINK_EXPIRY_CEILING_SECONDS)


def object_key(form_id: str, export_id: str, now: datetime) -> str:
    return f"exports/{form_id}/{now.astimezone(JST):%Y/%m/%d}/{export_id}.csv"


def download_names(form: FormDefinition, issued_at: datetime) -> tuple[str, str]:
    """(「広報新宿の個別配達_2026-11-27_0800.csv」, 「koho_delivery_2026-11-27_0800.csv」)."""
    stamp = f"{issued_at.astimezone(JST):%Y-%m-%d_%H%M}"
    title = "".join(text(form.title).split())
    return f"{title}_{stamp}.csv", f"{form.id}_{stamp}.csv"


def _peeked(rows: Iterator[CsvRow]) -> Iterator[CsvRow] | None:
    """The same rows, or None when there are none (so an empty export writes no file)."""
    first = next(rows, None)
    return None if first is None else itertools.chain([first], rows)


def _application_rows(
    pages: Iterable[list[StoredApplication]],
    *,
    pii: PiiOpener,
    tally: _Tally,
    mark: MarkStep | None,
) -> Iterator[CsvRow]:
    for page in pages:
        candidates = [
            a for a in page if mark is None or not mark.watermark.is_exported(a.status, a.export_id)
        ]
        opened = []
        for application in candidates:
            record = application.record
            try:
                answers = pii.open(record.pii, record.application_id, record.form_id)
            except UnreadablePii:
                # Left `received` and named in the result and the audit record: someone must look.
                tally.unreadable += 1
                if len(tally.unreadable_numbers) < MAX_CELLS_REPORTED:
                    tally.unreadable_numbers.append(record.reception_number)
                continue
            opened.append((application, answers))
        if mark is not None and opened:
            marked = mark.apply([application for application, _ in opened])
            opened = [(a, answers) for a, answers in opened if a.record.application_id in marked]
        for application, answers in opened:
            tally.rows += 1
            yield application_row(application.record, answers)


@dataclass(frozen=True, slots=True)
class MarkStep:
    """Marks a page exported under this export's claim (watermark mode only)."""

    applications: ApplicationSource
    watermark: Watermark
    export_id: str
    exported_at: datetime
    purge_at: datetime

    def apply(self, page: list[StoredApplication]) -> set[str]:
        return self.applications.mark_exported(
            page, self.export_id, self.exported_at, self.purge_at, self.watermark.abandoned
        )


def _unencodable(report: EncodingReport) -> tuple[UnencodableCell, ...]:
    return tuple(
        UnencodableCell(row=cell.row, column=cell.column, reception_number=cell.row_id)
        for cell in report.cells
    )


def run_export(
    request: ExportRequest, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    """Export as `request` asks; returns what was done (with the link for staff requests)."""
    form = _form(request.form_id)
    if request.is_link:
        return _reissue_link(request, form, ports, tuning, run)
    if form.purpose is FormPurpose.SURVEY:
        return _export_survey(request, form, ports, tuning, run)
    if request.is_range:
        return _export_range(request, form, ports, tuning, run)
    return _export_since_watermark(request, form, ports, tuning, run)


def _base_result(
    request: ExportRequest, run: Invocation, window: ExportWindow, tally: _Tally, report: EncodingReport
) -> ExportResult:
    who, source = _requester(request)
    return ExportResult(
        export_id=run.export_id,
        invocation_id=run.invocation_id,
        issued_at=run.now,
        form_id=request.form_id,
        trigger=request.trigger,
        window=window,
        record_count=tally.rows,
        encoding=request.encoding,
        unencodable=_unencodable(report),
        unencodable_total=report.total,
        requested_by=who,
        requested_by_source=source,
        skipped_unreadable=tally.unreadable,
        unreadable_reception_numbers=tuple(tally.unreadable_numbers),
    )


def _write_file(
    *,
    request: ExportRequest,
    form: FormDefinition,
    header: tuple[str, ...],
    rows: Iterator[CsvRow] | None,
    ports: ExportPorts,
    tuning: ExportTuning,
    run: Invocation,
    report: EncodingReport,
) -> dict[str, object]:
    """Upload the rows (if any) and, for staff, sign a link: the result's file fields."""
    if rows is None:
        return {}
    key = object_key(form.id, run.export_id, run.now)
    ports.files.upload(
        key, encode_csv(header, rows, request.encoding, report), CONTENT_TYPES[request.encoding]
    )
    fields: dict[str, object] = {"object_key": key}
    if request.trigger is ExportTrigger.STAFF:
        fields.update(_link(form=form, key=key, request=request, ports=ports, tuning=tuning, run=run))
    return fields


def _link(
    *,
    form: FormDefinition,
    key: str,
    request: ExportRequest,
    ports: ExportPorts,
    tuning: ExportTuning,
    run: Invocation,
) -> dict[str, object]:
    expiry = _expiry(request, tuning)
    download_name, ascii_name = download_names(form, run.now)
    url = ports.files.presign(key, download_name=download_name, ascii_name=ascii_name, expiry_seconds=expiry)
    return {"url": url, "expiry_seconds": expiry, "expires_at": run.now + timedelta(seconds=expiry)}


def _export_since_watermark(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    previous = ports.audit.watermark(form.id)
    claimed = previous.claimed_by(
        run.export_id, now=run.now, lag=tuning.safety_lag, lease_until=run.lease_until
    )
    ports.audit.replace_watermark(claimed, expected_version=previous.version)
    assert claimed.claim is not None
    window = ExportWindow(mode="watermark", after=claimed.current, up_to=claimed.claim.up_to)
    tally, report = _Tally(), EncodingReport()
    mark = MarkStep(
        applications=ports.applications,
        watermark=claimed,
        export_id=run.export_id,
        exported_at=run.now,
        purge_at=run.now + timedelta(days=tuning.pii_retention_days),
    )
    bounds = Bounds(
        lower=claimed.current, upper=claimed.claim.up_to, lower_inclusive=False, upper_inclusive=True
    )
    try:
        rows = _peeked(
            _application_rows(
                ports.applications.pages(form.id, bounds), pii=ports.pii, tally=tally, mark=mark
            )
        )
        fields = _write_file(
            request=request,
            form=form,
            header=APPLICATION_HEADER,
            rows=rows,
            ports=ports,
            tuning=tuning,
            run=run,
            report=report,
        )
    except BaseException:
        # Whatever this run marked was never delivered: the next export takes it over. Should the
        # release fail too, the claim's lease lapses and the next export takes over all the same.
        with contextlib.suppress(CivicLineError):
            ports.audit.replace_watermark(claimed.released(run.export_id), expected_version=claimed.version)
        raise
    result = _base_result(request, run, window, tally, report).model_copy(update=fields)
    ports.audit.commit(claimed.committed(run.export_id), expected_version=claimed.version, result=result)
    if request.trigger is ExportTrigger.SCHEDULE and (result.record_count or result.skipped_unreadable):
        ports.notifier.export_ready(result)
    return result


def _range_bounds(request: ExportRequest) -> Bounds:
    assert request.from_ is not None
    assert request.to is not None
    return Bounds(
        lower=bound(request.from_), upper=bound(request.to), lower_inclusive=True, upper_inclusive=False
    )


def _export_range(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    bounds = _range_bounds(request)
    window = ExportWindow(mode="range", after=bounds.lower, up_to=bounds.upper)
    tally, report = _Tally(), EncodingReport()
    rows = _peeked(
        _application_rows(ports.applications.pages(form.id, bounds), pii=ports.pii, tally=tally, mark=None)
    )
    fields = _write_file(
        request=request,
        form=form,
        header=APPLICATION_HEADER,
        rows=rows,
        ports=ports,
        tuning=tuning,
        run=run,
        report=report,
    )
    result = _base_result(request, run, window, tally, report).model_copy(update=fields)
    ports.audit.record(result)
    return result


def _export_survey(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    bounds = _range_bounds(request) if request.is_range else None
    window = ExportWindow(
        mode="range" if bounds else "all",
        after=bounds.lower if bounds else None,
        up_to=bounds.upper if bounds else bound(run.now),
    )
    tally, report = _Tally(), EncodingReport()

    def counted_rows() -> Iterator[CsvRow]:
        for row in survey_count_rows(form, ports.surveys.survey_responses(form.id, bounds)):
            if not tally.rows:
                tally.rows = int(row.cells[2])  # the first row is the number of responses
            yield row

    fields = _write_file(
        request=request,
        form=form,
        header=SURVEY_HEADER,
        rows=counted_rows(),
        ports=ports,
        tuning=tuning,
        run=run,
        report=report,
    )
    result = _base_result(request, run, window, tally, report).model_copy(update=fields)
    ports.audit.record(result)
    if request.trigger is ExportTrigger.SCHEDULE:
        ports.notifier.export_ready(result)
    return result


def _reissue_link(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    assert request.export_id is not None
    original = ports.audit.find(form.id, request.export_id)
    if original is None or original.object_key is None or not ports.files.exists(original.object_key):
        raise ExportNotFound(f"export {request.export_id} of {form.id} has no file (any more)")
    who, source = _requester(request)
    issued = original.model_copy(
        update={
            "invocation_id": run.invocation_id,
            "issued_at": run.now,
            "trigger": request.trigger,
            "requested_by": who,
            "requested_by_source": source,
            "reissued": True,
            **_link(form=form, key=original.object_key, request=request, ports=ports, tuning=tuning, run=run),
        }
    )
    ports.audit.record_link(issued)
    return issued
