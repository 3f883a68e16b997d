"""Domain errors: what adapters raise instead of provider exceptions (ClientError, ApiException)."""

from __future__ import annotations


class CivicLineError(Exception):
    """Base of every error the domain knows about."""


class RetryableError(CivicLineError):
    """A dependency failed in a way that may pass: the event should be tried again."""


class EnqueueFailed(RetryableError):
    """Some messages could not be put on a queue."""


class LineUnavailable(RetryableError):
    """LINE answered 429 or 5xx, or did not answer in time: the same call may pass later."""


class LineRejected(CivicLineError):
    """LINE refused a request for good (a 4xx other than 429): sending it again cannot help."""


class StoreUnavailable(RetryableError):
    """A table could not be read or written (throttled, unreachable): the event should be tried again."""
