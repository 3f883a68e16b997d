"""広報新宿 editions: published on the 5th, 15th and 25th of every month.

A request takes `lead_days` to reach the delivery list, so delivery starts with the first edition on or
after today + lead_days, and a stop takes effect from that edition: the last delivered is the one before.
"""

from __future__ import annotations

from datetime import date, timedelta

PUBLICATION_DAYS = (5, 15, 25)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def edition_on_or_after(day: date) -> date:
    for publication_day in PUBLICATION_DAYS:
        if day.day <= publication_day:
            return day.replace(day=publication_day)
    return _next_month(day).replace(day=PUBLICATION_DAYS[0])


def edition_before(day: date) -> date:
    for publication_day in reversed(PUBLICATION_DAYS):
        if day.day > publication_day:
            return day.replace(day=publication_day)
    last_month_end = day.replace(day=1) - timedelta(days=1)
    return last_month_end.replace(day=PUBLICATION_DAYS[-1])


def first_edition(today: date, lead_days: int) -> date:
    """The first edition a new (or moved) subscriber receives."""
    return edition_on_or_after(today + timedelta(days=lead_days))


def last_edition(today: date, lead_days: int) -> date:
    """The last edition delivered before a stop takes effect."""
    return edition_before(today + timedelta(days=lead_days))
