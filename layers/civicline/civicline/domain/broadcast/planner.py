"""Planning a broadcast: stream the audience, cut it into batches, enqueue each batch exactly once.

Fanned out (issue 14): the audience is read as `scan_segments` independent streams (DynamoDB parallel
Scan segments). The planner that receives a request records it and, when there is more than one
segment, plans nothing itself: it starts one planning worker per segment not yet done (each its own
Lambda invocation, so the segments' Scans and batch cutting run on separate cores) and answers at
once. Each worker enqueues its segment's batches as it cuts them, so sending starts while planning
goes on. The worker that finds every segment done once its own is cuts the tail (the segments'
remainders, see streams.py) and closes planning. A broadcast small enough for one segment (the switch
is `scan_segments_for`) is planned in the one invocation that received it, by the same code.

Safe however often and wherever anything is re-invoked:
- each stream (scan segment or tail) has its own lease and checkpoint; a checkpoint is written only
  by the lease's holder, just before the batch it holds is enqueued, and the final one (done)
  releases the lease;
- a worker whose segment is leased by another invocation (a duplicate start) leaves it to that one;
  two workers finishing at once both look at the tail, and only the one holding its lease cuts it;
- a crashed worker is resumed by Lambda's retry of the same event (same request id, so same lease
  owner), by its lease expiring, or by the planner invoked again (it starts workers for the segments
  not done, or cuts the tail itself once they all are).
Memory stays bounded: recipients are streamed page by page and only the batch being cut is held.

Residents' LINE user ids stay in the checkpoints only while planning needs them (the pending batch, a
segment's remainder, the scan position): once every stream is done they are forgotten before planning
is closed, and the counts stay (privacy review, issue 12). A plan never closed (a planner that died and
was never invoked again) loses its checkpoints by TTL, `PLAN_RECORD_LIFETIME` after it began; to
enqueue nothing twice, a plan is not resumed once `REPLAN_LIMIT` has passed since its send date (its
checkpoints may be gone), and by then every batch enqueued has left the batches queue anyway.

Versions (issue 13): every stream above exists once per version of the request (its languages), and a
scan segment's worker runs its versions' streams one after the other, Japanese first; the tail is cut
per version once every version's segments are done. Each version is numbered on its own residue, so
the guarantees hold per version and a broadcast costs Σ⌈N_version/500⌉ multicasts (streams.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from civicline.domain.broadcast.errors import PlanExpired, PlanningInProgress
from civicline.domain.broadcast.streams import (
    TAIL,
    AudienceSource,
    Recipients,
    Stream,
    StreamPlan,
    listed_recipients,
    remainders,
    scan_segment_plan,
    segment_recipients,
    tail_plan,
)
from civicline.domain.broadcast.versions import Readers
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.broadcast.report import BroadcastReport, BroadcastStatus
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.ward_time import ward_day_start

# One planning worker per this many residents. Measured (make bench): one core parses and cuts about
# 37,000 residents a second (26.6 s for a million), and LINE takes 100,000 a second (200 × 500). At
# 50,000 a worker, each segment takes about 1.4 s of CPU and its first batch a few milliseconds, so 20
# workers cut a million in a couple of seconds, far ahead of the 10 s LINE needs for them. Below it
# (the ward's 6,000 friends today) one invocation plans the whole broadcast in a fraction of a second,
# less than starting workers (an invoke and often a cold start) would take.
RESIDENTS_PER_SEGMENT = 50_000
MAX_SCAN_SEGMENTS = 32
# How long a plan's checkpoints live (a TTL from the first lease): no longer than a broadcast can be
# retried (BroadcastBatchesQueue keeps a batch 14 days), with a day's margin over REPLAN_LIMIT, which
# counts from the start of the send date, so no checkpoint is gone while the plan may still resume.
PLAN_RECORD_LIFETIME = timedelta(days=15)
REPLAN_LIMIT = timedelta(days=14)


def scan_segments_for(residents: int, per_segment: int = RESIDENTS_PER_SEGMENT) -> int:
    """How many segments (planning workers) an audience read out of `residents` items gets."""
    return max(1, min(MAX_SCAN_SEGMENTS, math.ceil(residents / per_segment)))


@dataclass(frozen=True)
class PlanState:
    scan_segments: int
    checkpoints: dict[Stream, PlanCheckpoint]  # every version's scan segment streams
    planning_complete: bool
    tails: dict[Language, PlanCheckpoint] = field(default_factory=dict)  # by version
    send_date: str = ""  # the ward's day the broadcast goes out (age bands are computed on it)
    versions: tuple[Language, ...] = (DEFAULT_LANGUAGE,)

    def segment_done(self, scan_segment: int) -> bool:
        return all(cp.done for s, cp in self.checkpoints.items() if s.part == scan_segment)


class PlannerLedger(Protocol):
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
        """Record a new broadcast; False if it exists with the same request (raises if another)."""
        ...

    def begin(self, broadcast_id: str) -> None:
        """A scheduled broadcast whose time has come becomes planned (nothing for any other status)."""
        ...

    def request(self, broadcast_id: str) -> BroadcastRequest:
        """The request as it was recorded."""
        ...

    def plan_state(self, broadcast_id: str) -> PlanState:
        """Every stream's checkpoint as it stands (consistent reads)."""
        ...

    def acquire_stream(
        self, broadcast_id: str, stream: Stream, owner: str, now: datetime, until: datetime
    ) -> PlanCheckpoint:
        """Lease one stream to `owner` until `until`; its checkpoint (PlanningInProgress: another has it).

        A done stream is returned as it is, leased to nobody: nothing about it can change any more.
        """
        ...

    def save_checkpoint(self, broadcast_id: str, stream: Stream, owner: str, cp: PlanCheckpoint) -> None:
        """Only while `owner` holds the stream's lease (else LeaseLost); a done checkpoint releases it."""
        ...

    def release_stream(self, broadcast_id: str, stream: Stream, owner: str) -> None:
        """Best effort, after a failure: lets a re-invoked worker resume at once."""
        ...

    def forget_recipients(self, broadcast_id: str, streams: Sequence[Stream]) -> None:
        """Drop the user ids from these done streams' checkpoints (counts and `done` stay)."""
        ...

    def finish_planning(
        self, broadcast_id: str, batches_planned: int, audience: int, by_version: dict[str, int]
    ) -> None: ...

    def try_finalize(self, broadcast_id: str) -> None: ...

    def report(self, broadcast_id: str) -> BroadcastReport: ...


