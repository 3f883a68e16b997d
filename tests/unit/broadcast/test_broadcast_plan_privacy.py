"""Residents' LINE user ids in a broadcast's plan live only as long as planning needs them (issue 12/9)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from tests.unit.broadcast.broadcast_fakes import Crash, FakeAudience, FakeLedger, FakeQueue
from tests.unit.broadcast.test_broadcast_planner import (
    DAY,
    assert_each_recipient_in_one_batch_number,
    population,
    request,
)

from civicline.domain.broadcast.errors import PlanExpired
from civicline.domain.broadcast.planner import REPLAN_LIMIT, Lease, plan_broadcast
from civicline.models.broadcast.report import BroadcastReport
from civicline.ward_time import ward_day_start


def plan_at(
    ledger: FakeLedger, queue: FakeQueue, audience: FakeAudience, after: timedelta, owner: str
) -> BroadcastReport:
    now = ward_day_start(DAY) + after
    return plan_broadcast(
        request(),
        day=DAY,
        scan_segments=4,
        ledger=ledger,
        audience=audience,
        enqueue=queue.enqueue,
        lease=Lease(owner=owner, now=now, until=now + timedelta(minutes=16)),
    )


def test_once_a_broadcast_is_planned_no_checkpoint_names_a_resident_and_the_counts_stay() -> None:
    # Given 2,345 residents read through four scan segments, each ending with a remainder
    audience, ledger, queue = population(2345), FakeLedger(), FakeQueue()
    # When the broadcast is planned to the end
    report = plan_at(ledger, queue, audience, timedelta(hours=9), "inv-1")
    # Then no checkpoint holds a user id any more, and the counts still add up to the audience
    state = ledger.plan_state("b1")
    checkpoints = [*state.checkpoints.values(), *state.tails.values()]
    assert all(cp.done and cp.after is None and not cp.pending and not cp.remainder for cp in checkpoints)
    assert sum(cp.recipients for cp in checkpoints) == report.audience_size == len(audience.residents)
    assert sum(cp.next_index for cp in checkpoints) == report.batches_planned == len(queue.batches)


def test_a_planner_invoked_again_after_the_ids_are_forgotten_enqueues_nothing() -> None:
    audience, ledger, queue = population(1800), FakeLedger(), FakeQueue()
    first = plan_at(ledger, queue, audience, timedelta(hours=9), "inv-1")
    sent = list(queue.batches)
    # When the planner is invoked again (staff, or the scheduler's retry) after planning closed
    again = plan_at(ledger, queue, audience, timedelta(hours=10), "inv-2")
    # Then nothing is enqueued and the report keeps its figures
    assert queue.batches == sent
    assert (again.audience_size, again.batches_planned) == (first.audience_size, first.batches_planned)


def crashed_mid_way() -> tuple[FakeAudience, FakeLedger, FakeQueue]:
    """A planner that died after enqueueing two batches, on the morning of the send date."""
    audience, ledger, queue = population(2600), FakeLedger(), FakeQueue(crash_after=2)
    with contextlib.suppress(Crash):
        plan_at(ledger, queue, audience, timedelta(hours=9), "inv-1")
    return audience, ledger, queue


def test_an_unfinished_plan_resumes_within_its_retry_window_without_sending_anyone_twice() -> None:
    audience, ledger, queue = crashed_mid_way()
    # When it is invoked again on the last day its checkpoints are certain to be kept
    report = plan_at(ledger, queue, audience, REPLAN_LIMIT - timedelta(minutes=1), "inv-2")
    # Then it finishes, each resident in one batch
    assert set(assert_each_recipient_in_one_batch_number(queue)) == set(audience.residents)
    assert report.planning_complete


def test_an_unfinished_plan_past_its_retry_window_is_refused_rather_than_planned_again() -> None:
    # Given a planner that died mid-way (its checkpoints may have expired by TTL since)
    audience, ledger, queue = crashed_mid_way()
    enqueued = list(queue.batches)
    # When it is invoked again once the retry window has passed
    with pytest.raises(PlanExpired):
        plan_at(ledger, queue, audience, REPLAN_LIMIT, "inv-2")
    # Then it enqueues nothing (a fresh plan could send someone a second copy)
    assert queue.batches == enqueued
