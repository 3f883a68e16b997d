"""Per-endpoint request rates as token buckets, like LINE's per-channel limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

# LINE's documented rates (requests per second). Rich menu create/delete (100/hour) and
# narrowcast/broadcast (60/hour) are left out by default: tests and demos create menus freely.
# Per-user rich menu links, single and bulk, are among LINE's "other endpoints" (2,000/s).
DEFAULT_RATES: dict[str, float] = {
    "multicast": 200.0,
    "push": 2000.0,
    "reply": 2000.0,
    "profile": 2000.0,
    "richmenu_user": 2000.0,
    "richmenu_bulk_link": 2000.0,
    "richmenu_bulk_unlink": 2000.0,
}


class TokenBucket:
    """Holds up to one second of requests (at least one) and refills continuously."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._lock = threading.Lock()

    def try_take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


class RateLimiter:
    """Buckets by endpoint name; an endpoint with no rate (or a rate of None/0) is unlimited."""

    def __init__(
        self,
        rates: Mapping[str, float | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}
        self._initial_rates = {**DEFAULT_RATES, **(rates or {})}
        self.restore()

    def restore(self) -> None:
        """Back to the rates given at construction, with full buckets."""
        with self._lock:
            self._buckets.clear()
        self.configure(self._initial_rates)

    def configure(self, rates: Mapping[str, float | None]) -> None:
        """Set (or, with None/0, remove) the rate of each endpoint named; others keep theirs."""
        with self._lock:
            for endpoint, rate in rates.items():
                if rate:
                    self._buckets[endpoint] = TokenBucket(float(rate), self._clock)
                else:
                    self._buckets.pop(endpoint, None)

    def rates(self) -> dict[str, float]:
        with self._lock:
            return {endpoint: bucket.rate for endpoint, bucket in self._buckets.items()}

    def allow(self, endpoint: str) -> bool:
        with self._lock:
            bucket = self._buckets.get(endpoint)
        return bucket is None or bucket.try_take()
