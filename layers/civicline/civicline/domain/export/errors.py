"""What can stop an export (adapters raise these, never ClientError)."""

from __future__ import annotations

from civicline.domain.errors import CivicLineError, RetryableError


class ExportError(CivicLineError):
    """Base of the export's refusals."""


class UnknownForm(ExportError):
    """The request names a form that is not in the catalogue (or cannot be exported this way)."""


class ExportInProgress(RetryableError, ExportError):
    """Another export of the same form holds the watermark: this one stops before reading anything."""


class WatermarkMoved(ExportError):
    """The watermark is no longer the one this export claimed from: it publishes nothing."""


class ExportStoreFailed(RetryableError, ExportError):
    """The export file could not be written or the link signed (S3 unreachable, refused)."""


class ExportNotFound(ExportError):
    """No such export of the form, or its file has expired (re-export the period instead)."""
