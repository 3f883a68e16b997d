"""Who may re-export a period, and how much of it: checked where the console issues a grant and again
where ExportFunction uses one (a grant written by anything else is refused all the same)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from civicline.domain.export.errors import ExportError
from civicline.models.export_grant import RANGE_MAX_DAYS, RANGE_ROLE, ExportGrant
from civicline.models.staff import StaffIdentity


class GrantRefused(ExportError):
    """The grant is unknown, already used or expired: the console asks again."""


class RangeNotAllowed(ExportError):
    """A re-export of a period without an administrator's grant, a reason, or within a year."""


class GrantStore(Protocol):
    def issue(self, grant: ExportGrant) -> None: ...

    def consume(self, grant_id: str) -> ExportGrant | None:
        """The grant, deleted in the same call (so it is used once), or None if there is none."""
        ...


def check_range(staff: StaffIdentity | None, start: date, end: date, reason: str | None) -> None:
    """Raise RangeNotAllowed unless an administrator gives a reason for at most a year (both days in)."""
    if staff is None:
        raise RangeNotAllowed("a re-export of a period is issued from the staff console (administrators)")
    if not staff.has(RANGE_ROLE):
        raise RangeNotAllowed("a re-export of a period needs the admin role")
    if not (reason or "").strip():
        raise RangeNotAllowed("a re-export of a period needs a reason")
    if end < start:
        raise RangeNotAllowed("the period ends before it starts")
    if (end - start).days + 1 > RANGE_MAX_DAYS:
        raise RangeNotAllowed(f"a re-export spans at most {RANGE_MAX_DAYS} days")
