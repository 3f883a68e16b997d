"""Applications → rows: each index page opened (PII), marked exported (watermark mode), then rowed.

A page is marked before its rows are written: a row in the file always belongs to an application this
export marked, so two exports can never both deliver one application.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from civicline.domain.applications.errors import PiiUnreadable
from civicline.domain.export.csv_stream import MAX_CELLS_REPORTED, CsvRow
from civicline.domain.export.ports import ApplicationSource, PiiOpener, StoredApplication
from civicline.domain.export.publish import Tally
from civicline.domain.export.rows import application_row
from civicline.domain.export.watermark import Watermark
from civicline.models.forms import ApplicantAnswers


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


def peeked(rows: Iterator[CsvRow]) -> Iterator[CsvRow] | None:
    """The same rows, or None when there are none (so an empty export writes no file)."""
    first = next(rows, None)
    return None if first is None else itertools.chain([first], rows)


def _opened(
    page: list[StoredApplication], pii: PiiOpener, tally: Tally
) -> list[tuple[StoredApplication, ApplicantAnswers]]:
    opened = []
    for application in page:
        record = application.record
        try:
            answers = pii.open(record.pii, record.application_id, record.form_id)
        except PiiUnreadable:
            # Left `received` and named in the result and the audit record: someone must look.
            tally.unreadable += 1
            if len(tally.unreadable_numbers) < MAX_CELLS_REPORTED:
                tally.unreadable_numbers.append(record.reception_number)
            continue
        opened.append((application, answers))
    return opened


def application_rows(
    pages: Iterable[list[StoredApplication]],
    *,
    pii: PiiOpener,
    tally: Tally,
    mark: MarkStep | None,
) -> Iterator[CsvRow]:
    for page in pages:
        candidates = [
            a for a in page if mark is None or not mark.watermark.is_exported(a.status, a.export_id)
        ]
        opened = _opened(candidates, pii, tally)
        if mark is not None and opened:
            marked = mark.apply([application for application, _ in opened])
            opened = [(a, answers) for a, answers in opened if a.record.application_id in marked]
        for application, answers in opened:
            tally.rows += 1
            yield application_row(application.record, answers)
        # One page at a time: this generator's locals would otherwise keep the page just written (and
        # its opened answers) alive while the source reads the next one.
        del page, candidates, opened
