"""Planning fanned out to one worker per scan segment: whatever order the workers run in, however
often they crash, are retried or are started twice, every resident is in exactly one batch number,
the broadcast costs ⌈N/500⌉ batches, and the tail is cut once."""

from __future__ import annotations

import contextlib
import math
import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.broadcast.broadcast_fakes import Crash, FakeLedger, FakeQueue
from tests.unit.broadcast.test_broadcast_planner import (
    assert_each_recipient_in_one_batch_number,
    population,
    request,
)

from civicline.domain.broadcast.planner import (
    RESIDENTS_PER_SEGMENT,
    Lease,
    plan_broadcast,
    plan_segment_worker,
    scan_segments_for,
)

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 4, 1)


def lease(owner: str, now: datetime = NOW) -> Lease:
    return Lease(owner=owner, now=now, until=now + timedelta(minutes=16))


def start(ledger: FakeLedger, audience, queue: FakeQueue, scan_segments: int, owner: str = "planner-1"):
    started: list[int] = []
    report = plan_broadcast(
        request(),
        day=DAY,
        scan_segments=scan_segments,
        ledger=ledger,
        audience=audience,
        enqueue=queue.enqueue,
        lease=lease(owner),
        start_workers=lambda broadcast_id, segments: started.extend(segments),
    )
    return report, started


def run_worker(  # noqa: PLR0917 (the worker's parts, in the order of its event)
    ledger: FakeLedger, audience, queue: FakeQueue, scan_segment: int, owner: str, now=NOW
):
    return plan_segment_worker(
        "b1", scan_segment, ledger=ledger, audience=audience, enqueue=queue.enqueue, lease=lease(owner, now)
    )


def test_small_audiences_stay_one_invocation_and_a_million_fans_out_to_twenty_workers() -> None:
    assert scan_segments_for(0) == scan_segments_for(6_000) == scan_segments_for(RESIDENTS_PER_SEGMENT) == 1
    assert scan_segments_for(RESIDENTS_PER_SEGMENT + 1) == 2
    assert scan_segments_for(1_000_000) == 20
    assert scan_segments_for(10**9) == 32


def test_given_several_segments_then_the_planner_starts_one_worker_each_and_plans_nothing_itself() -> None:
    audience, ledger, queue = population(3000), FakeLedger(), FakeQueue()
    report, started = start(ledger, audience, queue, scan_segments=4)
    assert started == [0, 1, 2, 3]
    assert queue.batches == []
    assert not report.planning_complete


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 3000),
    st.integers(2, 6),
    st.integers(0, 10_000),
    st.integers(0, 10),
    st.booleans(),
    st.booleans(),
    st.integers(0, 3),
)
def test_given_workers_crashing_in_any_order_when_retried_then_nobody_gets_it_twice_and_the_tail_is_cut_once(  # noqa: PLR0917 (hypothesis draws)
    size: int,
    scan_segments: int,
    seed: int,
    crash_after: int,
    once_sent: bool,
    hard_kills: bool,
    duplicates: int,
) -> None:
    # Given a planner that fanned the broadcast out, and workers that die (killed or failing) mid-way
    audience, ledger = population(size, seed=size), FakeLedger(hard_kills=hard_kills)
    queue = FakeQueue(crash_after=crash_after, crash_once_sent=once_sent)
    _, started = start(ledger, audience, queue, scan_segments)
    rng = random.Random(seed)
    # Lambda runs them in any order, retries a failed one with the same event and request id, and
    # now and then starts a segment twice (a second invocation of the planner, another request id)
    runs = [(segment, f"worker-{segment}") for segment in started]
    runs += [(rng.choice(started), f"duplicate-{n}") for n in range(duplicates)]
    attempts = 0
    while runs and attempts < 200:
        attempts += 1
        segment, owner = runs.pop(rng.randrange(len(runs)))
        try:
            run_worker(ledger, audience, queue, segment, owner)
        except Crash:
            runs.append((segment, owner))
            queue.crash_after = len(queue.batches) + rng.randint(0, 3) if rng.random() < 0.3 else None
    # Then planning is complete, with ⌈N/500⌉ batch numbers, copies of a number holding the same residents
    assert not runs
    report = ledger.report("b1")
    assert report.planning_complete
    members: dict[int, list[str]] = {}
    for batch in queue.batches:
        assert members.setdefault(batch.batch_number, batch.user_ids) == batch.user_ids
    assert len(members) == math.ceil(size / 500) == report.batches_planned
    assert sorted(len(ids) for ids in members.values())[1:] == [500] * (len(members) - 1)
    assert set(assert_each_recipient_in_one_batch_number(queue)) == set(audience.residents)
    assert report.audience_size == size


def test_given_a_worker_killed_holding_its_lease_then_a_second_start_leaves_it_and_its_retry_resumes() -> (
    None
):
    # Given worker 1 killed by Lambda mid-segment: its lease stays
    audience, ledger = population(4000), FakeLedger(hard_kills=True)
    queue = FakeQueue(crash_after=1)
    start(ledger, audience, queue, scan_segments=2)
    with contextlib.suppress(Crash):
        run_worker(ledger, audience, queue, 1, "worker-1")
    # When the segment is started again under another request id while the lease holds
    assert run_worker(ledger, audience, queue, 1, "planner-again") is None
    # Then it enqueued nothing; and Lambda's retry (same request id) and worker 0 finish the broadcast
    assert [b.batch_number for b in queue.batches] == [1]  # the batch in flight when it was killed
    run_worker(ledger, audience, queue, 1, "worker-1")
    run_worker(ledger, audience, queue, 0, "worker-0")
    assert ledger.report("b1").planning_complete
    assert set(assert_each_recipient_in_one_batch_number(queue)) == set(audience.residents)


def test_given_a_lease_left_by_a_killed_worker_when_it_expires_then_anyone_resumes_the_segment() -> None:
    audience, ledger = population(2500), FakeLedger(hard_kills=True)
    queue = FakeQueue(crash_after=1, crash_once_sent=True)  # worker 0 dies after its second batch left
    start(ledger, audience, queue, scan_segments=2)
    with contextlib.suppress(Crash):
        run_worker(ledger, audience, queue, 0, "worker-0")
    run_worker(ledger, audience, queue, 1, "worker-1")
    assert not ledger.report("b1").planning_complete
    # When the planner is invoked again after the lease ran out, and its worker runs
    later = NOW + timedelta(minutes=20)
    _, restarted = start(ledger, audience, queue, scan_segments=2, owner="planner-2")
    assert restarted == [0]  # only the segment not done
    run_worker(ledger, audience, queue, 0, "worker-0-again", now=later)
    # Then everyone is in one batch number and the tail was cut
    assert ledger.report("b1").planning_complete
    assert set(assert_each_recipient_in_one_batch_number(queue)) == set(audience.residents)


def test_given_every_segment_done_but_the_tail_when_the_planner_is_invoked_again_then_it_cuts_the_tail() -> (
    None
):
    audience, ledger = population(1800), FakeLedger()
    queue = FakeQueue()
    start(ledger, audience, queue, scan_segments=3)
    for segment in range(3):
        run_worker(ledger, audience, queue, segment, f"worker-{segment}")
    assert ledger.report("b1").planning_complete
    # a worker's Lambda retry after completion enqueues nothing
    before = len(queue.batches)
    assert run_worker(ledger, audience, queue, 2, "worker-2-retry") is None
    assert len(queue.batches) == before
