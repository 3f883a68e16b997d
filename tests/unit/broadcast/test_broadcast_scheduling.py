"""Broadcasts planned ahead: recorded as scheduled with one schedule, then planned when it fires."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tests.unit.broadcast.broadcast_fakes import FakeAudience, FakeLedger, FakeQueue, user_id

from civicline.domain.broadcast.errors import NotCancellable
from civicline.domain.broadcast.planner import Lease, plan_broadcast
from civicline.domain.broadcast.scheduling import (
    SCHEDULE_TOLERANCE,
    cancel_scheduled,
    is_due,
    schedule_broadcast,
)
from civicline.models.broadcast.report import BroadcastStatus
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.resident import ReceptionSettings

NOW = datetime(2026, 3, 30, 0, 0, tzinfo=UTC)
SEND_AT = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


class RecordingScheduler:
    def __init__(self) -> None:
        self.made: list[tuple[str, datetime]] = []

        self.deleted: list[str] = []

    def schedule(self, broadcast_id: str, send_at: datetime) -> None:
        self.made.append((broadcast_id, send_at))

    def cancel(self, broadcast_id: str) -> None:
        self.deleted.append(broadcast_id)


def request() -> BroadcastRequest:
    return BroadcastRequest.model_validate(
        {"broadcast_id": "b-later", "messages": [{"type": "text", "text": "お知らせ"}], "send_at": SEND_AT}
    )


def schedule(ledger: FakeLedger, scheduler: RecordingScheduler):
    return schedule_broadcast(
        request(), send_date="2026-04-01", scan_segments=4, ledger=ledger, scheduler=scheduler, now=NOW
    )


def test_given_send_times_then_only_those_beyond_the_tolerance_wait_for_a_schedule() -> None:
    assert is_due(None, NOW)
    assert is_due(NOW + SCHEDULE_TOLERANCE, NOW)
    assert not is_due(NOW + SCHEDULE_TOLERANCE + timedelta(seconds=1), NOW)


def test_given_a_future_broadcast_then_it_is_recorded_scheduled_and_one_schedule_is_asked_for() -> None:
    ledger, scheduler = FakeLedger(), RecordingScheduler()
    report = schedule(ledger, scheduler)
    assert report.status is BroadcastStatus.SCHEDULED
    assert scheduler.made == [("b-later", SEND_AT)]


def test_given_a_scheduled_broadcast_already_started_then_scheduling_again_asks_for_nothing() -> None:
    # Given a scheduled broadcast that its schedule has started
    ledger, scheduler = FakeLedger(), RecordingScheduler()
    schedule(ledger, scheduler)
    audience = FakeAudience({user_id(n): ReceptionSettings() for n in range(3)})
    queue = FakeQueue()
    lease = Lease("fired", SEND_AT, SEND_AT + timedelta(minutes=16))
    started = plan_broadcast(
        request(),
        day=date(2026, 4, 1),
        scan_segments=4,
        ledger=ledger,
        audience=audience,
        enqueue=queue.enqueue,
        lease=lease,
    )
    assert started.status is BroadcastStatus.PLANNED
    assert [len(b.user_ids) for b in queue.batches] == [3]
    # When staff send the same request again
    again = schedule(ledger, scheduler)
    # Then it is left as it is: no second schedule
    assert again.status is BroadcastStatus.PLANNED
    assert len(scheduler.made) == 1


def fire(ledger: FakeLedger, queue: FakeQueue) -> object:
    audience = FakeAudience({user_id(n): ReceptionSettings() for n in range(3)})
    return plan_broadcast(
        request(),
        day=date(2026, 4, 1),
        scan_segments=4,
        ledger=ledger,
        audience=audience,
        enqueue=queue.enqueue,
        lease=Lease("fired", SEND_AT, SEND_AT + timedelta(minutes=16)),
    )


def test_given_a_scheduled_broadcast_when_staff_cancel_it_then_its_schedule_goes_and_nothing_is_sent() -> (
    None
):
    # Given a broadcast waiting for its time
    ledger, scheduler, queue = FakeLedger(), RecordingScheduler(), FakeQueue()
    schedule(ledger, scheduler)
    # When staff cancel it
    cancelled = cancel_scheduled("b-later", ledger=ledger, scheduler=scheduler)
    # Then it says cancelled and its schedule is deleted
    assert cancelled.status is BroadcastStatus.CANCELLED
    assert scheduler.deleted == ["b-later"]
    # And a schedule that fires anyway (deleted too late) sends no one anything
    assert fire(ledger, queue).status is BroadcastStatus.CANCELLED
    assert queue.batches == []


def test_given_a_cancelled_broadcast_when_staff_cancel_it_again_then_the_answer_is_the_same() -> None:
    ledger, scheduler = FakeLedger(), RecordingScheduler()
    schedule(ledger, scheduler)
    cancel_scheduled("b-later", ledger=ledger, scheduler=scheduler)
    again = cancel_scheduled("b-later", ledger=ledger, scheduler=scheduler)
    assert again.status is BroadcastStatus.CANCELLED


def test_given_a_broadcast_that_started_when_staff_cancel_it_then_they_are_told_it_cannot_be() -> None:
    # Given a scheduled broadcast whose schedule already started it
    ledger, scheduler, queue = FakeLedger(), RecordingScheduler(), FakeQueue()
    schedule(ledger, scheduler)
    fire(ledger, queue)
    # When staff try to cancel it, then it is refused and its schedule is left alone
    with pytest.raises(NotCancellable):
        cancel_scheduled("b-later", ledger=ledger, scheduler=scheduler)
    assert scheduler.deleted == []
