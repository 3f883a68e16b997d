"""The staff console's ホーム: what the dashboard snapshot holds and what the dashboard answers.

Counts only, never a resident: no user id, name or answer leaves the census (see
civicline/domain/dashboard/census.py). `asOf` says when the snapshot was taken.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

UNANSWERED = "unanswered"  # the key of residents who left a dimension of 受信設定 unanswered


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)


class Friends(_Wire):
    active: int = Field(default=0, ge=0)
    blocked: int = Field(default=0, ge=0)


class FormApplications(_Wire):
    """One application form's applications as held now: waiting for export, and exported."""

    form_id: str
    title: str
    waiting: int = Field(ge=0, description="received, not exported yet")
    exported: int = Field(ge=0, description="exported and still held (until the retention after export)")


class BroadcastDigest(_Wire):
    """One of the latest broadcasts as the snapshot saw it (counts and status, no message text)."""

    broadcast_id: str
    status: str
    created_at: str
    recipients: int = Field(default=0, ge=0)
    sent: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0)


class ResidentCensus(_Wire):
    """Residents counted by follow status, and the active ones by each 受信設定 dimension."""

    friends: Friends = Friends()
    settings_done: int = Field(default=0, ge=0, description="active residents who answered any setting")
    by_area: dict[str, int] = Field(default_factory=dict)
    by_gender: dict[str, int] = Field(default_factory=dict)
    by_decade: dict[str, int] = Field(default_factory=dict)
    by_genre: dict[str, int] = Field(default_factory=dict)


class DashboardSnapshot(ResidentCensus):
    """What the refresh stores (one item) and the dashboard reads: one GetItem per page view."""

    applications_waiting: tuple[FormApplications, ...] = ()
    latest_broadcasts: tuple[BroadcastDigest, ...] = ()
    as_of: datetime | None = Field(default=None, description="when the snapshot was taken; None: never")


class DashboardLabels(_Wire):
    areas: dict[str, str]
    genders: dict[str, str]
    genres: dict[str, str]
    # Language code → its name for staff (models.language.STAFF_LABELS), in the catalogue's order.
    languages: dict[str, str]


class Dashboard(DashboardSnapshot):
    """`GET /staff/api/dashboard`: the snapshot and the labels to draw it with (docs/staff_api.md)."""

    labels: DashboardLabels
