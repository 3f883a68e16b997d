"""Normalisers and validators for typed text: names, フリガナ, address details, free text.

Each returns the normalised value or raises `InvalidInput` with a message key saying what is wrong; the
key never carries the input itself (it is personal data).
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX = 50
KANA_MAX = 50
ADDRESS_DETAIL_MAX = 80
FREE_TEXT_MAX = 200

_SPACES = re.compile(r"\s+")
# Characters that make up emoji sequences but are not category So: joiners, selectors, skin tones, tags.
_EMOJI_PARTS = re.compile(
    "[\u200d\ufe0e\ufe0f\u20e3\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
)
_HIRAGANA = re.compile("[\u3041-\u3096\u309d\u309e]")
# Katakana letters, the long-vowel mark and the middle dot, as NFKC leaves them, and ASCII space.
_KANA_ONLY = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fd\u30fe\u30fb ]+$")


class InvalidInput(ValueError):
    """The answer cannot be accepted; `key` is the message key of the re-prompt."""

    def __init__(self, key: str, **params: str | int) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def has_emoji(text: str) -> bool:
    return any(unicodedata.category(ch) in {"So", "Cs", "Co"} or _EMOJI_PARTS.match(ch) for ch in text)


def has_control(text: str, allow_newline: bool = False) -> bool:
    """Control characters (tabs, escapes, NUL…) and lone surrogates; a newline only if not allowed."""
    return any(unicodedata.category(ch) in {"Cc", "Cs"} and not (allow_newline and ch == "\n") for ch in text)


def has_invisible(text: str) -> bool:
    """Format characters (zero-width spaces, direction marks) that hide in a name or address."""
    return any(unicodedata.category(ch) == "Cf" for ch in text)


def _clean_line(raw: str) -> str:
    """NFKC, with every run of spaces (full- or half-width) as one half-width space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip()


def _refuse_symbols(raw: str) -> None:
    # Checked before NFKC, which would turn some symbols (e.g. ㈱, ①) into letters we would then accept.
    if has_emoji(raw):
        raise InvalidInput("forms.error.emoji")
    if has_control(raw.replace("\n", " ")) or has_invisible(raw):
        raise InvalidInput("forms.error.control")


def _one_line(raw: str, max_length: int) -> str:
    """What every typed line goes through: no emoji or controls, cleaned, 1–max_length characters."""
    _refuse_symbols(raw)
    line = _clean_line(raw)
    if not line:
        raise InvalidInput("forms.error.empty")
    if len(line) > max_length:
        raise InvalidInput("forms.error.too_long", max=max_length)
    return line


def normalise_name(raw: str, max_length: int = NAME_MAX) -> str:
    """A person's name: NFKC, one space between parts, 1–max_length characters, no emoji or controls."""
    name = _one_line(raw, max_length)
    if any(ch.isdigit() for ch in name):
        raise InvalidInput("forms.error.name_digits")
    return name


def hiragana_to_katakana(text: str) -> str:
    return _HIRAGANA.sub(lambda m: chr(ord(m.group()) + 0x60), text)


def normalise_kana(raw: str, max_length: int = KANA_MAX) -> str:
    """フリガナ in full-width katakana: hiragana and half-width katakana are converted."""
    kana = hiragana_to_katakana(_one_line(raw, max_length))  # one kana for one: same length
    if not _KANA_ONLY.match(kana):
        raise InvalidInput("forms.error.kana_only")
    return kana


def normalise_address_detail(raw: str, max_length: int = ADDRESS_DETAIL_MAX) -> str:
    """丁目・番地・建物名・部屋番号: NFKC (full-width digits become ASCII), one line, capped."""
    return _one_line(raw, max_length)


def normalise_free_text(raw: str, max_length: int = FREE_TEXT_MAX) -> str:
    """A comment or reason, kept as written (emoji allowed) but trimmed, controls refused, capped."""
    text = "\n".join(
        line.rstrip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ).strip()
    if has_control(text, allow_newline=True):
        raise InvalidInput("forms.error.control")
    if not text:
        raise InvalidInput("forms.error.empty")
    if len(text) > max_length:
        raise InvalidInput("forms.error.too_long", max=max_length)
    return text
