"""Resident-facing words as values: catalogue keys with parameters, put into one language in one place.

Features never resolve their own wording: they build phrases (`say("settings.saved")`, nested phrases
as parameters, `lines(...)` and `joined(...)` to put them together), and `resolve(phrase, lang)` turns
a phrase into text when the answer is rendered for LINE (civicline/adapters/line/messages.py). So the
resident's language reaches every feature's wording by passing one `lang` there, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from civicline import messages
from civicline.models.language import Language


@dataclass(frozen=True, slots=True)
class Message:
    """A catalogue key and its `{placeholders}`; a placeholder's value may be a phrase itself."""

    key: str
    # Parameters can hold the resident's own answers: never in a repr (and so never in a log).
    params: Mapping[str, Param] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class Verbatim:
    """Words that are not ours to translate: the resident's answers, a reception number, the city's labels."""

    text: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Localised:
    """Words the data gives in each language (a city's area and genre names): `by_language`, else `text`."""

    text: str
    by_language: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Joined:
    """Phrases one after the other, with `separator` (a phrase, or nothing) between them."""

    parts: tuple[Phrase, ...]
    separator: Phrase | None = None


type Phrase = Message | Verbatim | Localised | Joined
type Param = str | int | Phrase

NEWLINE = Verbatim("\n")


def say(key: str, **params: Param) -> Message:
    return Message(key, params)


def joined(parts: Iterable[Phrase], separator: Phrase | None = None) -> Joined:
    return Joined(tuple(parts), separator)


def lines(*parts: Phrase) -> Joined:
    """One line per part (an empty `Verbatim("")` makes a blank line)."""
    return Joined(parts, NEWLINE)


def resolve(phrase: Phrase | str, lang: str = messages.DEFAULT_LANGUAGE) -> str:
    """The phrase as text in `lang` (falling back to Japanese where a translation lacks a key)."""
    if isinstance(phrase, str):
        return phrase
    if isinstance(phrase, Verbatim):
        return phrase.text
    if isinstance(phrase, Localised):
        return phrase.by_language.get(lang, phrase.text)
    if isinstance(phrase, Joined):
        separator = resolve(phrase.separator, lang) if phrase.separator is not None else ""
        return separator.join(resolve(part, lang) for part in phrase.parts)
    params = {name: _param(value, lang) for name, value in phrase.params.items()}
    return messages.text(phrase.key, lang, **params)


def _param(value: Param, lang: str) -> str | int:
    return value if isinstance(value, str | int) else resolve(value, lang)


def every_language(key: str) -> tuple[str, ...]:
    """A message (a label, a command) as each of our languages writes it, e.g. to accept it typed."""
    return tuple(messages.text(key, language.value) for language in Language)


# Cached: immutable data read from the package's catalogues.
@cache
def words_in_every_language(key: str, normalise: Callable[[str], str]) -> frozenset[str]:
    """The words a resident may type for a command or a label (the entry, or its list of words), in any
    language we speak (「はい」, "yes", 「예」, "có") whichever one they chose, each as `normalise` has it."""
    found: set[str] = set()
    for language in Language:
        entry = messages.entry(key, language.value)
        found.update(normalise(word) for word in (entry if isinstance(entry, list) else [entry]))
    return frozenset(found)
