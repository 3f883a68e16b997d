"""A survey's export: per-choice counts over all responses (or a period), never free text or ids.

Surveys have no watermark: every export counts everything asked for. A file is always written (its
first row is the number of responses, zero included).
"""

from __future__ import annotations

from collections.abc import Iterator

from civicline.domain.export.csv_stream import CsvRow
from civicline.domain.export.ports import ExportPorts, Invocation
from civicline.domain.export.publish import Tally, publish
from civicline.domain.export.range_export import range_bounds
from civicline.domain.export.survey import SURVEY_HEADER, survey_count_rows
from civicline.domain.export.watermark import bound
from civicline.models.export import ExportRequest, ExportResult, ExportTrigger, ExportTuning, ExportWindow
from civicline.models.forms import FormDefinition


def export_survey(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    bounds = range_bounds(request) if request.is_range else None
    window = ExportWindow(
        mode="range" if bounds else "all",
        after=bounds.lower if bounds else None,
        up_to=bounds.upper if bounds else bound(run.now),
    )
    tally = Tally()

    def counted_rows() -> Iterator[CsvRow]:
        for row in survey_count_rows(form, ports.surveys.survey_responses(form.id, bounds)):
            if not tally.rows:
                tally.rows = int(row.cells[2])  # the first row is the number of responses
            yield row

    result = publish(
        request=request,
        form=form,
        window=window,
        header=SURVEY_HEADER,
        rows=counted_rows(),
        tally=tally,
        ports=ports,
        tuning=tuning,
        run=run,
    )
    ports.audit.record(result)
    if request.trigger is ExportTrigger.SCHEDULE:
        ports.notifier.export_ready(result)
    return result
