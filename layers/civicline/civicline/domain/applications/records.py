"""What intake writes and what it remembers of each submission."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict

from civicline.models.forms import SurveyResponse
from civicline.models.language import DEFAULT_LANGUAGE, Language


class ApplicationStatus(StrEnum):
    """Where an application stands. Only `received` ones block a new one of the same kind."""

    RECEIVED = "received"  # stored by intake, waiting for the ward's export
    EXPORTED = "exported"  # handed to the ward's staff
    PURGED = "purged"  # the personal data is gone after the retention period


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """One application as stored: ids and dates in clear, the applicant's answers sealed in `pii`."""

    application_id: str
    user_id: str
    form_id: str
    form_version: int
    kind: str
    submitted_at: datetime
    received_at: datetime
    reception_number: str
    pii: str = field(repr=False)  # ciphertext of ApplicantAnswers (PII key)
    pii_masked: dict[str, str] = field(repr=False)
    first_edition: date | None = None
    last_edition: date | None = None
    status: ApplicationStatus = ApplicationStatus.RECEIVED
    # The applicant's language, so staff know how to reply (the CSV's 言語); not personal on its own.
    language: Language = DEFAULT_LANGUAGE
    # The retention ceiling: DynamoDB TTL removes the item (answers and all) then, exported or not.
    # Export sets an earlier one once the ward has the answers; an erasure removes them at once.
    purge_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """One response as stored: `response` carries the choices only; typed answers are in `free_text`."""

    response: SurveyResponse
    received_at: datetime
    purge_at: datetime
    free_text: str | None = field(default=None, repr=False)  # ciphertext (PII key), None: nothing typed
    free_text_lengths: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class PendingHolder:
    """The application holding a resident's guard for one form and kind (see docs/contracts.md)."""

    application_id: str
    reception_number: str
    status: ApplicationStatus | None  # None: the application is gone (purged by TTL)

    @property
    def pending(self) -> bool:
        return self.status is ApplicationStatus.RECEIVED


class IntakeOutcome(BaseModel):
    """What intake did with one submission. Kept by the idempotency record, so ids only: never answers.

    `reception_number` is the new application's, or for a refusal the pending one's that blocked it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    submission_id: str
    result: Literal["stored", "refused_pending"]
    reception_number: str
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One line of 申請状況: no personal data, only what the resident needs to recognise it."""

    reception_number: str
    form_id: str
    kind: str
    status: ApplicationStatus
    submitted_at: datetime
