"""The languages a resident can use the account in, and how LINE names them.

A language here is a catalogue folder (civicline/messages/<code>/); the codes are BCP 47 tags as LINE's
profile gives them where LINE has one. やさしい日本語 has no LINE code: a resident picks it themselves.
"""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    JA = "ja"
    JA_EASY = "ja-easy"  # やさしい日本語 (出入国在留管理庁・文化庁 guideline)
    EN = "en"
    ZH_HANS = "zh-Hans"
    KO = "ko"
    VI = "vi"
    NE = "ne"
    MY = "my"


DEFAULT_LANGUAGE = Language.JA

# Readers of Japanese: 和暦 beside a year and the katakana reading of a name make sense to them.
JAPANESE_READERS = frozenset({Language.JA, Language.JA_EASY})

# Each language written in itself: what a resident sees when choosing (never translated).
SELF_NAMES: dict[Language, str] = {
    Language.JA: "日本語",
    Language.JA_EASY: "やさしい にほんご",
    Language.EN: "English",
    Language.ZH_HANS: "简体中文",
    Language.KO: "한국어",
    Language.VI: "Tiếng Việt",
    Language.NE: "नेपाली",
    Language.MY: "မြန်မာဘာသာ",
}

# The same languages as staff read them, in Japanese (the CLI's dry run and reports, the staff console's
# 配信 page): one place, so the console and `make broadcast` never name a language differently.
STAFF_LABELS: dict[Language, str] = {
    Language.JA: "日本語",
    Language.JA_EASY: "やさしい日本語",
    Language.EN: "英語",
    Language.ZH_HANS: "中国語（簡体字）",
    Language.KO: "韓国語",
    Language.VI: "ベトナム語",
    Language.NE: "ネパール語",
    Language.MY: "ミャンマー語",
}

# LINE's profile `language` (getProfile) → ours. LINE sends BCP 47 tags such as "en", "zh-Hans",
# "zh-Hant", "zh-TW", "ko", "vi"; Traditional Chinese has no catalogue yet, so it reads Simplified
# rather than Japanese (closer for a Chinese reader). Unknown tags fall back to Japanese.
_LINE_ALIASES: dict[str, Language] = {
    "zh": Language.ZH_HANS,
    "zh-cn": Language.ZH_HANS,
    "zh-hans": Language.ZH_HANS,
    "zh-hant": Language.ZH_HANS,
    "zh-tw": Language.ZH_HANS,
    "zh-hk": Language.ZH_HANS,
    "my-mm": Language.MY,
    "ne-np": Language.NE,
}


def from_line_profile(tag: str | None) -> Language:
    """The resident's language from LINE's profile `language`, else Japanese."""
    if not tag:
        return DEFAULT_LANGUAGE
    normalised = tag.strip().replace("_", "-").lower()
    if normalised in _LINE_ALIASES:
        return _LINE_ALIASES[normalised]
    for language in Language:
        if normalised == language.value.lower():
            return language
    primary = normalised.split("-", 1)[0]
    for language in Language:
        if language.value == primary:
            return language
    return DEFAULT_LANGUAGE
