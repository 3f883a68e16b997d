"""How an AWS error becomes a domain error: one place that reads botocore's error shapes.

Adapters call these in their `except (ClientError, BotoCoreError)` blocks; nothing above the adapters
ever sees a `ClientError`. The domain error carries the operation and AWS's error code only, never
the request or item content (which can hold personal data).
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from civicline.domain.errors import CivicLineError

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELLED = "TransactionCanceledException"
NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def error_code(error: ClientError | BotoCoreError) -> str:
    """AWS's error code of a `ClientError`; the class name of a transport-level `BotoCoreError`."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "?"))
    return type(error).__name__


def has_code(error: ClientError | BotoCoreError, *codes: str) -> bool:
    return isinstance(error, ClientError) and error_code(error) in codes


def is_condition_failure(error: ClientError | BotoCoreError) -> bool:
    return has_code(error, CONDITION_FAILED)


def is_transaction_cancelled(error: ClientError | BotoCoreError) -> bool:
    return has_code(error, TRANSACTION_CANCELLED)


def is_not_found(error: ClientError | BotoCoreError) -> bool:
    return isinstance(error, ClientError) and error_code(error) in NOT_FOUND_CODES


def domain_error[E: CivicLineError](error: ClientError | BotoCoreError, operation: str, kind: type[E]) -> E:
    """`kind` for a failed call: the operation and the error code, no content."""
    return kind(f"{operation} failed: {error_code(error)}")


def cancellation_codes(error: ClientError) -> list[str]:
    """A cancelled transaction's reason codes, one per action (`"None"` for the actions that passed)."""
    return [str(reason.get("Code", "")) for reason in error.response.get("CancellationReasons") or []]
