"""Sending one batch: one multicast, retried with the same key until LINE decides.

Retries inside one invocation cover short trouble (a 429 burst, a 5xx, a dropped connection). When they
run out the batch goes back to SQS (BatchNotYetSent) and comes again later with the same retry key;
after the queue's maxReceiveCount it rests in the dead-letter queue for staff to look at.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from civicline.domain.broadcast.errors import BatchNotYetSent
from civicline.domain.broadcast.outcome import SendOutcome, backoff_seconds, classify
from civicline.domain.broadcast.retry_key import retry_key
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.message import BroadcastMessage

MAX_ATTEMPTS_PER_INVOCATION = 6
# The longest one attempt can take: a rate-limit slot (DynamoSendSlots waits ≤ 20 s), LINE's connect
# and read timeouts (13 s) and a backoff. With less time left the batch goes back to SQS unsent
# rather than being cut off by the Lambda timeout mid-call (which would count nothing).
SECONDS_PER_ATTEMPT = 40.0


@dataclass(frozen=True)
class LineAnswer:
    status: int | None  # None: no answer (timeout, connection dropped)
    error: str = ""  # LINE's message and details on failure


class Multicast(Protocol):
    def __call__(
        self, user_ids: Sequence[str], messages: Sequence[BroadcastMessage], retry_key: str
    ) -> LineAnswer: ...


class SendSlots(Protocol):
    def acquire(self) -> None:
        """Block until the channel may take one more multicast (raises if that takes too long)."""
        ...


@dataclass(frozen=True)
class BatchResult:
    outcome: SendOutcome
    retries: int
    status: int | None
    error: str = ""
    rate_limited: int = 0  # 429 answers on the way (each one retried)


def send_batch(
    batch: BroadcastBatch,
    messages: Sequence[BroadcastMessage],
    multicast: Multicast,
    slots: SendSlots,
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_attempts: int = MAX_ATTEMPTS_PER_INVOCATION,
    seconds_left: Callable[[], float] = lambda: float("inf"),
) -> BatchResult:
    key = retry_key(batch.broadcast_id, batch.batch_number)
    rate_limited = 0
    for attempt in range(1, max_attempts + 1):
        if seconds_left() < SECONDS_PER_ATTEMPT:
            raise BatchNotYetSent(batch.broadcast_id, batch.batch_number, attempt - 1, rate_limited)
        slots.acquire()
        answer = multicast(batch.user_ids, messages, key)
        outcome = classify(answer.status)
        if not outcome.worth_retrying:
            return BatchResult(outcome, attempt - 1, answer.status, answer.error, rate_limited)
        rate_limited += outcome is SendOutcome.RATE_LIMITED
        if attempt < max_attempts:
            sleep(backoff_seconds(attempt))
    raise BatchNotYetSent(batch.broadcast_id, batch.batch_number, max_attempts, rate_limited)
