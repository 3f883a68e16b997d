"""Injected failures, per endpoint: LINE saying 429 or 500, or accepting a request and losing the answer.

Configuration (Python dict or `POST /_sim/faults` JSON)::

    {"seed": 7,
     "endpoints": {"multicast": {"rate_limited": 0.05, "server_error": 0.02, "accepted_then_dropped": 0.01}},
     "next": {"multicast": ["accepted_then_dropped", "server_error"]}}

`endpoints` holds probabilities drawn from one seeded generator (deterministic for a given request order);
endpoint `"*"` applies to endpoints not named. An endpoint's probabilities may also sit at the top level
(`{"seed": 7, "multicast": {...}}`). `next` holds faults forced on the next requests of an endpoint, in
order, before any draw. Endpoint names are those of the rate limits (server.FakeLine).
"""

from __future__ import annotations

import random
import threading
from collections import deque
from enum import StrEnum
from typing import Any


class Fault(StrEnum):
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    ACCEPTED_THEN_DROPPED = "accepted_then_dropped"


class FaultConfigError(ValueError):
    """A fault configuration that cannot be applied."""


class FaultPlan:
    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._probabilities: dict[str, dict[Fault, float]] = {}
        self._forced: dict[str, deque[Fault]] = {}
        self._random = random.Random(0)
        self._config: dict[str, Any] = {}
        self.configure(config)

    def configure(self, config: dict[str, Any] | None) -> None:
        """Replace the whole plan (None or {} means no faults)."""
        config = config or {}
        if not isinstance(config, dict):
            raise FaultConfigError("the fault configuration must be an object")
        top_level = {k: v for k, v in config.items() if k not in ("seed", "endpoints", "next")}
        probabilities = {
            endpoint: self._parse_probabilities(endpoint, values)
            for endpoint, values in {**top_level, **(config.get("endpoints") or {})}.items()
        }
        forced = {
            endpoint: deque(self._parse_fault(name) for name in names)
            for endpoint, names in (config.get("next") or {}).items()
        }
        with self._lock:
            self._probabilities = probabilities
            self._forced = forced
            self._random = random.Random(config.get("seed", 0))
            self._config = config

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self._config.get("seed", 0),
                "endpoints": {e: {str(f): p for f, p in ps.items()} for e, ps in self._probabilities.items()},
                "next": {e: [str(f) for f in queue] for e, queue in self._forced.items() if queue},
            }

    def draw(self, endpoint: str) -> Fault | None:
        """The fault to apply to this request, if any (one draw per request).

        ACCEPTED_THEN_DROPPED only takes effect if the request is then accepted.
        """
        with self._lock:
            queue = self._forced.get(endpoint)
            if queue:
                return queue.popleft()
            probabilities = self._probabilities.get(endpoint) or self._probabilities.get("*")
            if not probabilities:
                return None
            roll = self._random.random()
            threshold = 0.0
            for fault in Fault:
                threshold += probabilities.get(fault, 0.0)
                if roll < threshold:
                    return fault
            return None

    @classmethod
    def _parse_probabilities(cls, endpoint: str, values: Any) -> dict[Fault, float]:
        if not isinstance(values, dict):
            raise FaultConfigError(f"faults for {endpoint} must be an object")
        parsed = {cls._parse_fault(name): float(p) for name, p in values.items()}
        if any(not 0.0 <= p <= 1.0 for p in parsed.values()) or sum(parsed.values()) > 1.0:
            raise FaultConfigError(f"fault probabilities for {endpoint} must be within 0..1 in total")
        return parsed

    @staticmethod
    def _parse_fault(name: Any) -> Fault:
        try:
            return Fault(name)
        except ValueError as error:
            raise FaultConfigError(f"unknown fault {name!r}") from error
