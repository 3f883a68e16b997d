"""The staff CSV's columns and one application's row, as the ward's delivery register reads them.

The column names are the file format agreed with the ward (staff map them onto their register), so
they are fixed here rather than kept with the resident-facing wording; kinds' labels come from the
form's catalogue keys, the same words residents chose in chat.
"""

from __future__ import annotations

from datetime import date, datetime

from civicline.domain.applications.forms.phone import normalise_phone
from civicline.domain.applications.forms.text_inputs import InvalidInput
from civicline.domain.applications.labels import kind_label
from civicline.domain.applications.records import ApplicationRecord
from civicline.domain.export.csv_stream import CsvRow
from civicline.models.forms import ApplicantAnswers
from civicline.models.language import STAFF_LABELS
from civicline.ward_time import ward_time

APPLICATION_HEADER = (
    "受付番号",
    "受付日時",
    "種別",
    "氏名",
    "フリガナ",
    "郵便番号",
    "住所",
    "電話番号",
    "配達開始号",
    # Last, so the ward's register keeps its columns where they were; the applicant's language as staff
    # name it, so they know how to reply.
    "言語",
)
RECEIVED_FORMAT = "%Y/%m/%d %H:%M:%S"  # Excel reads this as a date and time


def edition_cell(first: date | None, last: date | None) -> str:
    """「2026年12月5日号」 from which delivery starts, or for a stop 「2026年11月25日号まで」."""
    if first is not None:
        return f"{first.year}年{first.month}月{first.day}日号"
    if last is not None:
        return f"{last.year}年{last.month}月{last.day}日号まで"
    return ""


def received_cell(received_at: datetime) -> str:
    return ward_time(received_at).strftime(RECEIVED_FORMAT)


def phone_cell(e164: str) -> str:
    """「03-1234-5678」 for a Japanese number (stored in E.164), international form otherwise."""
    try:
        return normalise_phone(e164).display
    except InvalidInput:
        return e164


def application_row(record: ApplicationRecord, answers: ApplicantAnswers) -> CsvRow:
    return CsvRow(
        cells=(
            record.reception_number,
            received_cell(record.received_at),
            kind_label(record.form_id, record.kind),
            answers.name,
            answers.kana or "",
            answers.postal_code,
            answers.address,
            phone_cell(answers.phone),
            edition_cell(record.first_edition, record.last_edition),
            STAFF_LABELS[record.language],  # staff read Japanese: the console's names
        ),
        row_id=record.reception_number,
    )
