"""Sending one batch: which LINE answers are retried, with which key, and when the batch goes back to SQS."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from civicline.domain.broadcast.errors import BatchNotYetSent
from civicline.domain.broadcast.outcome import SendOutcome
from civicline.domain.broadcast.retry_key import retry_key
from civicline.domain.broadcast.sender import LineAnswer, send_batch
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.message import BroadcastMessage, TextMessage

BATCH = BroadcastBatch(broadcast_id="b1", batch_number=3, user_ids=[f"U{i:032x}" for i in range(500)])
MESSAGES = [TextMessage(text="防災訓練のお知らせ")]


class ScriptedLine:
    def __init__(self, *statuses: int | None) -> None:
        self._statuses = list(statuses)
        self.keys: list[str] = []

    def __call__(
        self, user_ids: Sequence[str], messages: Sequence[BroadcastMessage], retry_key: str
    ) -> LineAnswer:
        self.keys.append(retry_key)
        status = self._statuses.pop(0)
        return LineAnswer(status, "" if status in (200, None) else f"error {status}")


class CountingSlots:
    taken = 0

    def acquire(self) -> None:
        self.taken += 1


def send(line: ScriptedLine, slots: CountingSlots | None = None):
    return send_batch(BATCH, MESSAGES, line, slots or CountingSlots(), sleep=lambda _: None)


@pytest.mark.parametrize(
    ("statuses", "outcome", "retries"),
    [
        ((200,), SendOutcome.DELIVERED, 0),
        ((429, 429, 200), SendOutcome.DELIVERED, 2),
        ((500, None, 200), SendOutcome.DELIVERED, 2),
        ((None, 409), SendOutcome.ALREADY_ACCEPTED, 1),  # accepted, answer lost, repeat settles it
        ((400,), SendOutcome.REJECTED, 0),
        ((503, 403), SendOutcome.REJECTED, 1),
    ],
)
def test_given_lines_answers_then_the_batch_settles_with_the_same_key_each_time(
    statuses: tuple[int | None, ...], outcome: SendOutcome, retries: int
) -> None:
    line, slots = ScriptedLine(*statuses), CountingSlots()
    result = send(line, slots)
    assert result.outcome is outcome
    assert result.retries == retries
    assert set(line.keys) == {retry_key("b1", 3)}
    assert slots.taken == len(statuses)  # every attempt, retries included, takes a rate-limit slot


def test_given_a_rejection_then_lines_error_details_are_kept() -> None:
    result = send(ScriptedLine(400))
    assert result.status == 400
    assert result.error == "error 400"


def test_given_line_keeps_failing_then_the_batch_goes_back_to_the_queue() -> None:
    line = ScriptedLine(*([429, 500, None] * 2))
    with pytest.raises(BatchNotYetSent) as raised:
        send(line)
    assert raised.value.retries == 6
    assert len(line.keys) == 6


def test_given_too_little_time_left_for_another_attempt_then_the_batch_goes_back_unsent() -> None:
    # Given a sender whose invocation has time for one attempt only
    line = ScriptedLine(500, 200)
    clock = iter([60.0, 20.0])
    # When LINE fails the first attempt
    with pytest.raises(BatchNotYetSent) as raised:
        send_batch(
            BATCH, MESSAGES, line, CountingSlots(), sleep=lambda _: None, seconds_left=lambda: next(clock)
        )
    # Then it is not tried again in this invocation: SQS brings it back with the same key later
    assert raised.value.retries == 1
    assert line.keys == [retry_key("b1", 3)]
