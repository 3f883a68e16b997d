"""Reception numbers: readable, per form prefix and JST day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from civicline.domain.applications.reception import (
    RECEPTION_NUMBER_PATTERN,
    format_reception_number,
    reception_prefix,
)
from civicline.ward_time import ward_date


def test_a_koho_number_reads_like_the_ward_quotes_it() -> None:
    # Given the 42nd koho application of 27 November 2026 / When formatted / Then KH-20261127-0042
    number = format_reception_number(reception_prefix("koho_delivery"), date(2026, 11, 27), 42)
    assert number == "KH-20261127-0042"
    assert RECEPTION_NUMBER_PATTERN.match(number)


def test_past_9999_the_sequence_grows_a_digit_instead_of_repeating() -> None:
    assert format_reception_number("KH", date(2026, 11, 27), 10_000) == "KH-20261127-10000"


def test_sequences_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_reception_number("KH", date(2026, 11, 27), 0)


def test_a_form_without_a_listed_prefix_gets_its_initial_letters() -> None:
    assert reception_prefix("bulky_waste") == "BU"


def test_the_day_is_shinjukus_not_utcs() -> None:
    # Given 15:30 UTC on 26 November, which is 00:30 on 27 November in Tokyo
    moment = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    # Then the reception day is the 27th
    assert ward_date(moment) == date(2026, 11, 27)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ward_date(datetime(2026, 11, 26, 15, 30))
