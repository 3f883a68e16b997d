"""Errors of the broadcast flow. Messages carry ids and counts only."""

from __future__ import annotations

from civicline.domain.errors import CivicLineError, RetryableError


class BroadcastError(CivicLineError):
    """Base of every broadcast error the adapters and the domain raise."""


class BroadcastNotFound(BroadcastError):
    pass


class BroadcastIdConflict(BroadcastError):
    """The id is already used by a broadcast with a different request."""


class PlanningInProgress(RetryableError, BroadcastError):
    """Another planner holds this broadcast's lease (a concurrent or very recent invocation)."""


class LeaseLost(BroadcastError):
    """This planner's lease was taken over; it must stop enqueueing at once."""


class PlanExpired(BroadcastError):
    """An unfinished plan left past its retry window: its checkpoints may be gone, so it is not resumed."""


class NotYetDue(BroadcastError):
    """A request with a future send time reached the planner directly instead of through its schedule."""


class NotCancellable(BroadcastError):
    """Only a broadcast still waiting for its schedule can be cancelled (this one started or ended)."""


class BatchNotYetSent(RetryableError, BroadcastError):
    """LINE kept answering 429/5xx or nothing: the batch goes back to the queue (same retry key)."""

    def __init__(self, broadcast_id: str, batch_number: int, retries: int, rate_limited: int = 0) -> None:
        super().__init__(f"batch {broadcast_id}#{batch_number} not sent after {retries} retries")
        self.retries = retries
        self.rate_limited = rate_limited  # of which LINE answered 429


class RateLimitWaitExceeded(RetryableError, BroadcastError):
    """No multicast slot became free within the wait allowed."""


class SchedulingUnavailable(RetryableError, BroadcastError):
    """EventBridge Scheduler could not take the schedule now: invoking the planner again is safe."""


class WorkersUnavailable(RetryableError, BroadcastError):
    """Lambda did not take a planning worker's invocation: invoking the planner again is safe."""
