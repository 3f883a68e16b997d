"""What the applications domain needs from the outside world; adapters implement these."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from civicline.domain.applications.records import ApplicationRecord, PendingHolder, StatusEntry, SurveyRecord
from civicline.models.forms import ApplicantAnswers


class ApplicationStore(Protocol):
    def get(self, application_id: str) -> ApplicationRecord | None:
        """The stored application (consistent read), or None."""
        ...

    def pending_holder(self, user_id: str, form_id: str, kind: str) -> PendingHolder | None:
        """Who holds the resident's guard for this form and kind, with that application's status."""
        ...

    def next_sequence(self, prefix: str, day: date) -> int:
        """The next reception sequence of `prefix` on `day` (1, 2, …), atomically: never given twice."""
        ...

    def add(self, record: ApplicationRecord, replacing_holder: str | None) -> None:
        """Store the application and take the guard in one transaction.

        `replacing_holder`: the application id of a released guard to take over (None: no guard yet).
        Raises AlreadyStored or PendingGuardTaken; nothing is written then.
        """
        ...


class PiiSealer(Protocol):
    def seal(self, answers: ApplicantAnswers, application_id: str, form_id: str) -> str:
        """Ciphertext of the answers, bound to the application by its encryption context."""
        ...


class FreeTextSealer(Protocol):
    def seal_free_text(self, texts: Mapping[str, str], response_id: str, form_id: str) -> str:
        """Ciphertext of a survey response's typed answers (step id → text), bound to the response."""
        ...


class StatusSource(Protocol):
    def statuses_of(self, user_id: str, limit: int) -> list[StatusEntry]:
        """The resident's latest applications (surveys excluded), newest first."""
        ...


class SurveyStore(Protocol):
    def add_survey(self, record: SurveyRecord) -> bool:
        """Store once; False when this response id was already stored."""
        ...
