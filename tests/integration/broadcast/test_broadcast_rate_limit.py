"""The senders' shared multicast limiter (windows counted in Broadcasts) never outruns LINE's limit."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from tests.integration.broadcast.broadcast_stack import BroadcastStack

from civicline.adapters.dynamodb.send_slots import DynamoSendSlots
from devstack.fake_line.ratelimit import TokenBucket


def broadcasts(stack: BroadcastStack) -> Any:
    return boto3.resource("dynamodb").Table(stack.broadcasts_table)


class FakeClock:
    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize("rate", [1.0, 3.0, 15.0, 40.0, 200.0])
def test_given_any_rate_when_senders_take_slots_back_to_back_then_lines_token_bucket_never_refuses(
    stack: BroadcastStack, rate: float
) -> None:
    # Given the limiter and LINE's model of the limit (a bucket holding one second), on one clock
    clock = FakeClock()
    slots = DynamoSendSlots(broadcasts(stack), rate, clock=clock, sleep=clock.sleep)
    line = TokenBucket(rate, clock)
    # Then windows are at most half a second and hold a few slots where the rate allows
    assert slots.window_seconds <= 0.5 or slots.slots_per_window == 1
    assert slots.slots_per_window >= min(4, int(rate * 0.5))
    # When calls are made as fast as the limiter grants slots, for three seconds' worth of calls
    granted = 0
    for _ in range(int(rate * 3) + 2):
        slots.acquire()
        granted += 1
        # Then LINE accepts every one of them
        assert line.try_take(), f"call {granted} at {rate}/s refused"
    # And the limiter did not hold calls back much below the rate either
    elapsed = clock.now - 1_790_000_000.0
    assert granted <= rate * (elapsed + 2 * slots.window_seconds) + 1
    assert granted >= rate * elapsed * 0.9


def test_given_a_full_window_then_the_next_slot_waits_for_the_next_window(stack: BroadcastStack) -> None:
    clock = FakeClock()
    slots = DynamoSendSlots(broadcasts(stack), 15.0, clock=clock, sleep=clock.sleep)
    for _ in range(slots.slots_per_window):
        slots.acquire()
    assert clock.now == 1_790_000_000.0  # a window's slots are granted at once
    slots.acquire()
    assert clock.now >= 1_790_000_000.0 + slots.window_seconds * 0.99
