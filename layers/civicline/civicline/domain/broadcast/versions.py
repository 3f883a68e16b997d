"""Which version of a broadcast each resident receives, and who reads each version.

The rule (issue 13): the resident's own language's version, else やさしい日本語 when the request has it,
else Japanese. A resident with no language stored reads Japanese, like the rest of the account; one
whose stored language the request has no version in (or that the account does not know) is treated
alike: やさしい日本語 is written for readers of Japanese as a second language, so it is the better
guess for anyone who did not choose Japanese.

Each version is planned as its own stream of batches (every multicast carries one set of messages),
so a broadcast costs Σ⌈N_version/500⌉ multicasts: see civicline.domain.broadcast.planner.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from civicline.models.language import DEFAULT_LANGUAGE, Language


def own_language(stored: str | None) -> str:
    """The resident's language as stored on their record (none = Japanese)."""
    return stored or DEFAULT_LANGUAGE.value


def fallback_version(versions: Collection[Language]) -> Language:
    """What a resident receives when the request has no version in their language."""
    return Language.JA_EASY if Language.JA_EASY in versions else DEFAULT_LANGUAGE


def version_for(stored: str | None, versions: Collection[Language]) -> Language:
    """The version a resident whose stored language is `stored` receives (`versions` includes ja)."""
    own = own_language(stored)
    for version in versions:
        if version == own:
            return version
    return fallback_version(versions)


def languages_without_version(versions: Collection[Language]) -> tuple[Language, ...]:
    return tuple(language for language in Language if language not in versions)


@dataclass(frozen=True)
class Readers:
    """The residents who receive `version` of a request whose versions are `versions`.

    The audience adapter narrows its read with the same rule (a filter DynamoDB applies); `includes`
    stays the definition, checked on every resident read.
    """

    version: Language
    versions: tuple[Language, ...]

    def includes(self, stored: str | None) -> bool:
        return version_for(stored, self.versions) is self.version

    @property
    def everyone(self) -> bool:
        """A request in one language: every resident reads it."""
        return len(self.versions) == 1

    @property
    def is_fallback(self) -> bool:
        return self.version is fallback_version(self.versions)

    @property
    def others(self) -> tuple[Language, ...]:
        """The versions this one's fallback readers are not reading (for `is_fallback`)."""
        return tuple(v for v in self.versions if v is not self.version)