@dataclass(frozen=True)
class Lease:
    owner: str  # the invocation's request id
    now: datetime
    until: datetime


# Starts one planning worker for each of these scan segments of a broadcast (asynchronously).
StartWorkers = Callable[[str, Sequence[int]], None]


@dataclass(frozen=True)
class Planning:
    """One invocation's part in planning one broadcast: the streams it leases and runs."""

    request: BroadcastRequest
    broadcast_id: str
    day: date
    ledger: PlannerLedger
    audience: AudienceSource
    enqueue: Callable[[BroadcastBatch], None]
    lease: Lease

    def _run(self, stream: Stream, plan: StreamPlan, recipients: Recipients) -> PlanCheckpoint:
        ledger, lease = self.ledger, self.lease
        checkpoint = ledger.acquire_stream(self.broadcast_id, stream, lease.owner, lease.now, lease.until)

        def save(cp: PlanCheckpoint) -> None:
            ledger.save_checkpoint(self.broadcast_id, stream, lease.owner, cp)

        try:
            return plan.run(checkpoint, recipients, save, self.enqueue)
        except BaseException:
            ledger.release_stream(self.broadcast_id, stream, lease.owner)
            raise

    def _recipients(self, scan_segment: int, scan_segments: int, version: Language) -> Recipients:
        if self.request.is_test:
            # テスト配信: every version goes to the staff accounts, so each can be read before sending.
            return listed_recipients(self.request.test_user_ids)
        readers = Readers(version, self.request.versions)
        return segment_recipients(
            self.audience, self.request.segment, self.day.year, scan_segment, scan_segments, readers=readers
        )

    def segment(self, scan_segment: int, scan_segments: int) -> int:
        """Every version's stream of one scan segment, Japanese first; the recipients it enqueued."""
        versions = self.request.versions
        recipients = 0
        for version in versions:
            plan = scan_segment_plan(
                self.broadcast_id, scan_segment, scan_segments, versions=versions, version=version
            )
            done = self._run(
                Stream(scan_segment, version), plan, self._recipients(scan_segment, scan_segments, version)
            )
            recipients += done.recipients
        return recipients

    def tail_if_last(self) -> None:
        """Once every scan segment is done: cut each version's tail and close planning (else nothing yet)."""
        state = self.ledger.plan_state(self.broadcast_id)
        if state.planning_complete or not all(cp.done for cp in state.checkpoints.values()):
            return
        segments = state.checkpoints
        finals = list(segments.values())
        by_version: Counter[str] = Counter()
        for stream, cp in segments.items():
            by_version[stream.language.value] += cp.recipients
        for version in state.versions:
            plan = tail_plan(
                self.broadcast_id, segments, state.scan_segments, versions=state.versions, version=version
            )
            tail = self._run(Stream(TAIL, version), plan, listed_recipients(remainders(segments, version)))
            finals.append(tail)
            by_version[version.value] += tail.recipients
        # Every stream is done: nothing reads their ids again (a resumed run stops at `done`).
        tails = [Stream(TAIL, version) for version in state.versions]
        self.ledger.forget_recipients(self.broadcast_id, [*sorted(segments), *tails])
        self.ledger.finish_planning(
            self.broadcast_id,
            batches_planned=sum(cp.next_index for cp in finals),
            audience=sum(cp.recipients for cp in finals),
            by_version=dict(by_version),
        )
        self.ledger.try_finalize(self.broadcast_id)


