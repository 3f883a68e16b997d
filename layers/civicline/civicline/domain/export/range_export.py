"""Re-export of a period (`from`/`to`): what was received then, exported or not. Marks nothing and
leaves the watermark where it is; the export is recorded in the audit all the same.

A period can hold every retained applicant's personal data, so it is re-exported only for an
administrator who gave a reason, for at most a year, as a consumed export grant proves (grants.py);
the CLI's self-reported name is not enough (README, "Staff exports")."""

from __future__ import annotations

from datetime import timedelta

from civicline.domain.export.application_rows import application_rows, peeked
from civicline.domain.export.grants import check_range
from civicline.domain.export.ports import Bounds, ExportPorts, Invocation
from civicline.domain.export.publish import Tally, publish
from civicline.domain.export.rows import APPLICATION_HEADER
from civicline.domain.export.watermark import bound
from civicline.models.export import ExportRequest, ExportResult, ExportTuning, ExportWindow
from civicline.models.forms import FormDefinition
from civicline.ward_time import ward_date


def range_bounds(request: ExportRequest) -> Bounds:
    """`from` included, `to` excluded (a bare `to` day is already the start of the next day)."""
    assert request.from_ is not None
    assert request.to is not None
    return Bounds(
        lower=bound(request.from_), upper=bound(request.to), lower_inclusive=True, upper_inclusive=False
    )


def export_range(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    assert request.from_ is not None
    assert request.to is not None
    last_day = ward_date(request.to - timedelta(microseconds=1))  # `to` is exclusive
    check_range(run.staff, ward_date(request.from_), last_day, run.reason)
    bounds = range_bounds(request)
    tally = Tally()
    result = publish(
        request=request,
        form=form,
        window=ExportWindow(mode="range", after=bounds.lower, up_to=bounds.upper),
        header=APPLICATION_HEADER,
        rows=peeked(
            application_rows(ports.applications.pages(form.id, bounds), pii=ports.pii, tally=tally, mark=None)
        ),
        tally=tally,
        ports=ports,
        tuning=tuning,
        run=run,
    )
    ports.audit.record(result)
    return result
