"""Planning a broadcast: stream the audience, cut it into batches, enqueue each batch exactly once.

Memory stays bounded: recipients are streamed page by page and only the batch being cut is held.
The audience is read as `scan_segments` independent streams (DynamoDB parallel scan segments), each
with its own checkpoint, so a planner that crashes resumes where it stopped, without a second copy
of any batch (see PlanCheckpoint).

Each scan segment enqueues only full batches of 500 and keeps its last, partial one as a remainder
in its final checkpoint. Once every segment is done, the remainders (fewer than 500 per segment) are
read back from those checkpoints and cut together as one more stream, the tail, with a checkpoint of
its own. Because the remainders are stored before the tail starts, the tail's batches are the same
on every resumed run, numbered after every segment's batches. So a broadcast to N residents costs
exactly ⌈N/500⌉ batches, and a resumed planner still re-enqueues only the same batch under the same
number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple, Protocol

from civicline.domain.broadcast.batching import batch_number, batched, tail_batch_number
from civicline.domain.broadcast.segment import matches
from civicline.models.broadcast.base import MULTICAST_MAX_RECIPIENTS
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.broadcast.report import AudiencePreview, BroadcastReport, BroadcastStatus
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.broadcast.segment import Segment
from civicline.models.resident import ReceptionSettings

UNANSWERED = "unanswered"


class AudienceMember(NamedTuple):
    user_id: str
    settings: ReceptionSettings


class AudienceSource(Protocol):
    def stream(
        self, segment: Segment, send_year: int, scan_segment: int, scan_segments: int, after: str | None
    ) -> Iterator[AudienceMember]:
        """Active residents of one scan segment, in scan order, strictly after `after`.

        May return residents outside `segment` (the caller checks each), never blocked ones.
        """
        ...


# A stream of recipient ids of one scan segment, strictly after a position (None: from the start).
Recipients = Callable[[str | None], Iterator[str]]


def segment_recipients(
    audience: AudienceSource, segment: Segment, send_year: int, scan_segment: int, scan_segments: int
) -> Recipients:
    def recipients(after: str | None) -> Iterator[str]:
        for member in audience.stream(segment, send_year, scan_segment, scan_segments, after):
            if matches(segment, member.settings, send_year):
                yield member.user_id

    return recipients


def listed_recipients(user_ids: Iterable[str]) -> Recipients:
    """A fixed list as a stream (テスト配信 to staff accounts)."""
    ordered = list(user_ids)

    def recipients(after: str | None) -> Iterator[str]:
        start = 0 if after is None else ordered.index(after) + 1
        yield from ordered[start:]

    return recipients


@dataclass(frozen=True)
class StreamPlan:
    """Cuts one recipient stream into batches, each saved in the checkpoint just before it is enqueued."""

    broadcast_id: str
    number: Callable[[int], int]  # the stream's index-th batch → its broadcast-wide number
    keep_remainder: bool  # True: a last partial batch is kept in the checkpoint, not enqueued

    def batch(self, index: int, user_ids: list[str]) -> BroadcastBatch:
        return BroadcastBatch(
            broadcast_id=self.broadcast_id, batch_number=self.number(index), user_ids=user_ids
        )

    def run(
        self,
        checkpoint: PlanCheckpoint,
        recipients: Recipients,
        save: Callable[[PlanCheckpoint], None],
        enqueue: Callable[[BroadcastBatch], None],
    ) -> PlanCheckpoint:
        """Enqueue every remaining batch of this stream; return the final checkpoint."""
        if checkpoint.done:
            return checkpoint
        after, index, count = checkpoint.after, checkpoint.next_index, checkpoint.recipients
        if checkpoint.pending:
            resumed = list(checkpoint.pending)
            enqueue(self.batch(index, resumed))
            after, index, count = resumed[-1], index + 1, count + len(resumed)
        remainder: tuple[str, ...] = ()
        for user_ids in batched(recipients(after)):
            if self.keep_remainder and len(user_ids) < MULTICAST_MAX_RECIPIENTS:
                remainder = tuple(user_ids)  # only the last batch can be short
                break
            save(PlanCheckpoint(after=after, next_index=index, recipients=count, pending=tuple(user_ids)))
            enqueue(self.batch(index, user_ids))
            after, index, count = user_ids[-1], index + 1, count + len(user_ids)
        final = PlanCheckpoint(
            after=after, next_index=index, recipients=count, remainder=remainder, done=True
        )
        save(final)
        return final


def scan_segment_plan(broadcast_id: str, scan_segment: int, scan_segments: int) -> StreamPlan:
    return StreamPlan(
        broadcast_id,
        number=lambda index: batch_number(index, scan_segment, scan_segments),
        keep_remainder=True,
    )


def tail_plan(broadcast_id: str, segments: dict[int, PlanCheckpoint], scan_segments: int) -> StreamPlan:
    """The stream of the scan segments' remainders; `segments` must all be done (then they never change)."""
    longest = max((cp.next_index for cp in segments.values()), default=0)
    return StreamPlan(
        broadcast_id,
        number=lambda index: tail_batch_number(index, longest, scan_segments),
        keep_remainder=False,
    )


