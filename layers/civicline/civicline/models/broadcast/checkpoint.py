"""How far planning got in one recipient stream (a scan segment or the tail)."""

from __future__ import annotations

from pydantic import Field

from civicline.models.broadcast.base import MULTICAST_MAX_RECIPIENTS, CamelCase


class PlanCheckpoint(CamelCase):
    """How far the planner got in one recipient stream, saved just before each batch is enqueued.

    The streams are the parallel Scan's segments, then the tail (their remainders merged). `pending`
    is the batch being enqueued, recipients and all: a planner that dies before or after the enqueue
    re-enqueues exactly that batch under the same number when it is invoked again (the retry key makes
    a second copy harmless), and carries on from its last recipient. Nobody can move into another
    batch, so nobody can receive the message twice, whatever residents did in between.

    A scan segment enqueues full batches only; its last, partial one is kept as `remainder` when the
    segment is done, and the tail cuts all the segments' remainders together, so a broadcast costs
    ⌈N/500⌉ multicasts, not one partial batch per segment more.
    """

    after: str | None = None  # last recipient of the last batch enqueued (a scan position)
    next_index: int = Field(default=0, ge=0)
    recipients: int = Field(default=0, ge=0)  # recipients in the batches enqueued so far
    pending: tuple[str, ...] = Field(default=(), max_length=MULTICAST_MAX_RECIPIENTS)
    remainder: tuple[str, ...] = Field(default=(), max_length=MULTICAST_MAX_RECIPIENTS - 1)
    done: bool = False
