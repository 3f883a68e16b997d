"""Whether a resident's 受信設定 falls in a segment.

This is the meaning of a segment; the DynamoDB filter built by the audience adapter only narrows what
is read, and every resident it returns is checked here again.
"""

from __future__ import annotations

from datetime import date, datetime

from civicline.models.broadcast.segment import (
    ChoiceCondition,
    GenreCondition,
    GenreMatch,
    LanguageCondition,
    Segment,
    SegmentConditions,
    YearRange,
)
from civicline.models.language import DEFAULT_LANGUAGE
from civicline.models.resident import ReceptionSettings
from civicline.ward_time import ward_date


def send_date(send_at: datetime | None, now: datetime) -> date:
    """The day the broadcast goes out, in the ward's time zone (age bands are computed on it)."""
    return ward_date(send_at or now)


def _year_in(condition: YearRange | None, birth_year: int | None) -> bool | None:
    """True/False when the condition decides, None when there is no condition on this dimension."""
    if condition is None:
        return None
    if birth_year is None:
        return condition.include_unanswered
    if condition.from_year is not None and birth_year < condition.from_year:
        return False
    return condition.to_year is None or birth_year <= condition.to_year


def _choice_in(condition: ChoiceCondition | None, answer: str | None) -> bool | None:
    if condition is None:
        return None
    if answer is None:
        return condition.include_unanswered
    return answer in condition.any_of


def _genres_in(condition: GenreCondition | None, chosen: frozenset[str] | None) -> bool | None:
    if condition is None:
        return None
    if not chosen:  # an empty set is stored as "unanswered"
        return condition.include_unanswered
    if condition.match is GenreMatch.ANY:
        return not condition.genres.isdisjoint(chosen)
    return condition.genres <= chosen


def _language_in(condition: LanguageCondition | None, language: str | None) -> bool | None:
    if condition is None:
        return None
    return (language or DEFAULT_LANGUAGE) in condition.any_of  # none stored reads Japanese


def _verdicts(
    conditions: SegmentConditions, settings: ReceptionSettings, send_year: int, language: str | None
) -> list[bool]:
    verdicts = (
        _year_in(conditions.birth_year_range(send_year), settings.birth_year),
        _choice_in(conditions.genders, settings.gender),
        _choice_in(conditions.areas, settings.area),
        _genres_in(conditions.genres, settings.genres),
        _language_in(conditions.languages, language),
    )
    return [verdict for verdict in verdicts if verdict is not None]


def matches(
    segment: Segment, settings: ReceptionSettings, send_year: int, language: str | None = None
) -> bool:
    """All of the segment's conditions hold and none of its exclusions does.

    `language` is the resident's stored language (None: none stored, i.e. Japanese).
    """
    if not all(_verdicts(segment, settings, send_year, language)):
        return False
    return not any(_verdicts(segment.exclude, settings, send_year, language))
