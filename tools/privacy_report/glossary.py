"""Japanese names for the template's logical ids, from docs/glossary.md (the ward's word for each idea)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parents[2] / "docs/glossary.md"
_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|")
_WORD = re.compile(r"\*\*([a-z ]+)\*\*")
_CAMEL = re.compile(r"[A-Z][a-z]+")


@cache
def ward_words(path: Path = GLOSSARY) -> dict[str, str]:
    """Code word -> the ward's first word for it (e.g. intake -> 受付)."""
    words: dict[str, str] = {}
    if not path.is_file():
        return words
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match is None or match.group(1) in ("—", "the ward says") or set(match.group(1)) <= {"-"}:
            continue
        ward = re.split(r"[,、/（(]", match.group(1))[0].strip()
        for word in _WORD.findall(match.group(2)):
            words.setdefault(word, ward)
    return words


def ward_name(logical_id: str) -> str:
    """The ward's word for the first part of a logical id that the glossary knows, else ""."""
    words = ward_words()
    for part in _CAMEL.findall(logical_id):
        if part.lower() in words:
            return words[part.lower()]
    return ""
