"""LINE's failures as domain errors: 429, 5xx and timeouts may pass later, any other 4xx never will."""

from __future__ import annotations

import json

import urllib3
from linebot.v3.messaging.exceptions import ApiException

from civicline.domain.errors import CivicLineError, LineRejected, LineUnavailable

TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, OSError)


def error_message(error: ApiException) -> str:
    """LINE's own message in an error answer (never our content), or ""."""
    try:
        return str(json.loads(error.body or "{}").get("message", ""))
    except (ValueError, AttributeError):
        return ""


def line_failure(error: ApiException, operation: str) -> CivicLineError:
    """The domain error for a LINE error answer: status and LINE's message, never our content."""
    status = error.status or 0
    detail = f"{operation}: HTTP {status} {error_message(error)[:120]}".strip()
    if status == 429 or status >= 500:
        return LineUnavailable(detail)
    return LineRejected(detail)
