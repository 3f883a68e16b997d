"""Postal codes: what residents type, and only the ward's own codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.domain.applications.forms.postal import city_postal_table, normalise_postal_code
from civicline.domain.applications.forms.text_inputs import InvalidInput

TABLE = city_postal_table()
WARD_CODES = st.sampled_from(sorted(TABLE.towns))
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@pytest.mark.parametrize(
    "raw", ["160-0022", "１６０－００２２", "1600022", "〒160-0022", "〒 160-0022", "160ー0022"]
)
def test_every_usual_way_of_writing_a_code_finds_the_same_town(raw: str) -> None:
    area = TABLE.lookup(raw)
    assert area.code == "160-0022"
    assert area.town == "新宿"
    assert area.area == "東京都新宿区新宿"


@pytest.mark.parametrize(
    ("code", "town"),
    [("169-0075", "高田馬場"), ("162-0825", "神楽坂"), ("160-0004", "四谷"), ("161-0034", "上落合")],
)
def test_towns_come_from_the_generated_table(code: str, town: str) -> None:
    assert TABLE.lookup(code).town == town


@pytest.mark.parametrize("raw", ["100-0001", "150-0002", "999-9999", "000-0000"])
def test_a_code_outside_the_ward_gets_the_polite_explanation(raw: str) -> None:
    # Given a real code elsewhere in Japan or none at all / Then the same explanation names the ward
    with pytest.raises(InvalidInput) as refused:
        TABLE.lookup(raw)
    assert refused.value.key == "forms.error.postal_outside"
    assert refused.value.params == {"city": "新宿区"}


@pytest.mark.parametrize(
    "raw", ["", "160", "160-00222", "16O-0022", "160--0022x", "一六〇〇〇二二", "１６０"]
)
def test_a_malformed_code_asks_for_seven_digits(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_postal_code(raw)
    assert refused.value.key == "forms.error.postal_format"


@given(
    WARD_CODES,
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["-", "－", "ー", "−", "‐", ""]),
)
def test_any_spelling_of_a_ward_code_finds_its_town(
    code: str, full_width: bool, postal_mark: bool, spaced: bool, dash: str
) -> None:
    raw = f"{code[:3]}{dash}{code[3:]}"
    if full_width:
        raw = raw.translate(FULL_WIDTH)
    if postal_mark:
        raw = "〒" + (" " if spaced else "") + raw
    area = TABLE.lookup(raw)
    assert area.code == f"{code[:3]}-{code[3:]}"
    assert area.town == TABLE.towns[code]
    assert area.area == "東京都新宿区" + TABLE.towns[code]


@given(st.from_regex(r"\A[0-9]{7}\Z"))
def test_a_seven_digit_code_is_either_the_wards_or_refused_as_outside(code: str) -> None:
    if code in TABLE.towns:
        assert TABLE.lookup(code).area.startswith("東京都新宿区")
    else:
        with pytest.raises(InvalidInput, match="postal_outside"):
            TABLE.lookup(code)


def test_the_table_holds_the_ward_only() -> None:
    assert TABLE.prefecture == "東京都"
    assert TABLE.city == "新宿区"
    assert len(TABLE.towns) == 696
    assert all(code[:3] in {"160", "161", "162", "163", "169"} for code in TABLE.towns)
