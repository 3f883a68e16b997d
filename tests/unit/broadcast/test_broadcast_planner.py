"""The planner: every matching resident in exactly one batch, once, even across crashes and re-invocations."""

from __future__ import annotations

import contextlib
import math
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.broadcast.broadcast_fakes import Crash, FakeAudience, FakeLedger, FakeQueue, user_id

from civicline.domain.broadcast.errors import PlanningInProgress
from civicline.domain.broadcast.planner import Lease, plan_broadcast
from civicline.domain.broadcast.preview import preview
from civicline.domain.broadcast.streams import Stream
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.resident import ReceptionSettings

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 4, 1)
AREAS = ["yotsuya", "tansu", "okubo", "outside", None]


def population(n: int, seed: int = 1) -> FakeAudience:
    rng = random.Random(seed)
    return FakeAudience(
        {
            user_id(i): ReceptionSettings(
                birth_year=rng.choice([None, *range(1930, 2010)]),
                gender=rng.choice([None, "female", "male", "other"]),
                area=rng.choice(AREAS),
                genres=rng.choice([None, frozenset({"kenko"}), frozenset({"bousai", "event"})]),
            )
            for i in range(n)
        }
    )


def request(**extra: object) -> BroadcastRequest:
    return BroadcastRequest.model_validate(
        {"broadcast_id": "b1", "messages": [{"type": "text", "text": "お知らせ"}], **extra}
    )


def lease(owner: str = "inv-1") -> Lease:
    return Lease(owner=owner, now=NOW, until=NOW + timedelta(minutes=16))


def plan(
    req: BroadcastRequest, audience: FakeAudience, ledger: FakeLedger, queue: FakeQueue, owner: str = "inv-1"
):
    return plan_broadcast(
        req,
        day=DAY,
        scan_segments=4,
        ledger=ledger,
        audience=audience,
        enqueue=queue.enqueue,
        lease=lease(owner),
    )


def assert_each_recipient_in_one_batch_number(queue: FakeQueue) -> Counter[str]:
    """Copies of the same batch number are allowed (the retry key makes them one send); a resident in two
    different batch numbers would get the message twice."""
    owner: dict[str, int] = {}
    for batch in queue.batches:
        assert len(batch.user_ids) <= 500
        for uid in batch.user_ids:
            assert owner.setdefault(uid, batch.batch_number) == batch.batch_number
    return Counter(owner)


def test_given_an_empty_segment_when_planned_then_every_active_follower_is_in_exactly_one_batch() -> None:
    audience, ledger, queue = population(2345), FakeLedger(), FakeQueue()
    report = plan(request(), audience, ledger, queue)
    recipients = assert_each_recipient_in_one_batch_number(queue)
    assert set(recipients) == set(audience.residents)
    assert report.audience_size == 2345
    assert report.batches_planned == len(queue.batches) == len({b.batch_number for b in queue.batches})
    assert report.planning_complete


def test_given_a_planned_broadcast_when_the_planner_is_invoked_again_then_nothing_is_enqueued() -> None:
    audience, ledger, queue = population(1200), FakeLedger(), FakeQueue()
    plan(request(), audience, ledger, queue)
    first = len(queue.batches)
    again = plan(request(), audience, ledger, queue, owner="inv-2")
    assert len(queue.batches) == first
    assert again.planning_complete


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 12), st.booleans(), st.integers(0, 3000), st.integers(1, 40))
def test_given_a_crash_mid_way_when_re_invoked_then_it_resumes_without_sending_anyone_twice(
    crash_after: int, once_sent: bool, size: int, churn: int
) -> None:
    # Given a planner that dies before or after enqueueing a batch, while residents follow and block
    audience, ledger = population(size, seed=size), FakeLedger()
    queue = FakeQueue(crash_after=crash_after, crash_once_sent=once_sent)
    with contextlib.suppress(Crash):
        plan(request(), audience, ledger, queue)
    before = set(audience.residents)
    rng = random.Random(churn)
    for n in range(churn):
        audience.residents[user_id(10_000 + n)] = ReceptionSettings()
        if before:
            audience.residents.pop(rng.choice(sorted(before)), None)
    # When the planner is invoked again for the same broadcast
    report = plan(request(), audience, ledger, queue, owner="inv-2")
    # Then nobody sits in two batch numbers, and everyone there throughout got a batch
    recipients = assert_each_recipient_in_one_batch_number(queue)
    stayed = before & set(audience.residents)
    assert stayed <= set(recipients)
    assert report.planning_complete
    assert report.batches_planned == len({b.batch_number for b in queue.batches})


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 4000), st.integers(1, 8))
def test_given_any_audience_when_planned_then_it_costs_exactly_the_minimum_number_of_batches(
    size: int, scan_segments: int
) -> None:
    # Given an audience spread over any number of scan segments, each ending with a partial batch
    audience, ledger, queue = population(size, seed=size), FakeLedger(), FakeQueue()
    # When planned without a crash
    report = plan_broadcast(
        request(),
        day=DAY,
        scan_segments=scan_segments,
        ledger=ledger,
        audience=audience,
        enqueue=queue.enqueue,
        lease=lease(),
    )
    # Then the segments' remainders share batches: ⌈N/500⌉ batches, all full but the last, distinct numbers
    assert len(queue.batches) == math.ceil(size / 500) == report.batches_planned
    assert len({b.batch_number for b in queue.batches}) == len(queue.batches)
    assert sorted(len(b.user_ids) for b in queue.batches)[1:] == [500] * (len(queue.batches) - 1)
    assert set(assert_each_recipient_in_one_batch_number(queue)) == set(audience.residents)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 1600), st.integers(0, 8), st.booleans(), st.integers(0, 3))
