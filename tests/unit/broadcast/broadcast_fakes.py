"""In-memory stand-ins for the broadcast ports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from civicline.domain.broadcast.errors import (
    BroadcastIdConflict,
    BroadcastNotFound,
    LeaseLost,
    PlanningInProgress,
)
from civicline.domain.broadcast.planner import PlanState
from civicline.domain.broadcast.streams import TAIL, AudienceMember, Stream
from civicline.domain.broadcast.versions import Readers
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.broadcast.report import BroadcastReport, BroadcastStatus
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.broadcast.segment import Segment
from civicline.models.resident import ReceptionSettings


def user_id(n: int) -> str:
    return f"U{n:032x}"


def _position(uid: str) -> str:
    return hashlib.md5(uid.encode()).hexdigest()  # noqa: S324 (scan order, like DynamoDB's hash order)


@dataclass
class FakeAudience:
    """Active residents in a stable "hash" order, split into scan segments like a parallel Scan.

    Like DynamoAudience it may return residents outside the segment or the readers: it returns all.
    """

    residents: dict[str, ReceptionSettings] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)  # none stored: Japanese

    def stream(
        self,
        segment: Segment,
        send_year: int,
        scan_segment: int,
        scan_segments: int,
        after: str | None,
        *,
        readers: Readers | None = None,
    ) -> Iterator[AudienceMember]:
        ordered = sorted(self.residents, key=_position)
        mine = [u for u in ordered if int(_position(u), 16) % scan_segments == scan_segment]
        start = _position(after) if after is not None else None
        for uid in mine:
            if start is None or _position(uid) > start:
                yield AudienceMember(uid, self.residents[uid], self.languages.get(uid))


@dataclass
class FakeLedger:
    """The PlannerLedger in memory: one lease per stream (a scan segment or the tail), as in Broadcasts."""

    records: dict[str, dict] = field(default_factory=dict)
    leases: dict[tuple[str, Stream], tuple[str, datetime]] = field(default_factory=dict)
    hard_kills: bool = False  # a crash is Lambda killing the invocation: no release runs, leases stay

    def create(
        self,
        broadcast_id: str,
        request: BroadcastRequest,
        send_date: str,
        scan_segments: int,
        now: datetime,
        *,
        status: BroadcastStatus = BroadcastStatus.PLANNED,
    ) -> bool:
        if broadcast_id in self.records:
            if self.records[broadcast_id]["request"] != request:
                raise BroadcastIdConflict(broadcast_id)
            return False
        self.records[broadcast_id] = {
            "request": request,
            "status": status,
            "send_date": send_date,
            "scan_segments": scan_segments,
            "versions": request.versions,
            "checkpoints": {
                Stream(n, version): PlanCheckpoint()
                for n in range(scan_segments)
                for version in request.versions
            },
            "tails": {version: PlanCheckpoint() for version in request.versions},
            "complete": False,
            "planned": 0,
            "audience": 0,
            "by_version": {},
        }
        return True

    def begin(self, broadcast_id: str) -> None:
        if self.records[broadcast_id]["status"] is BroadcastStatus.SCHEDULED:
            self.records[broadcast_id]["status"] = BroadcastStatus.PLANNED

    def cancel(self, broadcast_id: str) -> bool:
        if broadcast_id not in self.records:
            raise BroadcastNotFound(broadcast_id)
        if self.records[broadcast_id]["status"] is not BroadcastStatus.SCHEDULED:
            return False
        self.records[broadcast_id]["status"] = BroadcastStatus.CANCELLED
        return True

    def request(self, broadcast_id: str) -> BroadcastRequest:
        return self.records[broadcast_id]["request"]

    def plan_state(self, broadcast_id: str) -> PlanState:
        r = self.records[broadcast_id]
        return PlanState(
            r["scan_segments"],
            dict(r["checkpoints"]),
            r["complete"],
            dict(r["tails"]),
            r["send_date"],
            r["versions"],
        )

    def _checkpoint(self, broadcast_id: str, stream: Stream) -> PlanCheckpoint:
        r = self.records[broadcast_id]
        return r["tails"][stream.language] if stream.part == TAIL else r["checkpoints"][stream]

    def acquire_stream(
        self, broadcast_id: str, stream: Stream, owner: str, now: datetime, until: datetime
    ) -> PlanCheckpoint:
        if self._checkpoint(broadcast_id, stream).done:
            return self._checkpoint(broadcast_id, stream)
        holder = self.leases.get((broadcast_id, stream))
        if holder is not None and holder[0] != owner and not holder[1] < now:
            raise PlanningInProgress(broadcast_id)
        self.leases[broadcast_id, stream] = (owner, until)
        return self._checkpoint(broadcast_id, stream)

    def save_checkpoint(self, broadcast_id: str, stream: Stream, owner: str, cp: PlanCheckpoint) -> None:
        holder = self.leases.get((broadcast_id, stream))
        if holder is None or holder[0] != owner:
            raise LeaseLost(broadcast_id)
        if stream.part == TAIL:
            self.records[broadcast_id]["tails"][stream.language] = cp
        else:
            self.records[broadcast_id]["checkpoints"][stream] = cp
        if cp.done:
            del self.leases[broadcast_id, stream]

    def release_stream(self, broadcast_id: str, stream: Stream, owner: str) -> None:
        if self.hard_kills:
            return
        holder = self.leases.get((broadcast_id, stream))
        if holder is not None and holder[0] == owner:
            del self.leases[broadcast_id, stream]

    def forget_recipients(self, broadcast_id: str, streams: Sequence[Stream]) -> None:
        forgotten = {"after": None, "pending": (), "remainder": ()}
        r = self.records[broadcast_id]
        for stream in streams:
            cp = self._checkpoint(broadcast_id, stream).model_copy(update=forgotten)
            if stream.part == TAIL:
                r["tails"][stream.language] = cp
            else:
                r["checkpoints"][stream] = cp

    def finish_planning(
        self, broadcast_id: str, batches_planned: int, audience: int, by_version: dict[str, int]
    ) -> None:
        self.records[broadcast_id].update(
            complete=True, planned=batches_planned, audience=audience, by_version=by_version
        )

    def try_finalize(self, broadcast_id: str) -> None:
        pass

    def report(self, broadcast_id: str) -> BroadcastReport:
        r = self.records[broadcast_id]
        return BroadcastReport(
            broadcast_id=broadcast_id,
            status=r["status"],
            created_at=datetime(2026, 4, 1),
            send_date="2026-04-01",
            planning_complete=r["complete"],
            audience_size=r["audience"],
            audience_by_version=r["by_version"],
            batches_planned=r["planned"],
            batches_sent=0,
            recipients_sent=0,
            batches_failed=0,
            recipients_failed=0,
            retries=0,
            already_accepted=0,
        )


class Crash(Exception):
    """The planner's Lambda dies here."""


@dataclass
class FakeQueue:
    batches: list[BroadcastBatch] = field(default_factory=list)
    crash_after: int | None = None  # enqueue this many, then die on the next one
    crash_once_sent: bool = False  # die after that one reached the queue (else before)

    def enqueue(self, batch: BroadcastBatch) -> None:
        if self.crash_after is not None and len(self.batches) >= self.crash_after:
            self.crash_after = None
            if self.crash_once_sent:
                self.batches.append(batch)
            raise Crash
        self.batches.append(batch)
