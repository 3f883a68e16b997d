"""What the export needs from the outside world; adapters implement these, tests fake them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from civicline.domain.applications.records import ApplicationRecord
from civicline.domain.export.watermark import Watermark
from civicline.models.export import ExportResult
from civicline.models.forms import ApplicantAnswers, SurveyResponse
from civicline.models.staff import StaffIdentity


@dataclass(frozen=True, slots=True)
class StoredApplication:
    """An application as the index returned it, with what the export itself wrote on it."""

    record: ApplicationRecord
    received_key: str = field(repr=False)  # receivedAt exactly as stored (the index's sort key)
    export_id: str | None = None

    @property
    def status(self) -> str:
        return self.record.status.value


@dataclass(frozen=True, slots=True)
class Bounds:
    """`receivedAt` strings: from `lower` (None: the beginning) to `upper`, each end in or out."""

    lower: str | None
    upper: str
    lower_inclusive: bool
    upper_inclusive: bool

    def holds(self, key: str) -> bool:
        if self.lower is not None and (key < self.lower or (key == self.lower and not self.lower_inclusive)):
            return False
        return key < self.upper or (key == self.upper and self.upper_inclusive)


class ApplicationSource(Protocol):
    def pages(self, form_id: str, bounds: Bounds) -> Iterator[list[StoredApplication]]:
        """The form's applications within `bounds`, oldest first, one index page at a time."""
        ...

    def mark_exported(
        self,
        applications: Sequence[StoredApplication],
        export_id: str,
        exported_at: datetime,
        purge_at: datetime,
        reclaimable: tuple[str, ...],
    ) -> set[str]:
        """Mark each application exported (if still `received`, or marked by a `reclaimable` export),
        set its TTL and remove its intake guard. Returns the ids marked by this call."""
        ...


class SurveySource(Protocol):
    def survey_responses(self, form_id: str, bounds: Bounds | None) -> Iterator[SurveyResponse]:
        """The survey's responses (within `bounds` if given), oldest first."""
        ...


class PiiOpener(Protocol):
    def open(self, ciphertext: str, application_id: str, form_id: str) -> ApplicantAnswers:
        """The applicant's answers; raises PiiUnreadable or PiiUnavailable."""
        ...


class ExportFiles(Protocol):
    def upload(self, key: str, chunks: Iterable[bytes], content_type: str) -> int:
        """Stream the chunks into one object (SSE-KMS); returns its size in bytes."""
        ...

    def presign(self, key: str, *, download_name: str, ascii_name: str, expiry_seconds: int) -> str:
        """A GET link to the object that downloads under `download_name`."""
        ...

    def exists(self, key: str) -> bool:
        """Whether the object is still there (the bucket's lifecycle deletes exports after some days)."""
        ...


class AuditLog(Protocol):
    def watermark(self, form_id: str) -> Watermark:
        """The form's watermark (consistent read); version 0 when there was no export yet."""
        ...

    def replace_watermark(self, new: Watermark, expected_version: int) -> None:
        """Write `new` if the stored version is still `expected_version`, else raise WatermarkMoved."""
        ...

    def commit(self, new: Watermark, expected_version: int, result: ExportResult) -> None:
        """Advance the watermark and record the export in one transaction (WatermarkMoved: neither)."""
        ...

    def record(self, result: ExportResult) -> None:
        """Record an export that does not move a watermark (range re-export, survey counts)."""
        ...

    def record_link(self, result: ExportResult) -> None:
        """Record a new link issued to an earlier export's file."""
        ...

    def find(self, form_id: str, export_id: str) -> ExportResult | None:
        """The audit record of an export."""
        ...


class StaffNotifier(Protocol):
    def export_ready(self, result: ExportResult) -> None:
        """Tell staff a scheduled export is ready (count, how to get the link)."""
        ...


@dataclass(frozen=True, slots=True)
class ExportPorts:
    applications: ApplicationSource
    surveys: SurveySource
    pii: PiiOpener
    files: ExportFiles
    audit: AuditLog
    notifier: StaffNotifier


@dataclass(frozen=True, slots=True)
class Invocation:
    """This run: its ids, its clock, until when it may hold the watermark (its Lambda's deadline), and
    who asked when that is known for certain (a consumed export grant: civicline.models.export_grant)."""

    export_id: str
    invocation_id: str
    now: datetime
    lease_until: datetime
    staff: StaffIdentity | None = None
    reason: str | None = None
