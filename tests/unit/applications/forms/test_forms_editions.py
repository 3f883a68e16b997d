"""広報新宿 editions: the 5th, 15th and 25th; first and last edition around a lead time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.domain.applications.forms.editions import (
    PUBLICATION_DAYS,
    edition_before,
    edition_on_or_after,
    first_edition,
    last_edition,
)

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
LEADS = st.integers(min_value=0, max_value=60)


@pytest.mark.parametrize(
    ("today", "lead", "first", "last"),
    [
        (date(2025, 4, 1), 10, date(2025, 4, 15), date(2025, 4, 5)),
        (date(2025, 4, 5), 10, date(2025, 4, 15), date(2025, 4, 5)),
        (date(2025, 4, 5), 0, date(2025, 4, 5), date(2025, 3, 25)),
        (date(2025, 4, 16), 10, date(2025, 5, 5), date(2025, 4, 25)),
        (date(2025, 4, 15), 10, date(2025, 4, 25), date(2025, 4, 15)),
        (date(2025, 12, 20), 10, date(2026, 1, 5), date(2025, 12, 25)),
        (date(2025, 12, 26), 10, date(2026, 1, 5), date(2025, 12, 25)),
        (date(2024, 2, 20), 10, date(2024, 3, 5), date(2024, 2, 25)),
    ],
)
def test_editions_around_the_lead_time(today: date, lead: int, first: date, last: date) -> None:
    assert first_edition(today, lead) == first
    assert last_edition(today, lead) == last


@given(DAYS)
def test_the_edition_on_or_after_a_day_is_the_nearest_publication_day(day: date) -> None:
    edition = edition_on_or_after(day)
    assert edition.day in PUBLICATION_DAYS
    assert edition >= day
    assert all((day + timedelta(days=n)).day not in PUBLICATION_DAYS for n in range((edition - day).days))


@given(DAYS)
def test_the_edition_before_a_day_is_the_latest_publication_day_before_it(day: date) -> None:
    edition = edition_before(day)
    assert edition.day in PUBLICATION_DAYS
    assert edition < day
    assert all(
        (edition + timedelta(days=n)).day not in PUBLICATION_DAYS for n in range(1, (day - edition).days)
    )


@given(DAYS, LEADS)
def test_a_stop_ends_with_the_edition_just_before_a_start_would_begin(today: date, lead: int) -> None:
    first, last = first_edition(today, lead), last_edition(today, lead)
    assert last < today + timedelta(days=lead) <= first
    assert edition_on_or_after(last + timedelta(days=1)) == first
