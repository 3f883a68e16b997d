"""One application's row: Japanese kinds and editions, JST times, phone numbers as staff dial them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from tests.unit.export.export_fakes import ANSWERS, FakeApplications

from civicline.domain.export.rows import APPLICATION_HEADER, application_row, edition_cell, phone_cell
from civicline.models.language import Language


def test_header_is_the_agreed_one() -> None:
    assert APPLICATION_HEADER == (
        "受付番号", "受付日時", "種別", "氏名", "フリガナ", "郵便番号", "住所", "電話番号", "配達開始号",
        "言語",
    )  # fmt: skip


def test_editions_read_in_japanese() -> None:
    assert edition_cell(date(2026, 12, 5), None) == "2026年12月5日号"
    assert edition_cell(None, date(2026, 11, 25)) == "2026年11月25日号まで"
    assert edition_cell(None, None) == ""


def test_phone_numbers_in_national_format() -> None:
    assert phone_cell("+81312345678") == "03-1234-5678"
    assert phone_cell("+819012345678") == "090-1234-5678"


def test_a_row_in_the_header_order() -> None:
    # Given a 新規申込 received at 00:00 UTC / When rendered / Then JST time and Japanese labels
    record = FakeApplications().add(datetime(2026, 11, 27, 0, 0, 5, tzinfo=UTC))
    row = application_row(record, ANSWERS)
    assert row.cells == (
        record.reception_number,
        "2026/11/27 09:00:05",
        "新規申込",
        "新宿 花子",
        "シンジュク ハナコ",
        "160-0022",
        "東京都新宿区新宿1-2-3",
        "090-1234-5678",
        "2026年12月5日号",
        "日本語",
    )
    assert row.row_id == record.reception_number


def test_a_foreign_applicants_row_names_their_language_and_may_lack_the_reading() -> None:
    # Given a Vietnamese resident's application with the name as on the residence card and no katakana
    record = replace(FakeApplications().add(datetime(2026, 11, 27, tzinfo=UTC)), language=Language.VI)
    answers = ANSWERS.model_copy(update={"name": "NGUYEN VAN AN", "kana": None})
    # When rendered, Then the name is as typed, フリガナ is empty and 言語 tells staff how to reply
    cells = dict(zip(APPLICATION_HEADER, application_row(record, answers).cells, strict=True))
    assert (cells["氏名"], cells["フリガナ"], cells["言語"]) == ("NGUYEN VAN AN", "", "ベトナム語")
    assert cells["住所"] == "東京都新宿区新宿1-2-3"  # the record stays in the ward's format


def test_a_stop_shows_its_kind_and_last_edition() -> None:
    record = FakeApplications().add(datetime(2026, 11, 27, tzinfo=UTC), kind="stop")
    cells = application_row(record, ANSWERS).cells
    assert cells[2] == "配達停止"
    assert cells[8] == "2026年11月25日号まで"