def remainders(segments: dict[int, PlanCheckpoint]) -> list[str]:
    """Every scan segment's remainder, in segment order (the same list on every run)."""
    return [uid for scan_segment in sorted(segments) for uid in segments[scan_segment].remainder]


def run_scan_segments(
    checkpoints: dict[int, PlanCheckpoint],
    plan_one: Callable[[int, PlanCheckpoint], PlanCheckpoint],
    workers: int,
) -> dict[int, PlanCheckpoint]:
    """Plan every scan segment, `workers` at a time; any failure is raised once all have stopped."""
    if workers <= 1:
        return {segment: plan_one(segment, checkpoint) for segment, checkpoint in checkpoints.items()}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plan-segment") as pool:
        futures = {segment: pool.submit(plan_one, segment, cp) for segment, cp in checkpoints.items()}
        return {segment: future.result() for segment, future in futures.items()}


def preview(
    audience: AudienceSource, segment: Segment, send_year: int, send_date: str, scan_segments: int
) -> AudiencePreview:
    """Count the audience by area without keeping anyone's id."""

    def count(scan_segment: int) -> Counter[str]:
        by_area: Counter[str] = Counter()
        for member in audience.stream(segment, send_year, scan_segment, scan_segments, None):
            if matches(segment, member.settings, send_year):
                by_area[member.settings.area or UNANSWERED] += 1
        return by_area

    total: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=scan_segments, thread_name_prefix="preview") as pool:
        for part in pool.map(count, range(scan_segments)):
            total.update(part)
    return AudiencePreview(audience_size=sum(total.values()), by_area=dict(total), send_date=send_date)


@dataclass(frozen=True)
class PlanState:
    scan_segments: int
    checkpoints: dict[int, PlanCheckpoint]  # by scan segment
    planning_complete: bool
    tail: PlanCheckpoint = field(default_factory=PlanCheckpoint)


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

    def acquire_lease(self, broadcast_id: str, owner: str, now: datetime, until: datetime) -> PlanState: ...

    def save_checkpoint(
        self, broadcast_id: str, owner: str, scan_segment: int, cp: PlanCheckpoint
    ) -> None: ...

    def save_tail(self, broadcast_id: str, owner: str, cp: PlanCheckpoint) -> None: ...

    def finish_planning(self, broadcast_id: str, owner: str, batches_planned: int, audience: int) -> None: ...

    def release_lease(self, broadcast_id: str, owner: str) -> None: ...

    def try_finalize(self, broadcast_id: str) -> None: ...

    def report(self, broadcast_id: str) -> BroadcastReport: ...


@dataclass(frozen=True)
class Lease:
    owner: str  # the invocation's request id
    now: datetime
    until: datetime


def plan_broadcast(
    request: BroadcastRequest,
    *,
    day: date,
    scan_segments: int,
    ledger: PlannerLedger,
    audience: AudienceSource,
    enqueue: Callable[[BroadcastBatch], None],
    lease: Lease,
    workers: int | None = None,
) -> BroadcastReport:
    """Record the broadcast and enqueue its batches, once, however often and wherever it is re-invoked."""
    broadcast_id = request.broadcast_id
    if broadcast_id is None:
        raise ValueError("a broadcast to send needs a broadcast_id")
    ledger.create(broadcast_id, request, day.isoformat(), 1 if request.is_test else scan_segments, lease.now)
    ledger.begin(broadcast_id)
    state = ledger.acquire_lease(broadcast_id, lease.owner, lease.now, lease.until)
    if state.planning_complete:
        ledger.release_lease(broadcast_id, lease.owner)
        return ledger.report(broadcast_id)

    def plan_one(scan_segment: int, checkpoint: PlanCheckpoint) -> PlanCheckpoint:
        recipients = (
            listed_recipients(request.test_user_ids)
            if request.is_test
            else segment_recipients(audience, request.segment, day.year, scan_segment, state.scan_segments)
        )

        def save(cp: PlanCheckpoint) -> None:
            ledger.save_checkpoint(broadcast_id, lease.owner, scan_segment, cp)

        plan = scan_segment_plan(broadcast_id, scan_segment, state.scan_segments)
        return plan.run(checkpoint, recipients, save, enqueue)

    def save_tail(cp: PlanCheckpoint) -> None:
        ledger.save_tail(broadcast_id, lease.owner, cp)

    try:
        segments = run_scan_segments(state.checkpoints, plan_one, workers=workers or state.scan_segments)
        tail = tail_plan(broadcast_id, segments, state.scan_segments).run(
            state.tail, listed_recipients(remainders(segments)), save_tail, enqueue
        )
    except BaseException:
        ledger.release_lease(broadcast_id, lease.owner)
        raise
    finals = [*segments.values(), tail]
    ledger.finish_planning(
        broadcast_id,
        lease.owner,
        batches_planned=sum(cp.next_index for cp in finals),
        audience=sum(cp.recipients for cp in finals),
    )
    ledger.try_finalize(broadcast_id)
    return ledger.report(broadcast_id)
