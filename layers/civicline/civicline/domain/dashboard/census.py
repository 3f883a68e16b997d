"""Counting residents for the dashboard: one pass over the Users table's settings, counts out.

Snapshot, not counters, decided. Counters kept by the writers would have to change in the same
transaction as every follow, unfollow and 受信設定 answer, knowing the value they replace (every single
UpdateItem of adapters/dynamodb/residents.py turned into a read and a transaction), and they would still
drift: DynamoDB's TTL deletes blocked residents and 「登録情報の削除」 deletes items without any counter
seeing it (only a Streams consumer could follow those). A snapshot is one parallel Scan per refresh
(about 30,000 read units at 1M residents, under a cent: README "Access pattern") and one GetItem per
page view, whatever the number of residents; it is exact as of its `asOf`, which the page shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from civicline.models.dashboard import UNANSWERED, Friends, ResidentCensus
from civicline.models.resident import FollowStatus


@dataclass(frozen=True, slots=True)
class ResidentFacts:
    """What the census reads of one resident: follow status and settings, never who they are."""

    status: str
    birth_year: int | None = None
    gender: str | None = None
    area: str | None = None
    genres: frozenset[str] | None = None

    @property
    def answered_any(self) -> bool:
        return any(v is not None for v in (self.birth_year, self.gender, self.area)) or bool(self.genres)


def decade(birth_year: int | None) -> str:
    return UNANSWERED if birth_year is None else str(birth_year // 10 * 10)


class Census:
    """Adds residents one at a time (a Scan page's worth, from any scan segment) and sums them up."""

    def __init__(self) -> None:
        self._status: Counter[str] = Counter()
        self._settings_done = 0
        self._area: Counter[str] = Counter()
        self._gender: Counter[str] = Counter()
        self._decade: Counter[str] = Counter()
        self._genre: Counter[str] = Counter()

    def add(self, resident: ResidentFacts) -> None:
        self._status[resident.status] += 1
        if resident.status != FollowStatus.ACTIVE.value:
            return  # blocked residents receive nothing: the distributions are of the active ones
        self._settings_done += resident.answered_any
        self._area[resident.area or UNANSWERED] += 1
        self._gender[resident.gender or UNANSWERED] += 1
        self._decade[decade(resident.birth_year)] += 1
        if resident.genres:
            self._genre.update(resident.genres)
        else:
            self._genre[UNANSWERED] += 1

    def add_all(self, residents: Iterable[ResidentFacts]) -> Census:
        for resident in residents:
            self.add(resident)
        return self

    def merge(self, other: Census) -> Census:
        """Another segment's census added to this one (segments are counted in parallel)."""
        self._status += other._status
        self._settings_done += other._settings_done
        for mine, theirs in (
            (self._area, other._area),
            (self._gender, other._gender),
            (self._decade, other._decade),
            (self._genre, other._genre),
        ):
            mine.update(theirs)
        return self

    def result(self) -> ResidentCensus:
        return ResidentCensus(
            friends=Friends(
                active=self._status[FollowStatus.ACTIVE.value],
                blocked=self._status[FollowStatus.BLOCKED.value],
            ),
            settings_done=self._settings_done,
            by_area=dict(sorted(self._area.items())),
            by_gender=dict(sorted(self._gender.items())),
            by_decade=dict(sorted(self._decade.items())),
            by_genre=dict(sorted(self._genre.items())),
        )
