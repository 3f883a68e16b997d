"""Counts work in progress (requests, batches, invocations) so the stack can tell when it is idle."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ActivityTracker:
    def __init__(self) -> None:
        self._count = 0
        self._condition = threading.Condition()

    def enter(self) -> None:
        with self._condition:
            self._count += 1

    def exit(self) -> None:
        with self._condition:
            self._count -= 1
            self._condition.notify_all()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.exit()

    @property
    def busy(self) -> bool:
        with self._condition:
            return self._count > 0

    def wait_until_quiet(self, timeout: float) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self._count == 0, timeout=timeout)
