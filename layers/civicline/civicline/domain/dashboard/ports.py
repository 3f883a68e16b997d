"""What the dashboard refresh reads and writes; adapters implement these, tests fake them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from civicline.models.dashboard import BroadcastDigest, DashboardSnapshot, ResidentCensus
from civicline.models.forms import SurveyResponse
from civicline.models.survey_results import SurveyResults


class ResidentCensusSource(Protocol):
    def census(self) -> ResidentCensus:
        """Every resident counted once (a full read of the Users table: the refresh's job only)."""
        ...


@dataclass(frozen=True, slots=True)
class ApplicationCounts:
    form_id: str
    waiting: int  # received, not exported yet
    exported: int  # exported and still held (until the retention after export removes them)


class ApplicationCountSource(Protocol):
    def application_counts(self, form_id: str) -> ApplicationCounts: ...

    def survey_responses(self, form_id: str) -> Iterator[SurveyResponse]:
        """The survey's responses (choices only are read from them)."""
        ...


class BroadcastDigestSource(Protocol):
    def latest(self, limit: int) -> list[BroadcastDigest]:
        """The newest broadcasts (by createdAt), newest first."""
        ...


class SnapshotStore(Protocol):
    def save(self, snapshot: DashboardSnapshot, surveys: list[SurveyResults]) -> None:
        """Store the snapshot (and each survey's counts) unless a newer one is stored already."""
        ...

    def dashboard(self) -> DashboardSnapshot:
        """The latest snapshot (`asOf` None when there was no refresh yet)."""
        ...

    def survey(self, form_id: str) -> SurveyResults | None: ...
