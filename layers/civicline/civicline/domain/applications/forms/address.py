"""Address details typed after a known prefix: drop what only repeats it.

The delivery address is the area the postal code names (「東京都新宿区西新宿」) followed by what the
resident types. People often type the whole address anyway — 「西新宿2-8-1」, 「東京都新宿区西新宿2-8-1」,
even 「西新宿東京都新宿区西新宿二丁目8番1号」 — and the prefix would then appear twice on the label.
Repeats of the prefecture, the city and the town at the start of the detail are removed; the street
number and everything after it are kept exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# The town is only a repeat when a street number, a space or another repeat follows it: 「西新宿ビル」
# (a building named after the town) stays as typed.
_NUMBER_START = re.compile(r"[0-9０-９一二三四五六七八九十〇百 　]")
# Japan Post gives some high-rise buildings a code of their own; the "town" then names the building.
_BUILDING = re.compile(r"(ビル|ビルディング|タワー|シティ)$")

_FOLD = str.maketrans("ヶヵが", "ケカケ")


def _fold(text: str) -> str:
    """Spellings that name the same place: 霞ケ丘町 and 霞ヶ丘町 (one character each, so indices hold)."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class KnownPrefix:
    """What the address already starts with, in the parts a resident may type again."""

    prefecture: str  # 東京都
    city: str  # 新宿区
    towns: tuple[str, ...]  # 西新宿; a building's own code (西新宿新宿センタービル) also its street's town

    @classmethod
    def of(cls, area: str, prefecture: str, city: str, known_towns: Iterable[str] = ()) -> KnownPrefix:
        """The parts of an area such as 「東京都新宿区西新宿」; `known_towns` finds a building's street.

        Parts are compared as NFKC text, as the typed detail is (「新宿ＮＳビル」 is typed 「新宿NSビル」).
        """
        prefecture, city, area = (unicodedata.normalize("NFKC", s) for s in (prefecture, city, area))
        town = area.removeprefix(prefecture).removeprefix(city)
        if not town or town == area:
            return cls(prefecture=prefecture, city=city, towns=())
        streets: list[str] = []
        if _BUILDING.search(town):
            named = (unicodedata.normalize("NFKC", t) for t in known_towns)
            streets = sorted(
                (t for t in named if t and t != town and town.startswith(t)), key=len, reverse=True
            )
        return cls(prefecture=prefecture, city=city, towns=(town, *streets))


def strip_repeated_prefix(detail: str, prefix: KnownPrefix) -> str:
    """`detail` (NFKC, as normalise_address_detail leaves it) without the leading repeats of `prefix`'s
    parts; idempotent, never touches the number."""
    rest = detail
    while (stripped := _strip_once(rest, prefix)) != rest:
        rest = stripped
    return rest


def _strip_once(rest: str, prefix: KnownPrefix) -> str:
    # The city before the towns: 「新宿区…」 must not lose only the town 「新宿」.
    for part in (prefix.prefecture, prefix.city):
        if _starts(rest, part):
            return rest[len(part) :].lstrip(" 　")
    for town in prefix.towns:
        after = rest[len(town) :]
        if _starts(rest, town) and (not after or _NUMBER_START.match(after) or _repeats(after, prefix)):
            return after.lstrip(" 　")
    return rest


def _starts(text: str, part: str) -> bool:
    return bool(part) and _fold(text).startswith(_fold(part))


def _repeats(text: str, prefix: KnownPrefix) -> bool:
    return any(_starts(text, part) for part in (prefix.prefecture, prefix.city, *prefix.towns))
