"""Why the staff console refused a request: a kind the HTTP layer turns into a status, and a Japanese
message staff can act on (never a value from the request or a table).

Its own module because every console service raises it (broadcasts, the rich menu) and
functions/staff_api answers it, whichever service refused.
"""

from __future__ import annotations

from enum import StrEnum

from civicline.domain.errors import CivicLineError


class Refusal(StrEnum):
    INVALID = "invalid"  # 400
    NOT_FOUND = "not_found"  # 404
    CONFLICT = "conflict"  # 409
    UNAVAILABLE = "unavailable"  # 503


class StaffRequestRefused(CivicLineError):
    def __init__(self, kind: Refusal, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details or []
