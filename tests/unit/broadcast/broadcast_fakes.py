"""In-memory stand-ins for the broadcast ports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from civicline.domain.broadcast.errors import BroadcastIdConflict, LeaseLost, PlanningInProgress
from civicline.domain.broadcast.planner import AudienceMember, PlanState
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
    """Active residents in a stable "hash" order, split into scan segments like a parallel Scan."""

    residents: dict[str, ReceptionSettings] = field(default_factory=dict)

    def stream(
        self, segment: Segment, send_year: int, scan_segment: int, scan_segments: int, after: str | None
    ) -> Iterator[AudienceMember]:
        ordered = sorted(self.residents, key=_position)
        mine = [u for u in ordered if int(_position(u), 16) % scan_segments == scan_segment]
        start = _position(after) if after is not None else None
        for uid in mine:
            if start is None or _position(uid) > start:
                yield AudienceMember(uid, self.residents[uid])


@dataclass
class FakeLedger:
    records: dict[str, dict] = field(default_factory=dict)
    lease: dict[str, str] = field(default_factory=dict)

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
            "scan_segments": scan_segments,
            "checkpoints": {n: PlanCheckpoint() for n in range(scan_segments)},
            "tail": PlanCheckpoint(),
            "complete": False,
            "planned": 0,
            "audience": 0,
        }
        return True

    def begin(self, broadcast_id: str) -> None:
        if self.records[broadcast_id]["status"] is BroadcastStatus.SCHEDULED:
            self.records[broadcast_id]["status"] = BroadcastStatus.PLANNED

    def acquire_lease(self, broadcast_id: str, owner: str, now: datetime, until: datetime) -> PlanState:
        if self.lease.get(broadcast_id, owner) != owner:
            raise PlanningInProgress(broadcast_id)
        self.lease[broadcast_id] = owner
        r = self.records[broadcast_id]
        return PlanState(r["scan_segments"], dict(r["checkpoints"]), r["complete"], r["tail"])

    def _check(self, broadcast_id: str, owner: str) -> None:
        if self.lease.get(broadcast_id) != owner:
            raise LeaseLost(broadcast_id)

    def save_checkpoint(self, broadcast_id: str, owner: str, scan_segment: int, cp: PlanCheckpoint) -> None:
        self._check(broadcast_id, owner)
        self.records[broadcast_id]["checkpoints"][scan_segment] = cp

    def save_tail(self, broadcast_id: str, owner: str, cp: PlanCheckpoint) -> None:
        self._check(broadcast_id, owner)
        self.records[broadcast_id]["tail"] = cp

    def finish_planning(self, broadcast_id: str, owner: str, batches_planned: int, audience: int) -> None:
        self._check(broadcast_id, owner)
        self.records[broadcast_id].update(complete=True, planned=batches_planned, audience=audience)
        del self.lease[broadcast_id]

    def release_lease(self, broadcast_id: str, owner: str) -> None:
        if self.lease.get(broadcast_id) == owner:
            del self.lease[broadcast_id]

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
