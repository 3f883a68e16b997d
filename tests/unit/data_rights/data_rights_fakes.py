"""In-memory stand-ins for the data-rights ports, and a dispatcher with every resident feature on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from tests.unit.residents.residents_fakes import (
    NOW,
    USER,
    FakeProfiles,
    InMemoryConversations,
    InMemoryResidents,
    ResolvingDispatcher,
)

from civicline.domain.chat.dispatch import Dispatcher
from civicline.domain.data_rights.features import DataRightsRequests, install_data_rights
from civicline.domain.data_rights.records import (
    AuditEntry,
    Erasure,
    ErasureRequest,
    HeldApplication,
    Holdings,
    KeptApplication,
)
from civicline.domain.residents.features import install_residents
from civicline.models.city import load_city
from civicline.models.resident import FollowStatus, ReceptionSettings, Resident

PRIVACY_URL = "https://www.city.shinjuku.lg.jp/privacy"


def application(
    number: str = "KH-20250601-0001",
    status: str = "received",
    masked: dict[str, str] | None = None,
    kind: str = "new",
) -> HeldApplication:
    return HeldApplication(
        application_id=f"app-{number}",
        reception_number=number,
        form_id="koho_delivery",
        kind=kind,
        status=status,
        submitted_at=datetime(2025, 5, 30, 15, 30, tzinfo=UTC),  # 5月31日 in JST
        masked=MappingProxyType(
            masked
            if masked is not None
            else {"name": "山田 **", "address": "東京都新宿区西新宿 ***", "phone": "090-****-5678"}
        ),
    )


def resident(user_id: str = USER, **settings: object) -> Resident:
    return Resident(
        user_id=user_id,
        status=FollowStatus.ACTIVE,
        display_name="山田花子",
        picture_url="https://profile.line-scdn.net/hanako",
        followed_at=datetime(2025, 4, 1, 0, 0, tzinfo=UTC),
        settings=ReceptionSettings.model_validate(settings),
        updated_at=NOW,
    )


class InMemoryDataRights:
    """Holds one resident's Holdings; an erasure empties them and reports what they held."""

    def __init__(self) -> None:
        self.held: dict[str, Holdings] = {}
        self.requests: list[tuple[str, ErasureRequest]] = []

    def holdings(self, user_id: str) -> Holdings:
        return self.held.get(user_id, Holdings(resident=None))

    def erase(self, user_id: str, request: ErasureRequest) -> Erasure:
        self.requests.append((user_id, request))
        held = self.held.pop(user_id, Holdings(resident=None))
        return Erasure(
            profile=held.resident is not None,
            conversation=held.open_flow is not None,
            applications=tuple(KeptApplication(a.reception_number, a.pending) for a in held.applications),
            surveys=held.surveys,
            survey_free_texts=len(held.survey_free_texts),
        )


@dataclass
class InMemoryAudit:
    entries: dict[tuple[datetime, str], AuditEntry] = field(default_factory=dict)

    def record(self, entry: AuditEntry) -> None:
        self.entries.setdefault((entry.requested_at, entry.event_id), entry)


@dataclass
class RightsWorld:
    store: InMemoryDataRights
    audit: InMemoryAudit
    dispatcher: Dispatcher
    requests: DataRightsRequests


def make_rights_world(clock_at: datetime = NOW) -> RightsWorld:
    residents, conversations = InMemoryResidents(), InMemoryConversations()
    dispatcher = ResolvingDispatcher(conversations)
    city = load_city()
    install_residents(
        dispatcher,
        residents=residents,
        conversations=conversations,
        profiles=FakeProfiles(),
        city=city,
        privacy_notice_url=PRIVACY_URL,
        clock=lambda: clock_at,
    )
    store, audit = InMemoryDataRights(), InMemoryAudit()
    requests = install_data_rights(
        dispatcher,
        store=store,
        audit=audit,
        residents=residents,
        conversations=conversations,
        city=city,
        clock=lambda: clock_at,
    )
    return RightsWorld(store, audit, dispatcher, requests)
