"""In-memory stand-ins for the export's ports: a table of applications, an audit log, a bucket, a topic."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from civicline.domain.applications.errors import PiiUnreadable
from civicline.domain.applications.records import ApplicationRecord, ApplicationStatus
from civicline.domain.export.errors import ExportStoreFailed, WatermarkMoved
from civicline.domain.export.ports import Bounds, ExportPorts, Invocation, StoredApplication
from civicline.domain.export.watermark import Watermark, bound
from civicline.models.export import ExportResult
from civicline.models.forms import ApplicantAnswers, SurveyResponse

FORM = "koho_delivery"
T0 = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 09:00 JST
ANSWERS = ApplicantAnswers(
    name="新宿 花子",
    kana="シンジュク ハナコ",
    postal_code="160-0022",
    address="東京都新宿区新宿1-2-3",
    phone="+819012345678",
)


def sealed(answers: ApplicantAnswers, application_id: str) -> str:
    """A stand-in ciphertext the fake opener can check is bound to its application."""
    return json.dumps({"id": application_id, "answers": answers.model_dump()})


@dataclass
class FakeApplications:
    """ApplicationSource and SurveySource over a dict, pages of `page_size`."""

    page_size: int = 3
    items: dict[str, StoredApplication] = field(default_factory=dict)
    surveys: list[tuple[str, SurveyResponse]] = field(default_factory=list)
    guards: set[str] = field(default_factory=set)
    purge_at: dict[str, datetime] = field(default_factory=dict)
    fail_marking: bool = False

    def add(
        self, received_at: datetime, *, kind: str = "new", answers: ApplicantAnswers = ANSWERS
    ) -> ApplicationRecord:
        number = len(self.items) + 1
        application_id = f"app-{number:05d}"
        record = ApplicationRecord(
            application_id=application_id,
            user_id=f"U{number:032x}",
            form_id=FORM,
            form_version=1,
            kind=kind,
            submitted_at=received_at - timedelta(seconds=1),
            received_at=received_at,
            reception_number=f"KH-20261127-{number:04d}",
            pii=sealed(answers, application_id),
            pii_masked={},
            first_edition=None if kind == "stop" else date(2026, 12, 5),
            last_edition=date(2026, 11, 25) if kind == "stop" else None,
        )
        self.items[application_id] = StoredApplication(record=record, received_key=bound(received_at))
        self.guards.add(application_id)
        return record

    def pages(self, form_id: str, bounds: Bounds) -> Iterator[list[StoredApplication]]:
        ordered = sorted(
            (a for a in self.items.values() if a.record.form_id == form_id and bounds.holds(a.received_key)),
            key=lambda a: a.received_key,
        )
        for start in range(0, len(ordered), self.page_size):
            yield ordered[start : start + self.page_size]

    def mark_exported(
        self,
        applications: Sequence[StoredApplication],
        export_id: str,
        exported_at: datetime,
        purge_at: datetime,
        reclaimable: tuple[str, ...],
    ) -> set[str]:
        if self.fail_marking:
            raise ExportStoreFailed("marking failed")
        marked = set()
        for application in applications:
            current = self.items[application.record.application_id]
            if current.status == "received" or current.export_id in reclaimable:
                record = replace(current.record, status=ApplicationStatus.EXPORTED)
                self.items[record.application_id] = replace(current, record=record, export_id=export_id)
                self.purge_at[record.application_id] = purge_at
                self.guards.discard(record.application_id)
                marked.add(record.application_id)
        return marked

    def survey_responses(self, form_id: str, bounds: Bounds | None) -> Iterator[SurveyResponse]:
        for key, response in self.surveys:
            if response.form_id == form_id and (bounds is None or bounds.holds(key)):
                yield response


class FakePii:
    def __init__(self) -> None:
        self.unreadable: set[str] = set()

    def open(self, ciphertext: str, application_id: str, form_id: str) -> ApplicantAnswers:
        sealed_value = json.loads(ciphertext)
        if application_id in self.unreadable or sealed_value["id"] != application_id:
            raise PiiUnreadable(application_id)
        return ApplicantAnswers.model_validate(sealed_value["answers"])


@dataclass
class FakeFiles:
    objects: dict[str, bytes] = field(default_factory=dict)
    links: list[tuple[str, str, int]] = field(default_factory=list)
    fail_upload: bool = False
    chunks_seen: int = 0

    def upload(self, key: str, chunks: Iterable[bytes], content_type: str) -> int:
        data = bytearray()
        for chunk in chunks:
            self.chunks_seen += 1
            data += chunk
            if self.fail_upload:
                raise ExportStoreFailed("upload failed")
        self.objects[key] = bytes(data)
        return len(data)

    def presign(self, key: str, *, download_name: str, ascii_name: str, expiry_seconds: int) -> str:
        self.links.append((key, download_name, expiry_seconds))
        return f"https://bucket.example/{key}?expires={expiry_seconds}"

    def exists(self, key: str) -> bool:
        return key in self.objects


@dataclass
class FakeAudit:
    marks: dict[str, Watermark] = field(default_factory=dict)
    records: list[ExportResult] = field(default_factory=list)
    links: list[ExportResult] = field(default_factory=list)

    def watermark(self, form_id: str) -> Watermark:
        return self.marks.get(form_id, Watermark(form_id=form_id))

    def replace_watermark(self, new: Watermark, expected_version: int) -> None:
        if self.watermark(new.form_id).version != expected_version:
            raise WatermarkMoved(new.form_id)
        self.marks[new.form_id] = new

    def commit(self, new: Watermark, expected_version: int, result: ExportResult) -> None:
        self.replace_watermark(new, expected_version)
        self.records.append(result)

    def record(self, result: ExportResult) -> None:
        self.records.append(result)

    def record_link(self, result: ExportResult) -> None:
        self.links.append(result)

    def find(self, form_id: str, export_id: str) -> ExportResult | None:
        return next((r for r in self.records if r.form_id == form_id and r.export_id == export_id), None)


@dataclass
class FakeNotifier:
    sent: list[ExportResult] = field(default_factory=list)

    def export_ready(self, result: ExportResult) -> None:
        self.sent.append(result)


@dataclass
class World:
    applications: FakeApplications = field(default_factory=FakeApplications)
    pii: FakePii = field(default_factory=FakePii)
    files: FakeFiles = field(default_factory=FakeFiles)
    audit: FakeAudit = field(default_factory=FakeAudit)
    notifier: FakeNotifier = field(default_factory=FakeNotifier)
    runs: int = 0

    def ports(self) -> ExportPorts:
        return ExportPorts(
            applications=self.applications,
            surveys=self.applications,
            pii=self.pii,
            files=self.files,
            audit=self.audit,
            notifier=self.notifier,
        )

    def run_at(self, now: datetime) -> Invocation:
        self.runs += 1
        return Invocation(
            export_id=f"{now:%Y%m%dT%H%M%SZ}-{self.runs:08x}",
            invocation_id=f"request-{self.runs}",
            now=now,
            lease_until=now + timedelta(minutes=6),
        )
