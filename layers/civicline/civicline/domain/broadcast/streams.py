"""Cutting one recipient stream into batches, each saved in its checkpoint just before it is enqueued.

The streams are the parallel Scan's segments, then the tail (their remainders merged). A scan segment
enqueues full batches only and keeps its last, partial one as a remainder in its final checkpoint;
the tail cuts every segment's remainders together once all are done, numbered after every segment's
batches. Because the remainders are stored before the tail starts, the tail's batches are the same on
every resumed run. So a broadcast to N residents costs exactly ⌈N/500⌉ batches, and a resumed stream
re-enqueues only the batch it was enqueueing, under the same number (see PlanCheckpoint).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from civicline.domain.broadcast.batching import batch_number, batched, tail_batch_number
from civicline.domain.broadcast.segment import matches
from civicline.models.broadcast.base import MULTICAST_MAX_RECIPIENTS
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.broadcast.segment import Segment
from civicline.models.resident import ReceptionSettings

TAIL = "tail"  # the stream of the scan segments' remainders (the others are numbered 0 … n-1)
Stream = int | str


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
    """A fixed list as a stream (テスト配信 to staff accounts, the tail's remainders)."""
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
