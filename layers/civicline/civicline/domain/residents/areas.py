"""The 特別出張所 area of a town: residents know their town or postal code, not the ward's areas.

The table (civicline/data/<city>_areas.yaml, named by city.yaml) lists, for each town as Japan Post
spells it, the area ids it lies in. A town split between areas lists them all; the caller then asks the
resident to choose between those only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import yaml

from civicline.domain.applications.forms.postal import (
    DATA_DIR,
    PostalTable,
    city_postal_table,
    normalise_postal_code,
)
from civicline.domain.applications.forms.romaji import to_romaji
from civicline.domain.applications.forms.text_inputs import InvalidInput
from civicline.models.city import load_city

# What may follow a town name: a 丁目 or street number, in digits or kanji.
_AFTER_TOWN = re.compile(r"^([0-9一二三四五六七八九十]+(丁目|丁|番地?|-).*|丁目.*)?$")


@dataclass(frozen=True)
class TownAreas:
    town: str  # as the table spells it: 西新宿
    areas: tuple[str, ...]  # area ids in city.yaml, one or more


def _fold(text: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", text).split())
    return text.translate(str.maketrans("ヶヵ", "ケカ"))


@dataclass(frozen=True)
class AreaTable:
    towns: Mapping[str, tuple[str, ...]]
    prefecture: str
    city: str
    postal: PostalTable

    def find(self, typed: str) -> TownAreas | None:
        """The town `typed` names (a town, 「西新宿2丁目」, 「新宿区西新宿」, "Nishi-Shinjuku", or a postal
        code), or None."""
        try:
            code = normalise_postal_code(typed)
        except InvalidInput:
            return self._by_name(typed) or self._by_romaji(typed)
        town = self.postal.towns.get(code)
        # A building's own code names the building after its street (西新宿新宿センタービル).
        return self._by_name(town, building=True) if town else None

    def _by_name(self, typed: str, building: bool = False) -> TownAreas | None:
        text = _fold(typed).removeprefix(_fold(self.prefecture)).removeprefix(_fold(self.city))
        # The longest town first: 西新宿 before 新宿.
        for town in sorted(self.towns, key=len, reverse=True):
            if text.startswith(_fold(town)) and (building or _AFTER_TOWN.match(text[len(_fold(town)) :])):
                return TownAreas(town=town, areas=self.towns[town])
        return None

    def romaji(self, town: str) -> str:
        """The town in Latin letters, from the postal data's reading ("" where it has none)."""
        code = next((code for code, name in self.postal.towns.items() if name == town), None)
        return to_romaji(self.postal.readings.get(code, "")) if code else ""

    def _by_romaji(self, typed: str) -> TownAreas | None:
        """A town written in Latin letters as a resident who does not read Japanese writes it."""
        key = _latin_key(typed)
        if not key or not key.isascii():
            return None
        for town, areas in self.towns.items():
            if _latin_key(self.romaji(town)) == key:
                return TownAreas(town=town, areas=areas)
        return None


def _latin_key(text: str) -> str:
    """Latin letters only, lower case, long-vowel marks dropped: "Nishi-Shinjuku", "nishishinjuku" and
    "Ōkubo" / "Okubo" alike; a 丁目 number after the name is ignored."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    letters = "".join(ch for ch in folded if ch.isascii() and ch.isalpha())
    return letters.removesuffix("chome")


def load_area_table(file_name: str, postal: PostalTable) -> AreaTable:
    data = yaml.safe_load((DATA_DIR / file_name).read_text(encoding="utf-8"))
    towns = {town: tuple(areas) for town, areas in data["towns"].items()}
    return AreaTable(towns=towns, prefecture=postal.prefecture, city=postal.city, postal=postal)


@cache
def city_area_table() -> AreaTable | None:
    """The deployment's table, or None for a city that has not published one."""
    info = load_city().city
    return load_area_table(info.area_table, city_postal_table()) if info.area_table else None
