"""How a pydantic ValidationError is told: by field names only.

A ValidationError's own text quotes the input (a resident's answers, a secret's characters), so it
must never reach a log, a trace, an exception message or an answer. Staff get the field paths and
pydantic's message for each (which names the rule, not the value).
"""

from __future__ import annotations

from pydantic import ValidationError

MAX_DETAILS = 10


def field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(root)"


def invalid_fields(error: ValidationError, limit: int = MAX_DETAILS) -> list[str]:
    """The sorted, distinct paths of the fields that failed (no values)."""
    return sorted({field_path(tuple(e["loc"])) for e in error.errors()})[:limit]


def validation_details(error: ValidationError, limit: int = MAX_DETAILS) -> list[dict[str, str]]:
    """`[{"field", "message"}]` for staff: what to correct, without echoing what was sent."""
    details = [
        {"field": field_path(tuple(e["loc"])), "message": str(e["msg"])}
        for e in error.errors(include_input=False, include_url=False)
    ]
    return details[:limit]
