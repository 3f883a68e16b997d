"""Where the chat learns which language to answer a resident in: their record, read once per event."""

from __future__ import annotations

from typing import Protocol

from civicline.models.language import Language


class LanguageSource(Protocol):
    def language_of(self, user_id: str) -> Language:
        """The resident's language; Japanese for someone the ward holds nothing about."""
        ...
