"""Resident-facing text, kept as data keyed by language (Japanese first).

Each language is a folder of YAML files, one per topic, so that features can add their wording without
touching each other's files. Keys are unique across a language's files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_LANGUAGE = "ja"
_CATALOGUE_DIR = Path(__file__).parent


class CatalogueError(Exception):
    """A catalogue is malformed or a key is missing from the default language."""


# Cached: immutable data read from the package, not a client or a setting.
@cache
def catalogue(lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """All entries of one language, merged from its topic files."""
    folder = _CATALOGUE_DIR / lang
    if not folder.is_dir():
        raise CatalogueError(f"no message catalogue for language {lang!r}")
    merged: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        clash = merged.keys() & entries.keys()
        if clash:
            raise CatalogueError(f"{path.name} repeats keys {sorted(clash)}")
        merged.update(entries)
    return merged


def languages() -> list[str]:
    return sorted(p.name for p in _CATALOGUE_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))


def entry(key: str, lang: str = DEFAULT_LANGUAGE) -> Any:
    """A raw entry (string, list or mapping); falls back to Japanese when a translation lacks it."""
    for candidate in (lang, DEFAULT_LANGUAGE):
        try:
            entries = catalogue(candidate)
        except CatalogueError:
            continue
        if key in entries:
            return entries[key]
    raise CatalogueError(f"message {key!r} is not in the catalogue")


def has_message(key: str) -> bool:
    """Whether the Japanese catalogue (which every language falls back to) has `key`."""
    return key in catalogue(DEFAULT_LANGUAGE)


def text(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """A message with its `{placeholders}` filled in."""
    value = entry(key, lang)
    if not isinstance(value, str):
        raise CatalogueError(f"message {key!r} is not a string")
    return value.format(**params) if params else value
