"""Birth years typed by residents: 西暦 (1975, １９７５年) or 和暦 (昭和50年, 平成元年, S50, へいせい2年).

A full birth date (1985年4月1日, 1985/4/1, 昭和60年4月1日生まれ) gives its year: only the year is kept.

A year where two eras meet can be written either way (1989 is 昭和64年 and 平成元年); both are read.

Residents of every language the account speaks are read too, whatever language they chose: 1985년,
1985년생, năm 1985, sinh năm 1985, ngày 1 tháng 4 năm 1985, 1/4/1985 (day first), 1985年出生,
born in 1985, 1985 साल, १९८५ (Devanagari digits), ၁၉၈၅ ခုနှစ် (Myanmar digits).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from civicline.models.language import Language


@dataclass(frozen=True, slots=True)
class Era:
    name: str
    letter: str
    reading: str  # how a phone without the kanji writes it: へいせい
    first_year: int  # the Gregorian year of the era's 元年
    last_year: int | None  # None: the present era


ERAS: tuple[Era, ...] = (
    Era("明治", "M", "めいじ", 1868, 1912),
    Era("大正", "T", "たいしょう", 1912, 1926),
    Era("昭和", "S", "しょうわ", 1926, 1989),
    Era("平成", "H", "へいせい", 1989, 2019),
    Era("令和", "R", "れいわ", 2019, None),
)
_ERA_BY_KEY = {key: era for era in ERAS for key in (era.name, era.letter, era.reading)}


class BirthYearProblem(StrEnum):
    NOT_A_YEAR = "not_a_year"
    OUT_OF_RANGE = "out_of_range"
    NO_SUCH_ERA_YEAR = "no_such_era_year"  # 昭和70年: the era had ended


class InvalidBirthYear(ValueError):
    def __init__(self, problem: BirthYearProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


# Words before a year, upper-cased and without spaces: "born in", năm / sinh năm, 生于, a Vietnamese date.
_BEFORE = re.compile(r"^(?:BORNIN|BORN|IN|SINHNĂM|NĂMSINH|NGÀY\d{1,2}THÁNG\d{1,2}NĂM|NĂM|出生于|生于)")
# "born" after a year: 生まれ, 생 / 출생 (1985년생), 出生 (1985年出生), मा (1985 सालमा: "in").
_BORN = re.compile(r"(生まれ|うまれ|生|출생|생|出生|मा)$")
# The word "year" after it: 年, ねん, 년, साल, ခုနှစ်.
_SUFFIX = re.compile(r"(年|ねん|년|साल|ခုနှစ်)?$")
# The month and day of a full date, after the year: 年4月1日, 년4월1일, /4/1, -04-01, .4.1
_MONTH_DAY = re.compile(r"(?:年|년|[/.\-])(\d{1,2})(?:月|월|[/.\-])(\d{1,2})(?:日|일)?$")
# A date written day (or month) first, as much of the world writes it: 1/4/1985, 01.04.1985
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
# \d is any script's decimal digits (१९८५, ၁၉၈၅), and int() reads them all.
_GREGORIAN = re.compile(r"^(?:西暦)?(\d{4})$")
_JAPANESE = re.compile(
    "^(" + "|".join(sorted(_ERA_BY_KEY, key=len, reverse=True)) + r")\.?(元|がん|\d{1,2})$"
)


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and letters (１９７５, Ｓ５０) to ASCII.
    folded = unicodedata.normalize("NFKC", text).strip().upper()
    folded = re.sub(r"\s+", "", folded)
    folded = _BORN.sub("", _BEFORE.sub("", folded))
    if (day_first := _DAY_FIRST.match(folded)) is not None:
        return day_first.group(3)
    date = _MONTH_DAY.search(folded)
    if date is not None and 1 <= int(date.group(1)) <= 12 and 1 <= int(date.group(2)) <= 31:
        folded = folded[: date.start()]
    return _SUFFIX.sub("", folded, count=1)


def parse_birth_year(text: str, *, min_year: int, current_year: int) -> int:
    """The Gregorian year `text` names, within min_year..current_year, or InvalidBirthYear."""
    folded = _normalise(text)
    if match := _GREGORIAN.match(folded):
        year = int(match.group(1))
    elif match := _JAPANESE.match(folded):
        era = _ERA_BY_KEY[match.group(1)]
        number = 1 if match.group(2) in ("元", "がん") else int(match.group(2))
        if number < 1:
            raise InvalidBirthYear(BirthYearProblem.NO_SUCH_ERA_YEAR)
        year = era.first_year + number - 1
        if era.last_year is not None and year > era.last_year:
            raise InvalidBirthYear(BirthYearProblem.NO_SUCH_ERA_YEAR)
    else:
        raise InvalidBirthYear(BirthYearProblem.NOT_A_YEAR)
    if not min_year <= year <= current_year:
        raise InvalidBirthYear(BirthYearProblem.OUT_OF_RANGE)
    return year


def era_names(year: int) -> list[str]:
    """Every 和暦 name of `year`, e.g. 1989 → ["昭和64年", "平成元年"]."""
    names = []
    for era in ERAS:
        if era.first_year <= year and (era.last_year is None or year <= era.last_year):
            number = year - era.first_year + 1
            names.append(f"{era.name}{'元' if number == 1 else number}年")
    return names


def wareki(year: int) -> str | None:
    """The usual 和暦 name of `year`: the era that began in it, if one did (1989 → 平成元年)."""
    names = era_names(year)
    return names[-1] if names else None


# Where 和暦 makes sense beside the Western year: for readers of Japanese. Others see 1985 alone (their
# typed 昭和60年 is still read, should they write it).
ERA_LANGUAGES = frozenset({Language.JA, Language.JA_EASY})


def shows_eras(language: str) -> bool:
    return language in ERA_LANGUAGES
