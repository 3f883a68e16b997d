"""A town's katakana reading (from the postal data) in Latin letters, for residents who do not read
Japanese: Hepburn as the ward's street signs write it, long vowels unmarked (オオクボ → Okubo,
ヨツヤホンシオチョウ → Yotsuyahonshiocho). Always shown beside the Japanese form, which is what is stored.
"""

from __future__ import annotations

_BASE = {
    **dict(zip("アイウエオ", ("a", "i", "u", "e", "o"), strict=True)),
    **dict(zip("カキクケコ", ("ka", "ki", "ku", "ke", "ko"), strict=True)),
    **dict(zip("ガギグゲゴ", ("ga", "gi", "gu", "ge", "go"), strict=True)),
    **dict(zip("サシスセソ", ("sa", "shi", "su", "se", "so"), strict=True)),
    **dict(zip("ザジズゼゾ", ("za", "ji", "zu", "ze", "zo"), strict=True)),
    **dict(zip("タチツテト", ("ta", "chi", "tsu", "te", "to"), strict=True)),
    **dict(zip("ダヂヅデド", ("da", "ji", "zu", "de", "do"), strict=True)),
    **dict(zip("ナニヌネノ", ("na", "ni", "nu", "ne", "no"), strict=True)),
    **dict(zip("ハヒフヘホ", ("ha", "hi", "fu", "he", "ho"), strict=True)),
    **dict(zip("バビブベボ", ("ba", "bi", "bu", "be", "bo"), strict=True)),
    **dict(zip("パピプペポ", ("pa", "pi", "pu", "pe", "po"), strict=True)),
    **dict(zip("マミムメモ", ("ma", "mi", "mu", "me", "mo"), strict=True)),
    **dict(zip("ヤユヨ", ("ya", "yu", "yo"), strict=True)),
    **dict(zip("ラリルレロ", ("ra", "ri", "ru", "re", "ro"), strict=True)),
    **dict(zip("ワヲ", ("wa", "o"), strict=True)),
    "ヴ": "vu",
    "ン": "n",
}
# A small ャュョ (or ィェ in loanwords) after an i-row kana: キャ → kya, シャ → sha, ティ → ti.
_SMALL = {"ャ": "a", "ュ": "u", "ョ": "o", "ィ": "i", "ェ": "e", "ァ": "a", "ォ": "o"}
_VOWELS = "aiueo"
_DOUBLE = "Q"  # ッ: the next consonant doubled (ハッチョウボリ → Hatchobori)


def _syllables(kana: str) -> list[str]:
    out: list[str] = []
    for ch in kana:
        if ch in _SMALL and out:
            previous = out[-1]
            stem = previous[:-1]
            if ch in "ャュョ" and previous.endswith("i") and stem not in {"sh", "ch", "j"}:
                stem += "y"  # キャ → kya; シャ → sha (shi's own y is the h)
            out[-1] = stem + _SMALL[ch]
        elif ch == "ー":
            continue  # a long vowel, unmarked on signs
        elif ch == "ッ":
            out.append(_DOUBLE)
        else:
            out.append(_BASE.get(ch, ""))
    return out


def to_romaji(kana: str) -> str:
    """The reading in Latin letters, capitalised; empty when there is no reading to give."""
    syllables = _syllables(kana)
    text = ""
    double_next = False
    for index, said in enumerate(syllables):
        if said == _DOUBLE:
            double_next = True
            continue
        syllable = said
        if double_next and said:
            syllable = ("t" if said.startswith("ch") else said[0]) + said
            double_next = False
        # A long o or u (トウ, オオ, ユウ) is written once: Tokyo, Okubo.
        if (syllable in {"u", "o"} and text.endswith("o")) or (syllable == "u" and text.endswith("u")):
            continue
        if text.endswith("n") and syllables[index - 1] == "n" and syllable[:1] in (*_VOWELS, "y"):
            text += "'"  # ン before a vowel: Shin'ei, not Shinei
        text += syllable
    return text[:1].upper() + text[1:]
