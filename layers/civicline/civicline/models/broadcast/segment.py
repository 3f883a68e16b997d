"""Who a broadcast is for: a segment of the residents' 受信設定.

Segments are written by staff (YAML/JSON request files), so they read like the 受信設定 screen:

    segment:
      birth_years: {from: 1950, to: 1965}      # or  age: {min: 65, max: 74}  (on the send date)
      genders: [female]                         # shorthand for {any_of: [female]}
      areas: {any_of: [yotsuya, tansu], include_unanswered: true}
      genres: {all_of: [kenko, koreisha]}       # or any_of
      languages: [en, zh-Hans]                  # the resident's language (none stored = ja)
      exclude:
        areas: [outside]                        # not 区外

Conditions are ANDed across dimensions; a dimension without a condition is not restricted. A resident
who left a dimension unanswered (None in ReceptionSettings) matches a condition on that dimension only
when the condition says `include_unanswered: true`; likewise an exclusion removes unanswered residents
only when it says so (we do not know that someone who did not answer lives 区外). A language is never
unanswered: a resident with none stored reads Japanese, so `languages: [ja]` includes them. An empty
segment means every active follower. Blocked residents never receive anything, whatever the segment.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from civicline.models.broadcast.base import Frozen
from civicline.models.city import load_city
from civicline.models.language import Language


class Dimension(StrEnum):
    BIRTH_YEAR = "birth_year"
    GENDER = "gender"
    AREA = "area"
    GENRES = "genres"
    LANGUAGE = "language"


def _choices_shorthand(value: Any) -> Any:
    """`[a, b]` is short for `{any_of: [a, b]}`."""
    if isinstance(value, list | tuple | set | frozenset):
        return {"any_of": list(value)}
    return value


class YearRange(Frozen):
    """Born from `from` to `to`, both years included; either end may be open."""

    from_year: int | None = Field(default=None, alias="from", ge=1850, le=2200)
    to_year: int | None = Field(default=None, alias="to", ge=1850, le=2200)
    include_unanswered: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.from_year is None and self.to_year is None:
            raise ValueError("a birth year range needs `from`, `to` or both")
        if self.from_year is not None and self.to_year is not None and self.from_year > self.to_year:
            raise ValueError("`from` is after `to`")
        return self


class AgeBand(Frozen):
    """Aged `min` to `max` (both included) in the send year, from the birth year alone.

    We only know birth years, so the age is the one the resident reaches on their birthday in the year
    of the send date (数え方: 満年齢 at the end of that year). 65–74 in 2026 means born 1952–1961.
    """

    min_age: int | None = Field(default=None, alias="min", ge=0, le=150)
    max_age: int | None = Field(default=None, alias="max", ge=0, le=150)
    include_unanswered: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.min_age is None and self.max_age is None:
            raise ValueError("an age band needs `min`, `max` or both")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("`min` is above `max`")
        return self

    def birth_years(self, send_year: int) -> YearRange:
        return YearRange.model_validate(
            {
                "from": None if self.max_age is None else send_year - self.max_age,
                "to": None if self.min_age is None else send_year - self.min_age,
                "include_unanswered": self.include_unanswered,
            }
        )


class ChoiceCondition(Frozen):
    """The resident's single answer (gender, area) is one of `any_of`."""

    any_of: frozenset[str] = Field(min_length=1)
    include_unanswered: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _choices_shorthand(value)


class GenreMatch(StrEnum):
    ANY = "any"
    ALL = "all"


class GenreCondition(Frozen):
    """The resident chose at least one of `any_of`, or every one of `all_of` (give exactly one)."""

    any_of: frozenset[str] | None = Field(default=None, min_length=1)
    all_of: frozenset[str] | None = Field(default=None, min_length=1)
    include_unanswered: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _choices_shorthand(value)

    @model_validator(mode="after")
    def _one_mode(self) -> GenreCondition:
        if (self.any_of is None) == (self.all_of is None):
            raise ValueError("give genres as exactly one of `any_of` or `all_of`")
        return self

    @property
    def match(self) -> GenreMatch:
        return GenreMatch.ANY if self.any_of is not None else GenreMatch.ALL

    @property
    def genres(self) -> frozenset[str]:
        return self.any_of if self.any_of is not None else (self.all_of or frozenset())


class LanguageCondition(Frozen):
    """The resident's language is one of `any_of` (a resident with none stored counts as `ja`)."""

    any_of: frozenset[Language] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _choices_shorthand(value)


class SegmentConditions(Frozen):
    birth_years: YearRange | None = None
    age: AgeBand | None = None
    genders: ChoiceCondition | None = None
    areas: ChoiceCondition | None = None
    genres: GenreCondition | None = None
    languages: LanguageCondition | None = None

    @model_validator(mode="after")
    def _known_ids(self) -> SegmentConditions:
        if self.birth_years is not None and self.age is not None:
            raise ValueError("give either `birth_years` or `age`, not both")
        city = load_city()
        checks = (
            ("genders", self.genders.any_of if self.genders else frozenset(), city.gender_ids()),
            ("areas", self.areas.any_of if self.areas else frozenset(), city.area_ids()),
            ("genres", self.genres.genres if self.genres else frozenset(), city.genre_ids()),
        )
        for name, given, known in checks:
            unknown = given - known
            if unknown:
                raise ValueError(f"unknown {name}: {sorted(unknown)} (known: {sorted(known)})")
        return self

    def is_empty(self) -> bool:
        return all(
            value is None
            for value in (self.birth_years, self.age, self.genders, self.areas, self.genres, self.languages)
        )

    def birth_year_range(self, send_year: int) -> YearRange | None:
        if self.age is not None:
            return self.age.birth_years(send_year)
        return self.birth_years


class Exclusion(SegmentConditions):
    """Residents matching ANY of these conditions are left out (each condition on its own)."""


class Segment(SegmentConditions):
    """Residents matching ALL of these conditions, minus the excluded ones."""

    exclude: Exclusion = Exclusion()

    def is_everyone(self) -> bool:
        return self.is_empty() and self.exclude.is_empty()
