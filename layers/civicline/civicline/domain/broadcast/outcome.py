"""What LINE's answer to a multicast means for the batch, and how long to wait before trying again."""

from __future__ import annotations

import random
from enum import StrEnum


class SendOutcome(StrEnum):
    DELIVERED = "delivered"  # 200
    ALREADY_ACCEPTED = "already_accepted"  # 409: an earlier attempt with this retry key was accepted
    RATE_LIMITED = "rate_limited"  # 429: back off, same key
    RETRYABLE = "retryable"  # 5xx or no answer (timeout, dropped connection): same key again
    REJECTED = "rejected"  # any other 4xx: retrying cannot help

    @property
    def delivered(self) -> bool:
        return self in (SendOutcome.DELIVERED, SendOutcome.ALREADY_ACCEPTED)

    @property
    def worth_retrying(self) -> bool:
        return self in (SendOutcome.RATE_LIMITED, SendOutcome.RETRYABLE)


def classify(status: int | None) -> SendOutcome:
    """`status` is LINE's HTTP status, or None when no answer came back."""
    if status is None or status >= 500:
        return SendOutcome.RETRYABLE
    if 200 <= status < 300:
        return SendOutcome.DELIVERED
    if status == 409:
        return SendOutcome.ALREADY_ACCEPTED
    if status == 429:
        return SendOutcome.RATE_LIMITED
    return SendOutcome.REJECTED


def backoff_seconds(
    attempt: int, base: float = 0.2, cap: float = 5.0, rng: random.Random | None = None
) -> float:
    """Full-jitter exponential backoff (attempt 1, 2, ...): senders that met the same 429 spread out."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return (rng or random).uniform(0, ceiling)
