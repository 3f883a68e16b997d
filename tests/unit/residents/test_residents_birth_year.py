"""Birth years typed as 西暦 or 和暦, in any width: properties over every year the form accepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.domain.residents.birth_year import (
    BirthYearProblem,
    InvalidBirthYear,
    era_names,
    parse_birth_year,
    wareki,
)

MIN_YEAR, CURRENT_YEAR = 1900, 2025
years = st.integers(min_value=MIN_YEAR, max_value=CURRENT_YEAR)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def parse(text: str) -> int:
    return parse_birth_year(text, min_year=MIN_YEAR, current_year=CURRENT_YEAR)


@given(years, st.sampled_from(["{}", "{}年", "西暦{}年", " {} ", "{}年生まれ"]))
def test_gregorian_years_round_trip_in_either_width(year: int, template: str) -> None:
    # Given a year written in half-width or full-width digits, When parsed, Then it is that year
    written = template.format(year)
    assert parse(written) == year
    assert parse(written.translate(FULL_WIDTH)) == year


@given(years)
def test_every_japanese_era_name_of_a_year_reads_back_as_that_year(year: int) -> None:
    # Given every 和暦 name of a year (two where eras meet), When parsed, Then each gives the year back
    for name in era_names(year):
        assert parse(name) == year
        assert parse(name.translate(FULL_WIDTH)) == year
    assert wareki(year) in era_names(year)


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("昭和50年", 1975),
        ("昭和５０年", 1975),
        ("平成元年", 1989),
        ("昭和64年", 1989),
        ("令和元年", 2019),
        ("大正元年", 1912),
        ("明治45年", 1912),
        ("S50", 1975),
        ("ｓ５０", 1975),
        ("H1", 1989),
        ("R.3", 2021),
    ],
)
def test_japanese_era_forms(written: str, year: int) -> None:
    assert parse(written) == year


@given(st.integers(min_value=1000, max_value=9999).filter(lambda y: not MIN_YEAR <= y <= CURRENT_YEAR))
def test_years_outside_the_bounds_are_refused(year: int) -> None:
    with pytest.raises(InvalidBirthYear) as refused:
        parse(str(year))
    assert refused.value.problem is BirthYearProblem.OUT_OF_RANGE


@pytest.mark.parametrize("written", ["昭和65年", "平成32年", "大正16年", "明治46年", "昭和0年"])
def test_years_an_era_never_had_are_refused(written: str) -> None:
    with pytest.raises(InvalidBirthYear) as refused:
        parse(written)
    assert refused.value.problem is BirthYearProblem.NO_SUCH_ERA_YEAR


@pytest.mark.parametrize("written", ["", "75", "せんきゅうひゃく", "1975-01-01", "昭和", "19755"])
def test_text_that_is_no_year_is_refused(written: str) -> None:
    with pytest.raises(InvalidBirthYear) as refused:
        parse(written)
    assert refused.value.problem is BirthYearProblem.NOT_A_YEAR


@given(st.text(max_size=30))
def test_any_text_gives_a_year_in_bounds_or_invalid_birth_year(written: str) -> None:
    try:
        year = parse(written)
    except InvalidBirthYear:
        return
    assert MIN_YEAR <= year <= CURRENT_YEAR
