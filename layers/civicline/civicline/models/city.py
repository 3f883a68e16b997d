"""The city a deployment serves: areas, genres and links, read from civicline/city.yaml."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from civicline.models.language import Language

CITY_FILE = Path(__file__).resolve().parents[1] / "city.yaml"


class Choice(BaseModel):
    """One selectable value: a short ASCII id for postbacks and storage, a label for people."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]{1,16}$")
    label: str = Field(min_length=1, max_length=40)
    words: tuple[str, ...] = Field(default=(), description="what residents type for it besides the label")
    labels: dict[Language, str] = Field(
        default_factory=dict,
        description="the label in other languages, the Japanese kept where residents match signs and mail "
        "(Okubo (大久保)); from docs/languages/<code>.md. Absent: the Japanese label",
    )

    @field_validator("labels")
    @classmethod
    def _labels_fit(cls, labels: dict[Language, str]) -> dict[Language, str]:
        if any(not 1 <= len(label) <= 40 for label in labels.values()):
            raise ValueError("a label has 1 to 40 characters")
        return labels

    def label_in(self, language: str) -> str:
        """The label a resident reading `language` sees."""
        return next((label for lang, label in self.labels.items() if lang == language), self.label)


class CityInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    prefecture: str
    postal_table: str
    area_table: str | None = Field(default=None, description="town → 特別出張所 area table in civicline/data")


class CityLinks(BaseModel):
    model_config = ConfigDict(frozen=True)

    homepage: HttpUrl
    koho: HttpUrl
    bousai: HttpUrl
    contact: HttpUrl
    apps: HttpUrl


class City(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: CityInfo
    links: CityLinks
    areas: tuple[Choice, ...]
    genres: tuple[Choice, ...]
    genders: tuple[Choice, ...]
    birth_year_min: int = Field(ge=1850)

    @model_validator(mode="after")
    def _words_name_one_choice(self) -> City:
        for name, choices in (("areas", self.areas), ("genres", self.genres), ("genders", self.genders)):
            seen: dict[str, str] = {}
            for choice in choices:
                for word in {
                    _key(choice.label),
                    *(_key(w) for w in (*choice.words, *choice.labels.values())),
                }:
                    if seen.setdefault(word, choice.id) != choice.id:
                        raise ValueError(f"{name}: {word!r} names both {seen[word]} and {choice.id}")
        return self

    def area_ids(self) -> frozenset[str]:
        return frozenset(a.id for a in self.areas)

    def genre_ids(self) -> frozenset[str]:
        return frozenset(g.id for g in self.genres)

    def gender_ids(self) -> frozenset[str]:
        return frozenset(g.id for g in self.genders)

    def label(self, choices: tuple[Choice, ...], choice_id: str) -> str:
        for choice in choices:
            if choice.id == choice_id:
                return choice.label
        raise KeyError(choice_id)


def _key(text: str) -> str:
    """Typed text as compared against labels and words: width and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# Cached: immutable data read from the package, not a client or a setting.
@cache
def load_city(path: Path = CITY_FILE) -> City:
    return City.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
