"""What the applications store reports besides success (adapters raise these, never ClientError)."""

from __future__ import annotations

from civicline.domain.errors import CivicLineError, RetryableError


class AlreadyStored(CivicLineError):
    """An application with this submission id is already stored (a retry after a crash)."""


class PendingGuardTaken(CivicLineError):
    """Another application took the resident's guard for this form and kind first."""


class MalformedSubmission(CivicLineError):
    """A queue message that is neither an Application nor a SurveyResponse (field paths only, no values)."""


class PiiError(CivicLineError):
    """An applicant's sealed answers could not be sealed or opened (civicline.adapters.pii)."""


class PiiUnavailable(RetryableError, PiiError):
    """KMS could not be reached or refused for now: the record (or the export) should be tried again."""


class PiiUnreadable(PiiError):
    """A ciphertext does not open with this key and binding (tampered, moved, another key or form):
    the export skips the application and names it; trying again cannot help."""
