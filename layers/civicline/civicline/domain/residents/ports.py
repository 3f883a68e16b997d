"""What the residents domain needs from the outside world; adapters implement these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.models.resident import Resident


class SettingItem(StrEnum):
    """The four questions of 受信設定, in the order they are asked."""

    BIRTH_YEAR = "birth_year"
    GENDER = "gender"
    AREA = "area"
    GENRES = "genres"


@dataclass(frozen=True, slots=True)
class Profile:
    """The LINE profile fields we read: name and icon (kept), and the app's language (the resident's
    language until they choose one; LINE omits it when the user has not allowed it)."""

    display_name: str | None = field(repr=False)
    picture_url: str | None = field(repr=False)
    language: str | None = None  # LINE's BCP 47 tag, e.g. "zh-Hans"; mapped by models/language.py


class ResidentStore(Protocol):
    def get(self, user_id: str) -> Resident | None: ...

    def record_follow(
        self,
        user_id: str,
        profile: Profile | None,
        followed_at: datetime,
        now: datetime,
        language: Language = DEFAULT_LANGUAGE,
    ) -> bool:
        """Active, profile refreshed, purge cancelled, settings untouched; `language` only where the
        resident has none yet (a returning resident keeps theirs). False: a later follow/unfollow of
        this resident was already recorded, so this one is stale and ignored."""
        ...

    def record_unfollow(
        self, user_id: str, unfollowed_at: datetime, purge_at: datetime, now: datetime
    ) -> bool:
        """Blocked, to be purged at `purge_at`. False: unknown resident, or a later event was recorded."""
        ...

    def set_setting(
        self, user_id: str, item: SettingItem, value: int | str | None, now: datetime
    ) -> Resident:
        """One of birth year, gender or area set (None clears it); the resident as now stored."""
        ...

    def set_genres(self, user_id: str, genres: frozenset[str] | None, now: datetime) -> Resident: ...

    def set_genre(self, user_id: str, genre: str, selected: bool, now: datetime) -> Resident:
        """One genre added or removed: setting it to the state it already has changes nothing."""
        ...

    def set_language(self, user_id: str, language: Language, now: datetime) -> Resident:
        """The language the account speaks to the resident in (set, not toggled: a retry is harmless)."""
        ...


class ProfileSource(Protocol):
    def get_profile(self, user_id: str) -> Profile | None:
        """None when LINE has no profile for the user (404); LineUnavailable when LINE is down."""
        ...
