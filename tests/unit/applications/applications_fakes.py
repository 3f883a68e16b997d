"""In-memory stand-ins for the applications ports, and sample submissions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime

from civicline.domain.applications.errors import AlreadyStored, PendingGuardTaken
from civicline.domain.applications.records import (
    ApplicationRecord,
    ApplicationStatus,
    PendingHolder,
    StatusEntry,
    SurveyRecord,
)
from civicline.models.forms import ApplicantAnswers, Application, SurveyResponse, submission_id_for

USER = "U0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC)  # 10:02 JST
ANSWERS = ApplicantAnswers(
    name="山田 太郎",
    kana="ヤマダ タロウ",
    postal_code="160-0023",
    address="東京都新宿区西新宿2-8-1 新宿ハイツ101",
    phone="+819012345678",
)


def application(
    conversation: str = "c1", kind: str = "new", user_id: str = USER, answers: ApplicantAnswers = ANSWERS
) -> Application:
    return Application(
        submission_id=submission_id_for(user_id, conversation),
        user_id=user_id,
        form_id="koho_delivery",
        form_version=1,
        kind=kind,
        answers=answers,
        first_edition=date(2026, 12, 15) if kind != "stop" else None,
        last_edition=date(2026, 12, 15) if kind == "stop" else None,
        submitted_at=NOW,
    )


def survey(conversation: str = "s1", user_id: str = USER) -> SurveyResponse:
    return SurveyResponse(
        response_id=submission_id_for(user_id, conversation),
        user_id=user_id,
        form_id="koho_survey",
        form_version=1,
        answers={"satisfaction": "4", "articles": "events", "comment": None},
        submitted_at=NOW,
    )


class FakeSealer:
    """PiiSealer and FreeTextSealer: a ciphertext that names what it binds, and never the plaintext."""

    def seal(self, answers: ApplicantAnswers, application_id: str, form_id: str) -> str:
        return f"sealed:{application_id}:{form_id}"

    def seal_free_text(self, texts: Mapping[str, str], response_id: str, form_id: str) -> str:
        return f"sealed-text:{response_id}:{form_id}:{','.join(sorted(texts))}"


class InMemoryApplications:
    """ApplicationStore, StatusSource and SurveyStore over dicts, with the same conditions as DynamoDB."""

    def __init__(self) -> None:
        self.applications: dict[str, ApplicationRecord] = {}
        self.guards: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.counters: dict[tuple[str, date], int] = {}
        self.surveys: dict[str, SurveyResponse] = {}  # as stored: choices only
        self.survey_records: dict[str, SurveyRecord] = {}
        # Run before the next add's conditions are checked: a concurrent writer getting there first.
        self.before_add: list[object] = []

    def get(self, application_id: str) -> ApplicationRecord | None:
        return self.applications.get(application_id)

    def pending_holder(self, user_id: str, form_id: str, kind: str) -> PendingHolder | None:
        guard = self.guards.get((user_id, form_id, kind))
        if guard is None:
            return None
        holder_id, number = guard
        held = self.applications.get(holder_id)
        return PendingHolder(holder_id, number, held.status if held else None)

    def next_sequence(self, prefix: str, day: date) -> int:
        self.counters[(prefix, day)] = self.counters.get((prefix, day), 0) + 1
        return self.counters[(prefix, day)]

    def add(self, record: ApplicationRecord, replacing_holder: str | None) -> None:
        while self.before_add:
            step = self.before_add.pop(0)
            assert callable(step)
            step()
        key = (record.user_id, record.form_id, record.kind)
        if record.application_id in self.applications:
            raise AlreadyStored(record.application_id)
        guard = self.guards.get(key)
        if (replacing_holder is None and guard is not None) or (
            replacing_holder is not None and (guard is None or guard[0] != replacing_holder)
        ):
            raise PendingGuardTaken(record.application_id)
        self.applications[record.application_id] = record
        self.guards[key] = (record.application_id, record.reception_number)

    def set_status(self, application_id: str, status: ApplicationStatus) -> None:
        self.applications[application_id] = replace(self.applications[application_id], status=status)

    def statuses_of(self, user_id: str, limit: int) -> list[StatusEntry]:
        mine = sorted(
            (r for r in self.applications.values() if r.user_id == user_id),
            key=lambda r: r.submitted_at,
            reverse=True,
        )
        return [StatusEntry(r.reception_number, r.form_id, r.kind, r.status, r.submitted_at) for r in mine][
            :limit
        ]

    def add_survey(self, record: SurveyRecord) -> bool:
        response = record.response
        if response.response_id in self.surveys:
            return False
        self.surveys[response.response_id] = response
        self.survey_records[response.response_id] = record
        return True
