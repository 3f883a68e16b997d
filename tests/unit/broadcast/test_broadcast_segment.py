"""Segment matching: AND across dimensions, exclusions, and "unanswered" only where a condition allows it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from civicline.domain.broadcast.segment import matches, send_date
from civicline.models.broadcast.segment import Segment
from civicline.models.city import load_city
from civicline.models.resident import ReceptionSettings

CITY = load_city()
AREAS = sorted(CITY.area_ids())
GENDERS = sorted(CITY.gender_ids())
GENRES = sorted(CITY.genre_ids())
SEND_YEAR = 2026

settings_strategy = st.builds(
    ReceptionSettings,
    birth_year=st.none() | st.integers(1900, 2026),
    gender=st.none() | st.sampled_from(GENDERS),
    area=st.none() | st.sampled_from(AREAS),
    genres=st.none() | st.frozensets(st.sampled_from(GENRES), min_size=1),
)


@st.composite
def conditions(draw: st.DrawFn) -> dict:
    spec: dict = {}
    if draw(st.booleans()):
        low = draw(st.integers(1900, 2026))
        spec["birth_years"] = {
            "from": low,
            "to": draw(st.integers(low, 2026)),
            "include_unanswered": draw(st.booleans()),
        }
    elif draw(st.booleans()):
        low = draw(st.integers(0, 100))
        spec["age"] = {
            "min": low,
            "max": draw(st.integers(low, 120)),
            "include_unanswered": draw(st.booleans()),
        }
    for name, ids in (("genders", GENDERS), ("areas", AREAS)):
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
            spec[name] = {"any_of": chosen, "include_unanswered": draw(st.booleans())}
    if draw(st.booleans()):
        mode = draw(st.sampled_from(["any_of", "all_of"]))
        chosen = draw(st.lists(st.sampled_from(GENRES), min_size=1, max_size=3, unique=True))
        spec["genres"] = {mode: chosen, "include_unanswered": draw(st.booleans())}
    return spec


segments = st.builds(
    lambda positive, negative: Segment.model_validate({**positive, "exclude": negative}),
    conditions(),
    conditions(),
)


def reference_holds(spec: dict, s: ReceptionSettings) -> list[bool]:
    """An independent, spelled-out reading of each condition given in `spec` (a raw request dict)."""
    verdicts = []
    if "birth_years" in spec or "age" in spec:
        if "age" in spec:
            rng = spec["age"]
            low, high = SEND_YEAR - rng["max"], SEND_YEAR - rng["min"]
        else:
            rng = spec["birth_years"]
            low, high = rng["from"], rng["to"]
        verdicts.append(rng["include_unanswered"] if s.birth_year is None else low <= s.birth_year <= high)
    for name, answer in (("genders", s.gender), ("areas", s.area)):
        if name in spec:
            c = spec[name]
            verdicts.append(c["include_unanswered"] if answer is None else answer in c["any_of"])
    if "genres" in spec:
        c = spec["genres"]
        if s.genres is None:
            verdicts.append(c["include_unanswered"])
        elif "any_of" in c:
            verdicts.append(any(g in s.genres for g in c["any_of"]))
        else:
            verdicts.append(all(g in s.genres for g in c["all_of"]))
    return verdicts


@given(conditions(), conditions(), settings_strategy)
def test_given_any_segment_when_matched_then_it_agrees_with_the_reference_reading(
    positive: dict, negative: dict, settings: ReceptionSettings
) -> None:
    segment = Segment.model_validate({**positive, "exclude": negative})
    expected = all(reference_holds(positive, settings)) and not any(reference_holds(negative, settings))
    assert matches(segment, settings, SEND_YEAR) is expected


@given(settings_strategy)
def test_given_an_empty_segment_then_every_resident_matches(settings: ReceptionSettings) -> None:
    assert matches(Segment(), settings, SEND_YEAR)


@given(segments, settings_strategy)
def test_given_a_segment_when_an_exclusion_is_added_then_the_audience_never_grows(
    segment: Segment, settings: ReceptionSettings
) -> None:
    narrower = Segment.model_validate(
        {**segment.model_dump(by_alias=True, exclude={"exclude"}), "exclude": {"areas": ["outside"]}}
    )
    if matches(narrower, settings, SEND_YEAR):
        assert matches(segment.model_copy(update={"exclude": narrower.exclude}), settings, SEND_YEAR)
        assert settings.area != "outside"


@given(segments)
def test_given_a_resident_who_answered_nothing_then_only_unanswered_friendly_conditions_match(
    segment: Segment,
) -> None:
    blank = ReceptionSettings()
    allowed = all(
        c.include_unanswered
        for c in (segment.birth_years or segment.age, segment.genders, segment.areas, segment.genres)
        if c is not None
    )
    excluded = any(
        c.include_unanswered
        for c in (
            segment.exclude.birth_years or segment.exclude.age,
            segment.exclude.genders,
            segment.exclude.areas,
            segment.exclude.genres,
        )
        if c is not None
    )
    assert matches(segment, blank, SEND_YEAR) is (allowed and not excluded)


def test_given_women_born_1950_to_1965_in_yotsuya_or_tansu_for_kenko_then_only_they_match() -> None:
    segment = Segment.model_validate(
        {
            "birth_years": {"from": 1950, "to": 1965},
            "genders": ["female"],
            "areas": ["yotsuya", "tansu"],
            "genres": {"any_of": ["kenko"]},
        }
    )
    her = ReceptionSettings(
        birth_year=1958, gender="female", area="tansu", genres=frozenset({"kenko", "event"})
    )
    assert matches(segment, her, SEND_YEAR)
    assert not matches(segment, her.model_copy(update={"birth_year": 1966}), SEND_YEAR)
    assert not matches(segment, her.model_copy(update={"area": "okubo"}), SEND_YEAR)
    assert not matches(segment, her.model_copy(update={"genres": None}), SEND_YEAR)


def test_given_an_age_band_then_it_is_computed_on_the_send_year() -> None:
    # Given 65–74 years old, When sent in 2026 → born 1952–1961; in 2027 → born 1953–1962
    segment = Segment.model_validate({"age": {"min": 65, "max": 74}})
    born_1952 = ReceptionSettings(birth_year=1952)
    assert matches(segment, born_1952, 2026)
    assert not matches(segment, born_1952, 2027)
    assert matches(segment, ReceptionSettings(birth_year=1962), 2027)


def test_given_a_send_time_then_the_send_date_is_in_tokyo() -> None:
    # 2026-03-31 23:30 UTC is already 1 April in Tokyo (and a new fiscal year for the ward)
    assert send_date(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)) == date(
        2026, 4, 1
    )
    assert send_date(None, datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == date(2027, 1, 1)
