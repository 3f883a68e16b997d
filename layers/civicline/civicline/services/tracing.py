"""X-Ray for the functions that trace: what is patched, and what an exception may tell it.

Patched, decided: botocore only (boto3's calls go through it). Powertools' `Tracer()` patches every
module X-Ray supports, httplib included, and line-bot-sdk speaks HTTP through urllib3 → http.client:
each LINE call would be a subsegment with its URL, and `/v2/bot/profile/{userId}` names the resident.
botocore's subsegments carry the operation and X-Ray's own whitelist of parameters (table and queue
names), never items or message bodies.

Exceptions, decided: the X-Ray SDK records `str(exception)` of whatever leaves a traced function,
whatever POWERTOOLS_TRACER_CAPTURE_ERROR says (that switch only governs the extra metadata). Domain
errors (CivicLineError) carry ids and error codes only; anything else (a library's error can quote its
input: pydantic, json, the Encryption SDK) leaves a traced function as `UnexpectedError` named by its
type, after its frames (files and lines, no values) are logged. The batch processor then fails the
record exactly as before.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from functools import wraps

from aws_lambda_powertools import Logger, Tracer

from civicline.domain.errors import CivicLineError

PATCHED_MODULES = ("botocore",)


class UnexpectedError(Exception):
    """A non-domain error, renamed for traces and logs: its type only, never its message."""


def tracer() -> Tracer:
    return Tracer(patch_modules=PATCHED_MODULES)


def ids_only[**P, R](logger: Logger) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let domain errors through as they are; replace any other by UnexpectedError(type name)."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except CivicLineError:
                raise
            except Exception as error:
                name = type(error).__name__
                logger.error("unexpected error", extra={"error_type": name, "frames": _frames(error)})
                raise UnexpectedError(name) from None

        return call

    return decorate


def _frames(error: BaseException) -> list[str]:
    return [
        f"{frame.filename}:{frame.lineno} {frame.name}" for frame in traceback.extract_tb(error.__traceback__)
    ]
