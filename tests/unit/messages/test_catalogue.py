"""The message catalogues: every language complete against Japanese, placeholders consistent."""

from __future__ import annotations

import string

import pytest

from civicline import messages


def _placeholders(value: object) -> set[str]:
    if isinstance(value, str):
        return {name for _, name, _, _ in string.Formatter().parse(value) if name}
    if isinstance(value, dict):
        return set().union(*(_placeholders(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value)) if value else set()
    return set()


def test_japanese_is_the_default_and_loads() -> None:
    assert messages.DEFAULT_LANGUAGE == "ja"
    assert messages.catalogue("ja")


@pytest.mark.parametrize("lang", messages.languages())
def test_translations_use_the_same_placeholders_as_japanese(lang: str) -> None:
    japanese = messages.catalogue("ja")
    for key, value in messages.catalogue(lang).items():
        assert key in japanese, f"{lang}: {key} has no Japanese original"
        assert _placeholders(value) == _placeholders(japanese[key]), f"{lang}: {key}"


def test_missing_key_is_an_error_not_an_empty_reply() -> None:
    with pytest.raises(messages.CatalogueError):
        messages.text("no.such.key")


def test_text_fills_placeholders() -> None:
    key = next(k for k, v in messages.catalogue("ja").items() if isinstance(v, str) and not _placeholders(v))
    assert messages.text(key) == messages.catalogue("ja")[key]


def test_unknown_language_falls_back_to_japanese() -> None:
    assert messages.text("help.fallback", lang="xx") == messages.text("help.fallback")