def too_late_to_resume(state: PlanState, now: datetime) -> bool:
    """An unfinished plan whose checkpoints may have expired: resuming it could enqueue a batch twice."""
    return now >= ward_day_start(date.fromisoformat(state.send_date)) + REPLAN_LIMIT


def plan_broadcast(
    request: BroadcastRequest,
    *,
    day: date,
    scan_segments: int,
    ledger: PlannerLedger,
    audience: AudienceSource,
    enqueue: Callable[[BroadcastBatch], None],
    lease: Lease,
    start_workers: StartWorkers | None = None,
) -> BroadcastReport:
    """Record the broadcast and get its batches enqueued, once, however often it is re-invoked.

    With `start_workers` and more than one segment, the segments not done go to planning workers and
    the report is returned at once; otherwise every stream is planned here.
    """
    broadcast_id = request.broadcast_id
    if broadcast_id is None:
        raise ValueError("a broadcast to send needs a broadcast_id")
    ledger.create(broadcast_id, request, day.isoformat(), 1 if request.is_test else scan_segments, lease.now)
    ledger.begin(broadcast_id)
    state = ledger.plan_state(broadcast_id)
    if state.planning_complete:
        return ledger.report(broadcast_id)
    # Staff cancelled it while its schedule was about to fire (scheduling.cancel_scheduled).
    if (report := ledger.report(broadcast_id)).status is BroadcastStatus.CANCELLED:
        return report
    if too_late_to_resume(state, lease.now):
        raise PlanExpired(f"broadcast {broadcast_id} was left unplanned past its retry window")
    planning = Planning(request, broadcast_id, day, ledger, audience, enqueue, lease)
    pending = [s for s in range(state.scan_segments) if not state.segment_done(s)]
    if start_workers is not None and state.scan_segments > 1 and pending:
        start_workers(broadcast_id, pending)
        return ledger.report(broadcast_id)
    for scan_segment in pending:
        planning.segment(scan_segment, state.scan_segments)
    planning.tail_if_last()
    return ledger.report(broadcast_id)


def plan_segment_worker(
    broadcast_id: str,
    scan_segment: int,
    *,
    ledger: PlannerLedger,
    audience: AudienceSource,
    enqueue: Callable[[BroadcastBatch], None],
    lease: Lease,
) -> int | None:
    """One planning worker: its scan segment of the recorded request (every version), then the tails
    if it is the last. The recipients its segment holds; None when another invocation holds one of its
    streams (or a tail): that one carries on."""
    state = ledger.plan_state(broadcast_id)
    if state.planning_complete or too_late_to_resume(state, lease.now):
        return None
    request = ledger.request(broadcast_id)
    day = date.fromisoformat(state.send_date)
    planning = Planning(request, broadcast_id, day, ledger, audience, enqueue, lease)
    try:
        done = planning.segment(scan_segment, state.scan_segments)
        planning.tail_if_last()
    except PlanningInProgress:
        return None
    return done
