"""Batches of ≤ 500, retry keys, and LINE answers."""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.domain.broadcast.batching import batch_number, batched
from civicline.domain.broadcast.outcome import SendOutcome, backoff_seconds, classify
from civicline.domain.broadcast.retry_key import retry_key


@given(st.integers(0, 3000), st.integers(1, 500))
def test_given_n_ids_when_batched_then_every_id_once_in_order_and_no_batch_over_the_size(
    n: int, size: int
) -> None:
    ids = [f"U{i:032x}" for i in range(n)]
    batches = list(batched(ids, size))
    assert [i for b in batches for i in b] == ids
    assert all(1 <= len(b) <= size for b in batches)
    assert len(batches) == -(-n // size)


def test_given_an_endless_stream_when_batched_then_only_one_batch_is_drawn_at_a_time() -> None:
    drawn = itertools.count()
    stream = (f"U{next(drawn):032x}" for _ in itertools.count())
    first = next(batched(stream))
    assert len(first) == 500
    assert next(drawn) == 500  # nothing beyond the first batch was pulled


def test_given_a_size_over_lines_limit_then_batching_refuses() -> None:
    with pytest.raises(ValueError, match="500"):
        list(batched(["U" + "0" * 32], 501))


@given(st.integers(1, 64), st.integers(0, 5000))
def test_given_scan_segments_then_batch_numbers_never_collide(segments: int, index: int) -> None:
    numbers = {batch_number(index, s, segments) for s in range(segments)}
    neighbours = {batch_number(index + 1, s, segments) for s in range(segments)}
    assert len(numbers) == segments
    assert numbers.isdisjoint(neighbours)


def test_given_a_batch_then_its_retry_key_is_a_stable_uuid_of_broadcast_and_number() -> None:
    key = retry_key("b-2026-04", 7)
    assert key == retry_key("b-2026-04", 7)
    assert str(uuid.UUID(key)) == key
    assert uuid.UUID(key).version == 5
    assert key != retry_key("b-2026-04", 8)
    assert key != retry_key("b-2026-05", 7)
    # "b:1" + 2 and "b" + 12 must not collide through the separator
    assert retry_key("b:1", 2) != retry_key("b", 12)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, SendOutcome.DELIVERED),
        (409, SendOutcome.ALREADY_ACCEPTED),
        (429, SendOutcome.RATE_LIMITED),
        (500, SendOutcome.RETRYABLE),
        (503, SendOutcome.RETRYABLE),
        (None, SendOutcome.RETRYABLE),
        (400, SendOutcome.REJECTED),
        (401, SendOutcome.REJECTED),
        (403, SendOutcome.REJECTED),
        (413, SendOutcome.REJECTED),
    ],
)
def test_given_lines_answer_then_the_outcome_is_classified(status: int | None, outcome: SendOutcome) -> None:
    assert classify(status) is outcome
    assert outcome.delivered is (outcome in (SendOutcome.DELIVERED, SendOutcome.ALREADY_ACCEPTED))


@given(st.integers(1, 30))
def test_given_any_attempt_then_backoff_stays_within_its_cap(attempt: int) -> None:
    assert 0 <= backoff_seconds(attempt, base=0.2, cap=5.0) <= 5.0
