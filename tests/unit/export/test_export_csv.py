"""The streamed CSV: BOM, CP932 with replacement and report, quoting, formula cells, chunking."""

from __future__ import annotations

import csv
import io

from civicline.domain.export.csv_stream import REPLACEMENT, CsvRow, EncodingReport, encode_csv
from civicline.models.export import ExportEncoding

HEADER = ("受付番号", "氏名", "住所")


def _csv(
    rows: list[CsvRow], encoding: ExportEncoding, chunk_bytes: int = 64 * 1024
) -> tuple[bytes, EncodingReport]:
    report = EncodingReport()
    data = b"".join(encode_csv(HEADER, rows, encoding, report, chunk_bytes=chunk_bytes))
    return data, report


def _read(data: bytes, codec: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(codec), newline="")))


def test_utf8_starts_with_one_bom_and_round_trips() -> None:
    # Given rows across many chunks / When encoded as UTF-8 with BOM
    rows = [CsvRow(cells=(f"KH-{n:04d}", "新宿 太郎", "新宿1-2-3")) for n in range(500)]
    data, report = _csv(rows, ExportEncoding.UTF8_BOM, chunk_bytes=256)
    # Then the file starts with exactly one BOM and reads back as written
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    table = _read(data, "utf-8-sig")
    assert table[0] == list(HEADER)
    assert table[1:] == [list(r.cells) for r in rows]
    assert report.total == 0


def test_commas_quotes_and_newlines_are_quoted() -> None:
    address = '新宿1-2-3, "ハイツ"\n101号室\r\n奥'
    data, _ = _csv([CsvRow(cells=("KH-0001", "山田,太郎", address))], ExportEncoding.UTF8_BOM)
    assert _read(data, "utf-8-sig")[1] == ["KH-0001", "山田,太郎", address]
    assert b"\r\n" in data  # rows end with CRLF


def test_cp932_round_trips_what_it_can_encode() -> None:
    rows = [CsvRow(cells=("KH-0001", "髙橋 ～ 﨑", "①丁目"))]
    data, report = _csv(rows, ExportEncoding.CP932)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert _read(data, "cp932")[1] == ["KH-0001", "髙橋 ～ 﨑", "①丁目"]
    assert report.total == 0


def test_cp932_replaces_unencodable_characters_and_reports_where_not_what() -> None:
    # Given a name with 𠮷 (outside CP932) and an address with an emoji
    rows = [
        CsvRow(cells=("KH-0001", "新宿 花子", "新宿1-2-3"), row_id="KH-0001"),
        CsvRow(cells=("KH-0002", "𠮷田 太郎", "新宿🏠1-2"), row_id="KH-0002"),
    ]
    # When encoded as CP932
    data, report = _csv(rows, ExportEncoding.CP932)
    # Then the characters became 〓, nothing crashed, and the report names row and column only
    assert _read(data, "cp932")[2] == ["KH-0002", f"{REPLACEMENT}田 太郎", f"新宿{REPLACEMENT}1-2"]
    assert report.total == 2
    assert [(c.row, c.column, c.row_id) for c in report.cells] == [
        (2, "氏名", "KH-0002"),
        (2, "住所", "KH-0002"),
    ]
    assert "𠮷" not in repr(report)


def test_formula_cells_are_neutralised() -> None:
    data, _ = _csv([CsvRow(cells=("KH-0001", "=HYPERLINK(1)", "-1+2"))], ExportEncoding.UTF8_BOM)
    assert _read(data, "utf-8-sig")[1] == ["KH-0001", "'=HYPERLINK(1)", "'-1+2"]


def test_header_only_when_there_are_no_rows() -> None:
    data, _ = _csv([], ExportEncoding.UTF8_BOM)
    assert _read(data, "utf-8-sig") == [list(HEADER)]
