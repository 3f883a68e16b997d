"""Cutting one recipient stream into batches, each saved in its checkpoint just before it is enqueued.

The streams are the parallel Scan's segments, then the tail (their remainders merged), each once per
version of the request (its language): a stream holds the readers of one version only, so each batch
carries one set of messages. A scan segment
enqueues full batches only and keeps its last, partial one as a remainder in its final checkpoint;
the tail cuts every segment's remainders together once all are done, numbered after every segment's
batches. Because the remainders are stored before the tail starts, the tail's batches are the same on
every resumed run. So a broadcast to N residents costs exactly ⌈N/500⌉ batches per version,
Σ⌈N_version/500⌉ in all, and a resumed stream re-enqueues only the batch it was enqueueing, under the
same number (see PlanCheckpoint).

Why a stream per version rather than one Scan cutting every version's batches at once: a stream's
checkpoint must hold everything read but not yet enqueued, so one Scan would carry up to eight partial
batches (up to 8 × 499 ids, ~144 KB) in the checkpoint written before every batch, against reading
the segment once per version with the version's readers filtered in DynamoDB (a few cents of read
units at a million residents; the client parses only the readers). A broadcast in Japanese alone
reads and numbers exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from civicline.domain.broadcast.batching import batch_number, batched, tail_batch_number
from civicline.domain.broadcast.segment import matches
from civicline.domain.broadcast.versions import Readers
from civicline.models.broadcast.base import MULTICAST_MAX_RECIPIENTS
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.broadcast.segment import Segment
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.models.resident import ReceptionSettings

TAIL = "tail"  # the stream of the scan segments' remainders (the others are numbered 0 … n-1)


class Stream(NamedTuple):
    """One recipient stream: a scan segment's (or the tail's) readers of one version."""

    part: int | str  # the scan segment, or TAIL
    language: Language = DEFAULT_LANGUAGE


class AudienceMember(NamedTuple):
    user_id: str
    settings: ReceptionSettings
    language: str | None = None  # as stored on the resident's record (None: none stored, Japanese)


class AudienceSource(Protocol):
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
        """Active residents of one scan segment, in scan order, strictly after `after`.

        May return residents outside `segment` or `readers` (the caller checks each), never blocked
        ones; `readers` None: every version's.
        """
        ...


# A stream of recipient ids of one scan segment, strictly after a position (None: from the start).
Recipients = Callable[[str | None], Iterator[str]]


def segment_recipients(
    audience: AudienceSource,
    segment: Segment,
    send_year: int,
    scan_segment: int,
    scan_segments: int,
    *,
    readers: Readers,
) -> Recipients:
    def recipients(after: str | None) -> Iterator[str]:
        for member in audience.stream(
            segment, send_year, scan_segment, scan_segments, after, readers=readers
        ):
            if readers.includes(member.language) and matches(
                segment, member.settings, send_year, member.language
            ):
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
    language: Language = DEFAULT_LANGUAGE  # the version every batch of this stream carries

    def batch(self, index: int, user_ids: list[str]) -> BroadcastBatch:
        return BroadcastBatch(
            broadcast_id=self.broadcast_id,
            batch_number=self.number(index),
            user_ids=user_ids,
            language=self.language,
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


def scan_segment_plan(
    broadcast_id: str,
    scan_segment: int,
    scan_segments: int,
    *,
    versions: tuple[Language, ...],
    version: Language,
) -> StreamPlan:
    k = versions.index(version)
    return StreamPlan(
        broadcast_id,
        number=lambda index: batch_number(index, scan_segment, scan_segments, k, len(versions)),
        keep_remainder=True,
        language=version,
    )


def tail_plan(
    broadcast_id: str,
    segments: dict[Stream, PlanCheckpoint],
    scan_segments: int,
    *,
    versions: tuple[Language, ...],
    version: Language,
) -> StreamPlan:
    """One version's stream of the scan segments' remainders; `segments` (every version's scan segment
    streams) must all be done, then they never change."""
    longest = max((cp.next_index for cp in segments.values()), default=0)
    k = versions.index(version)
    return StreamPlan(
        broadcast_id,
        number=lambda index: tail_batch_number(index, longest, scan_segments, k, len(versions)),
        keep_remainder=False,
        language=version,
    )


def remainders(segments: dict[Stream, PlanCheckpoint], version: Language) -> list[str]:
    """Every scan segment's remainder of one version, in segment order (the same list on every run)."""
    mine = sorted(int(stream.part) for stream in segments if stream.language == version)
    return [uid for part in mine for uid in segments[Stream(part, version)].remainder]