def test_given_crashes_anywhere_including_the_tail_when_resumed_then_copies_share_number_and_members(
    size: int, crash_after: int, once_sent: bool, more_crashes: int
) -> None:
    # Given a planner that dies (before or after an enqueue) several times, possibly in the tail
    audience, ledger = population(size, seed=size), FakeLedger()
    queue = FakeQueue(crash_after=crash_after, crash_once_sent=once_sent)
    for attempt in range(more_crashes + 1):
        with contextlib.suppress(Crash):
            plan(request(), audience, ledger, queue, owner=f"inv-{attempt}")
        # the next invocation dies a little further on (or not at all, if it has no more to enqueue)
        queue.crash_after = len(queue.batches) + attempt if attempt < more_crashes else None
    # When it is finally left to finish
    report = plan(request(), audience, ledger, queue, owner="inv-last")
    # Then every copy of a batch number holds the same residents, and there are ⌈N/500⌉ numbers
    members: dict[int, list[str]] = {}
    for batch in queue.batches:
        assert members.setdefault(batch.batch_number, batch.user_ids) == batch.user_ids
    assert len(members) == math.ceil(size / 500) == report.batches_planned
    assert set(assert_each_recipient_in_one_batch_number(queue)) == set(audience.residents)
    assert report.audience_size == size


def test_given_a_crash_when_the_planner_resumes_then_the_batch_in_flight_keeps_its_number_and_members() -> (
    None
):
    audience, ledger, queue = population(2000), FakeLedger(), FakeQueue(crash_after=2)
    with pytest.raises(Crash):
        plan(request(), audience, ledger, queue)
    plan(request(), audience, ledger, queue, owner="inv-2")
    numbers = Counter(b.batch_number for b in queue.batches)
    assert all(count == 1 for count in numbers.values())  # the crash hit before the send: no copy at all
    assert sum(len(b.user_ids) for b in queue.batches) == 2000


def test_given_another_planner_holds_the_lease_then_a_second_one_refuses() -> None:
    audience, ledger = population(10), FakeLedger()
    ledger.create("b1", request(), "2026-04-01", 4, NOW)
    ledger.acquire_stream("b1", Stream(0), "inv-1", NOW, NOW)
    with pytest.raises(PlanningInProgress):
        plan(request(), audience, ledger, FakeQueue(), owner="inv-2")


def test_given_test_user_ids_then_only_they_receive_it_in_one_batch() -> None:
    staff = [user_id(900_001), user_id(900_002)]
    audience, ledger, queue = population(50), FakeLedger(), FakeQueue()
    report = plan(request(test_user_ids=staff), audience, ledger, queue)
    assert [b.user_ids for b in queue.batches] == [staff]
    assert report.audience_size == 2


def test_given_a_segment_when_previewed_then_counts_by_area_add_up_and_nothing_is_enqueued() -> None:
    audience = population(3000)
    req = request(segment={"areas": {"any_of": ["yotsuya", "tansu"], "include_unanswered": True}})
    result = preview(audience, req.segment, 2026, "2026-04-01", scan_segments=4)
    assert set(result.by_area) <= {"yotsuya", "tansu", "unanswered"}
    expected = sum(1 for s in audience.residents.values() if s.area in ("yotsuya", "tansu", None))
    assert result.audience_size == sum(result.by_area.values()) == expected
