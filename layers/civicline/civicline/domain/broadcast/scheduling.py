"""Broadcasts planned ahead: recorded now, planned when their one-time schedule fires.

The planner records the request (status `scheduled`) and asks the scheduler for a one-time schedule
that invokes the planner itself with `{"broadcastId": ..., "trigger": "schedule"}` at `send_at`. When
it fires, the planner plans the request it recorded: the schedule carries an id, never a request, so
what is sent is what staff saw accepted. Both steps are idempotent: recording the same request again
changes nothing, and a schedule that exists already counts as made. Staff may cancel a broadcast
until its time (`cancel_scheduled`); a cancelled broadcast is never planned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from civicline.domain.broadcast.errors import NotCancellable
from civicline.domain.broadcast.planner import PlannerLedger
from civicline.models.broadcast.report import BroadcastReport, BroadcastStatus
from civicline.models.broadcast.request import BroadcastRequest

# A schedule fires at its time (flexible window off); a send time this close is "now", not a schedule.
SCHEDULE_TOLERANCE = timedelta(minutes=5)


class BroadcastScheduler(Protocol):
    def schedule(self, broadcast_id: str, send_at: datetime) -> None:
        """A one-time schedule that starts the broadcast at `send_at` (nothing if it exists already)."""
        ...

    def cancel(self, broadcast_id: str) -> None:
        """Delete the broadcast's schedule (nothing if it is gone)."""
        ...


class CancellingLedger(Protocol):
    def cancel(self, broadcast_id: str) -> bool:
        """scheduled → cancelled; False when the broadcast is not scheduled."""
        ...

    def report(self, broadcast_id: str) -> BroadcastReport: ...


def is_due(send_at: datetime | None, now: datetime) -> bool:
    return send_at is None or send_at <= now + SCHEDULE_TOLERANCE


def schedule_broadcast(
    request: BroadcastRequest,
    *,
    send_date: str,
    scan_segments: int,
    ledger: PlannerLedger,
    scheduler: BroadcastScheduler,
    now: datetime,
) -> BroadcastReport:
    """Record a broadcast that is not due yet and make its schedule, once however often invoked."""
    broadcast_id, send_at = request.broadcast_id, request.send_at
    if broadcast_id is None or send_at is None:
        raise ValueError("a broadcast to schedule needs a broadcast_id and a send_at")
    segments = 1 if request.is_test else scan_segments
    ledger.create(broadcast_id, request, send_date, segments, now, status=BroadcastStatus.SCHEDULED)
    report = ledger.report(broadcast_id)
    # A broadcast that already started (its time came, and staff or the schedule planned it) is left be.
    if report.status is BroadcastStatus.SCHEDULED:
        scheduler.schedule(broadcast_id, send_at)
    return report


def cancel_scheduled(
    broadcast_id: str, *, ledger: CancellingLedger, scheduler: BroadcastScheduler
) -> BroadcastReport:
    """Cancel a broadcast still waiting for its time: its record first, then its schedule.

    The record goes first so that a schedule firing in between finds the broadcast cancelled and
    plans nothing (plan_broadcast); cancelling twice answers the same. Anything that started or
    ended already raises NotCancellable (BroadcastNotFound for an unknown id).
    """
    if not ledger.cancel(broadcast_id):
        report = ledger.report(broadcast_id)
        if report.status is not BroadcastStatus.CANCELLED:
            raise NotCancellable(f"broadcast {broadcast_id} is {report.status.value}, not scheduled")
    scheduler.cancel(broadcast_id)
    return ledger.report(broadcast_id)
