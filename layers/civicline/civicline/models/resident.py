"""A resident who follows the ward's account, and their 受信設定 (reception settings).

`None` in a settings field means the resident has not answered it or chose 「回答しない」: both read the
same to a segment, which matches an unanswered dimension only where it says so (see models/broadcast.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from civicline.models.language import DEFAULT_LANGUAGE, Language

LINE_USER_ID_PATTERN = r"^U[0-9a-f]{32}$"


class FollowStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"  # unfollowed: never receives broadcasts


class ReceptionSettings(BaseModel):
    """What a resident wants to hear about. Values are the ids of civicline/city.yaml."""

    model_config = ConfigDict(frozen=True)

    birth_year: int | None = Field(default=None, ge=1850, le=2200)
    gender: str | None = None
    area: str | None = None
    # None: never answered or declined; an empty set is never stored (it reads as None).
    genres: frozenset[str] | None = None


class Resident(BaseModel):
    """Exactly what the privacy review allows us to keep about a follower: nothing more."""

    model_config = ConfigDict(frozen=True)

    user_id: str = Field(pattern=LINE_USER_ID_PATTERN)
    status: FollowStatus
    display_name: str | None = Field(default=None, max_length=100)
    picture_url: str | None = Field(default=None, max_length=1000)
    language: Language = DEFAULT_LANGUAGE  # the account speaks to them in it (models/language.py)
    followed_at: datetime
    unfollowed_at: datetime | None = None
    settings: ReceptionSettings = ReceptionSettings()
    updated_at: datetime
