"""The channel's multicast rate, shared by every concurrent sender (windows counted in Broadcasts)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.domain.broadcast.errors import RateLimitWaitExceeded

MIN_SLOTS_PER_WINDOW = 4
MAX_WINDOW_SECONDS = 0.5


class DynamoSendSlots:
    """The channel's multicast rate, shared by every concurrent sender, as counters in Broadcasts.

    Time is cut into windows, each allowing rate × window multicasts; a sender takes a slot with one
    conditional ADD on the window's item (`ratelimit#multicast#<window>`, expiring after a minute
    through `expiresAt`) and, if the window is full, sleeps until the next one. Windows of at most half
    a second never exceed a token bucket holding one second of requests (LINE's and the fake LINE's
    model: in any span T at most rate × (T + 2 × window) calls), so the limit is kept however many
    senders run, with no 429 of our own making. A window holds at least a few slots (0.1 s at
    200/s, longer at low rates): with one slot per window every sender but one would fail and retry
    at each window's start, costing a write per sender per window.
    """

    KEY_PREFIX = "ratelimit#multicast#"

    def __init__(
        self,
        table: Any,
        rate_per_second: float,
        *,
        window_seconds: float = 0.1,
        max_wait_seconds: float = 20.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._table = table  # the Broadcasts table (resource)
        wanted = max(MIN_SLOTS_PER_WINDOW, int(rate_per_second * window_seconds))
        self.slots_per_window = max(1, min(wanted, int(rate_per_second * MAX_WINDOW_SECONDS)))
        self.window_seconds = self.slots_per_window / rate_per_second
        self._max_wait = max_wait_seconds
        self._clock = clock
        self._sleep = sleep

    def _take(self, window: int) -> bool:
        try:
            self._table.update_item(
                Key={"broadcastId": f"{self.KEY_PREFIX}{window}"},
                UpdateExpression="ADD grants :one SET expiresAt = :expires",
                ConditionExpression="attribute_not_exists(grants) OR grants < :slots",
                ExpressionAttributeValues={
                    ":one": 1,
                    ":slots": self.slots_per_window,
                    ":expires": int((window + 1) * self.window_seconds) + 60,
                },
            )
        except (ClientError, BotoCoreError) as error:
            if is_condition_failure(error):
                return False
            raise unavailable(error, "Broadcasts.update_item") from error
        return True

    def acquire(self) -> None:
        deadline = self._clock() + self._max_wait
        # Bounded: each failed try sleeps to the next window, so the loop ends by the deadline.
        for _ in range(int(self._max_wait / self.window_seconds) + 2):
            now = self._clock()
            window = int(now // self.window_seconds)
            if self._take(window):
                return
            if now >= deadline:
                break
            self._sleep(max(0.0, (window + 1) * self.window_seconds - self._clock()) + 0.001)
        raise RateLimitWaitExceeded(f"no multicast slot within {self._max_wait:.0f} s")
