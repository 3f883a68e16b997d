"""What the applications store reports besides success (adapters raise these, never ClientError)."""

from __future__ import annotations

from civicline.domain.errors import CivicLineError


class AlreadyStored(CivicLineError):
    """An application with this submission id is already stored (a retry after a crash)."""


class PendingGuardTaken(CivicLineError):
    """Another application took the resident's guard for this form and kind first."""


class MalformedSubmission(CivicLineError):
    """A queue message that is neither an Application nor a SurveyResponse (field paths only, no values)."""
