"""A CSV written row by row into byte chunks, never whole in memory (stdlib csv does the quoting).

- UTF-8 with a BOM by default: Excel takes a BOM-less UTF-8 CSV for the local ANSI code page and
  garbles Japanese.
- CP932 (Windows' Shift_JIS) on request, for ward systems that need it. Characters CP932 lacks (𠮷,
  emoji, some rare kanji) become 〓 (the geta mark, the Japanese printing convention for a missing
  glyph), and each affected cell is reported by row number and column name, never by value, so staff
  can look the application up and correct the file by hand.
- Cells a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading `'`:
  residents type addresses, and a CSV opened in Excel must not execute them (CSV injection).
- Rows end with CRLF, as RFC 4180 and Excel expect; fields with commas, quotes or newlines are quoted.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from civicline.models.export import ExportEncoding

REPLACEMENT = "〓"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_BYTES = 64 * 1024
MAX_CELLS_REPORTED = 100  # the audit item must stay far below DynamoDB's 400 KB


@dataclass(frozen=True, slots=True)
class CellProblem:
    row: int
    column: str
    row_id: str | None


@dataclass(slots=True)
class EncodingReport:
    """What the encoder had to replace; filled while the file streams."""

    total: int = 0
    cells: list[CellProblem] = field(default_factory=list)

    def add(self, problem: CellProblem) -> None:
        self.total += 1
        if len(self.cells) < MAX_CELLS_REPORTED:
            self.cells.append(problem)


def neutralise_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _fit(value: str, encoding: str) -> tuple[str, bool]:
    """The value with characters the encoding lacks replaced, and whether any were."""
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        fitted = "".join(_fit_char(ch, encoding) for ch in value)
        return fitted, True
    return value, False


def _fit_char(ch: str, encoding: str) -> str:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return REPLACEMENT
    return ch


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: its cells, and an id (the reception number) to name it in reports."""

    cells: Sequence[str]
    row_id: str | None = None


def encode_csv(
    header: Sequence[str],
    rows: Iterable[CsvRow],
    encoding: ExportEncoding,
    report: EncodingReport,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[bytes]:
    """The CSV's bytes in chunks of about `chunk_bytes` (the last may be shorter)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    # The incremental encoder writes the BOM once, at the start, however many chunks follow.
    encoder = codecs.getincrementalencoder(encoding.value)(errors="strict")
    check = encoding is ExportEncoding.CP932

    def drain(final: bool = False) -> bytes:
        data = encoder.encode(text.getvalue(), final=final)
        text.seek(0)
        text.truncate()
        return data

    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        cells = [neutralise_formula(cell) for cell in row.cells]
        if check:
            for index, cell in enumerate(cells):
                fitted, replaced = _fit(cell, encoding.value)
                if replaced:
                    cells[index] = fitted
                    report.add(CellProblem(row=number, column=header[index], row_id=row.row_id))
        writer.writerow(cells)
        if text.tell() >= chunk_bytes:
            yield drain()
    tail = drain(final=True)
    if tail:
        yield tail
