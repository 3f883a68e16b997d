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


@pytest.mark.parametrize("written", ["", "75", "せんきゅうひゃく", "1975-13-01", "昭和", "19755"])
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


# --- what residents type besides a year (issue 10) -------------------------------------------------


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("1985年4月1日", 1985),
        ("１９８５年４月１日", 1985),
        ("1985/4/1", 1985),
        ("1985-04-01", 1985),
        ("1985年4月1日生まれ", 1985),
        ("昭和60年4月1日", 1985),
        ("平成元年1月8日", 1989),
    ],
)
def test_a_resident_who_types_their_full_birth_date_gives_its_year(written: str, year: int) -> None:
    # Given a resident asked for their birth year, When they type their whole birth date, Then its year counts
    assert parse(written) == year


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("へいせい2年", 1990),
        ("へいせい２ねん", 1990),
        ("しょうわ50年", 1975),
        ("しょうわ５０", 1975),
        ("たいしょう元年", 1912),
        ("れいわがんねん", 2019),
        ("めいじ45年生まれ", 1912),
    ],
)
def test_a_resident_who_writes_the_era_in_hiragana_is_understood(written: str, year: int) -> None:
    assert parse(written) == year


@given(years, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=28))
def test_every_full_date_gives_the_year_of_its_era_names_too(year: int, month: int, day: int) -> None:
    for name in [str(year) + "年", *era_names(year)]:
        assert parse(f"{name}{month}月{day}日") == year


# --- what residents of each language type (issue 13) ------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "1985년",  # ko
        "1985년생",
        "1985년 4월 1일",
        "năm 1985",  # vi
        "Sinh năm 1985",
        "ngày 1 tháng 4 năm 1985",
        "1/4/1985",  # day first, as most of the world writes a date
        "01.04.1985",
        "1985年出生",  # zh
        "生于1985年",
        "born in 1985",  # en
        "Born 1985",
        "1985 साल",  # ne
        "१९८५",  # Devanagari digits
        "၁၉၈၅",  # Myanmar digits
        "၁၉၈၅ ခုနှစ်",
    ],
)
def test_a_year_as_residents_of_each_language_write_it_is_read(written: str) -> None:
    # Given a resident of any of our languages, When they type their birth year their way, Then it is read
    assert parse(written) == 1985


@pytest.mark.parametrize("written", ["năm", "born in", "4/1", "1985년 13월 1일", "साल"])
def test_words_around_no_year_are_still_no_year(written: str) -> None:
    with pytest.raises(InvalidBirthYear):
        parse(written)
