"""What the ward holds about one resident, what an erasure did, and what the audit keeps of a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from civicline.models.resident import Resident


@dataclass(frozen=True, slots=True)
class HeldApplication:
    """One application as the resident may see it: ids, dates, and only the masked copies of answers."""

    application_id: str
    reception_number: str
    form_id: str
    kind: str
    status: str
    submitted_at: datetime
    masked: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def pending(self) -> bool:
        """Not handed to the ward yet: erasing its answers withdraws it."""
        return self.status == "received"


@dataclass(frozen=True, slots=True)
class Holdings:
    """Everything stored about a resident, read for 「登録情報の確認」 and the erasure's confirmation."""

    resident: Resident | None
    applications: tuple[HeldApplication, ...] = ()  # newest first
    surveys: int = 0
    # The length of each typed survey answer held (sealed): shown as a mask and a length, never opened.
    survey_free_texts: tuple[int, ...] = ()
    open_flow: str | None = None  # the flow of an open conversation (its answers are never shown)

    @property
    def empty(self) -> bool:
        return self.resident is None and not self.applications and not self.surveys and self.open_flow is None

    @property
    def pending(self) -> tuple[HeldApplication, ...]:
        return tuple(application for application in self.applications if application.pending)


@dataclass(frozen=True, slots=True)
class ErasureRequest:
    """What to erase with: `form_kinds` names every guard that may exist (form id, kind), even for an
    application gone already; kept items without a TTL expire at `keep_until`."""

    erased_at: datetime
    keep_until: datetime
    form_kinds: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class KeptApplication:
    reception_number: str
    withdrawn: bool  # was still `received`: the ward never saw its answers


@dataclass(frozen=True, slots=True)
class Erasure:
    """What one erasure run removed. A retry after a partial run finds and reports only the rest."""

    profile: bool = False
    conversation: bool = False
    applications: tuple[KeptApplication, ...] = ()
    surveys: int = 0
    survey_free_texts: int = 0  # responses whose sealed typed answers were removed
    guards: int = 0

    @property
    def nothing(self) -> bool:
        return not (self.profile or self.conversation or self.applications or self.surveys or self.guards)

    def counts(self) -> dict[str, int]:
        """For the audit record: numbers only."""
        return {
            "profile": int(self.profile),
            "conversation": int(self.conversation),
            "applications": len(self.applications),
            "withdrawn": sum(1 for a in self.applications if a.withdrawn),
            "surveys": self.surveys,
            "survey_free_texts": self.survey_free_texts,
            "guards": self.guards,
        }


class RightsAction(StrEnum):
    DISCLOSURE = "disclosure"
    DELETION = "deletion"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One data-rights request, as the Audit table keeps it: no personal data, a pseudonym for who."""

    action: RightsAction
    subject: str  # identity.audit_subject(user_id)
    event_id: str  # the webhook event that asked: one entry per request, however often it is retried
    requested_at: datetime
    recorded_at: datetime
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
