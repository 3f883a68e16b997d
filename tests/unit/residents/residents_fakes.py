"""In-memory stand-ins for the residents domain's ports, and helpers to build inbound events."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from civicline.domain.chat.conversations import ConversationConflict, StoredConversation
from civicline.domain.chat.dispatch import Dispatcher
from civicline.domain.chat.inbound import EventContext, Inbound, InboundKind
from civicline.domain.chat.replies import Answer, resolved
from civicline.domain.residents.features import install_residents
from civicline.domain.residents.ports import Profile, SettingItem
from civicline.domain.residents.settings import SettingsFlow
from civicline.models.city import City, load_city
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.models.resident import FollowStatus, ReceptionSettings, Resident

NOW = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
USER = "U" + "a" * 32
PRIVACY_URL = "https://www.city.shinjuku.lg.jp/privacy"


class ResolvingDispatcher(Dispatcher):
    """The dispatcher, its answers in words as the resident reads them on LINE: in the language the
    conversation worker picks (the answer's own, else the resident's as read before the event).

    Resolved by the production step (`resolved`); an answer already in words is handed back as it is.
    """

    def __init__(
        self, conversations: InMemoryConversations, residents: InMemoryResidents | None = None
    ) -> None:
        super().__init__(conversations)
        self._residents = residents

    def dispatch(self, inbound: Inbound) -> Answer[Any]:
        # As the worker does: the resident's language as stored before the event (follow finds its own).
        resident = self._residents.get(inbound.user_id) if self._residents and inbound.user_id else None
        if resident is not None and inbound.kind not in (InboundKind.FOLLOW, InboundKind.UNFOLLOW):
            inbound = replace(inbound, language=resident.language)
        answer = super().dispatch(inbound)
        said = resolved(answer, answer.language or inbound.language)
        return answer if said == answer else said


class InMemoryResidents:
    def __init__(self) -> None:
        self.items: dict[str, Resident] = {}
        self.lifecycle_at: dict[str, datetime] = {}

    def get(self, user_id: str) -> Resident | None:
        return self.items.get(user_id)

    def record_follow(
        self,
        user_id: str,
        profile: Profile | None,
        followed_at: datetime,
        now: datetime,
        language: Language = DEFAULT_LANGUAGE,
    ) -> bool:
        if user_id in self.lifecycle_at and self.lifecycle_at[user_id] > followed_at:
            return False
        existing = self.items.get(user_id)
        self.items[user_id] = Resident(
            user_id=user_id,
            status=FollowStatus.ACTIVE,
            display_name=profile.display_name if profile else None,
            picture_url=profile.picture_url if profile else None,
            language=existing.language if existing else language,
            followed_at=followed_at,
            settings=existing.settings if existing else ReceptionSettings(),
            updated_at=now,
        )
        self.lifecycle_at[user_id] = followed_at
        return True

    def record_unfollow(
        self, user_id: str, unfollowed_at: datetime, purge_at: datetime, now: datetime
    ) -> bool:
        existing = self.items.get(user_id)
        if existing is None or self.lifecycle_at.get(user_id, unfollowed_at) > unfollowed_at:
            return False
        self.items[user_id] = existing.model_copy(
            update={"status": FollowStatus.BLOCKED, "unfollowed_at": unfollowed_at, "updated_at": now}
        )
        self.lifecycle_at[user_id] = unfollowed_at
        return True

    def _resident(self, user_id: str, now: datetime) -> Resident:
        return self.items.get(user_id) or Resident(
            user_id=user_id, status=FollowStatus.ACTIVE, followed_at=now, updated_at=now
        )

    def _with(self, user_id: str, now: datetime, **changes: Any) -> Resident:
        resident = self._resident(user_id, now)
        settings = resident.settings.model_copy(update=changes)
        self.items[user_id] = resident.model_copy(update={"settings": settings, "updated_at": now})
        return self.items[user_id]

    def set_setting(
        self, user_id: str, item: SettingItem, value: int | str | None, now: datetime
    ) -> Resident:
        return self._with(user_id, now, **{item.value: value})

    def set_genres(self, user_id: str, genres: frozenset[str] | None, now: datetime) -> Resident:
        return self._with(user_id, now, genres=genres or None)

    def set_language(self, user_id: str, language: Language, now: datetime) -> Resident:
        resident = self._resident(user_id, now)
        self.items[user_id] = resident.model_copy(update={"language": language, "updated_at": now})
        return self.items[user_id]

    def set_genre(self, user_id: str, genre: str, selected: bool, now: datetime) -> Resident:
        current = set(self._resident(user_id, now).settings.genres or ())
        if selected:
            current.add(genre)
        else:
            current.discard(genre)
        return self._with(user_id, now, genres=frozenset(current) or None)


class InMemoryConversations:
    def __init__(self) -> None:
        self.items: dict[str, StoredConversation] = {}

    def load(self, user_id: str) -> StoredConversation | None:
        return self.items.get(user_id)

    def save(
        self,
        user_id: str,
        flow: str,
        state: dict[str, Any],
        expected_version: int,
        lifetime: timedelta | None = None,
    ) -> StoredConversation:
        current = self.items.get(user_id)
        if (current.version if current else 0) != expected_version:
            raise ConversationConflict(user_id)
        saved = StoredConversation(user_id, flow, dict(state), expected_version + 1, 0)
        self.items[user_id] = saved
        return saved

    def clear(self, user_id: str, expected_version: int) -> None:
        current = self.items.get(user_id)
        if current is not None and current.version != expected_version:
            raise ConversationConflict(user_id)
        self.items.pop(user_id, None)


@dataclass
class FakeProfiles:
    profiles: dict[str, Profile] = field(default_factory=dict)

    def get_profile(self, user_id: str) -> Profile | None:
        return self.profiles.get(user_id)


_event_ids = itertools.count()


def context(user_id: str | None = USER, *, one_to_one: bool = True, mode: str = "active") -> EventContext:
    return EventContext(
        webhook_event_id=f"01J{next(_event_ids):023d}",
        event_type="test",
        timestamp_ms=int(NOW.timestamp() * 1000),
        mode=mode,
        is_redelivery=False,
        reply_token="token",
        user_id=user_id,
        one_to_one=one_to_one,
    )


_message_ids = itertools.count(1)


def text_in(value: str, user_id: str = USER, message_id: str | None = None) -> Inbound:
    """A typed text, with a LINE message id of its own (what an `unsend` names)."""
    message_id = message_id or f"5{next(_message_ids):017d}"
    return Inbound(kind=InboundKind.TEXT, context=context(user_id), text=value, message_id=message_id)


def unsend_in(message_id: str, user_id: str = USER) -> Inbound:
    """The resident retracted (送信取消) one of their messages: an event with no reply token."""
    retracted = replace(context(user_id), event_type="unsend", reply_token=None)
    return Inbound(kind=InboundKind.UNSEND, context=retracted, message_id=message_id)


def postback_in(data: str, user_id: str = USER) -> Inbound:
    return Inbound(kind=InboundKind.POSTBACK, context=context(user_id), postback_data=data)


def sticker_in(user_id: str = USER, message_type: str = "sticker") -> Inbound:
    return Inbound(kind=InboundKind.MESSAGE, context=context(user_id), message_type=message_type)


class FakeResidentMenus:
    """The rich-menu links the chat asks for (services.richmenu_mode.ResidentMenus in production)."""

    def __init__(self) -> None:
        self.linked: dict[str, Language] = {}
        self.refuse: Exception | None = None  # e.g. LineRejected: the menus are not deployed

    def link_resident(self, user_id: str, language: Language) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.linked[user_id] = language


@dataclass
class World:
    residents: InMemoryResidents
    conversations: InMemoryConversations
    profiles: FakeProfiles
    dispatcher: ResolvingDispatcher
    settings: SettingsFlow
    city: City
    menus: FakeResidentMenus


def make_world() -> World:
    residents, conversations, profiles = InMemoryResidents(), InMemoryConversations(), FakeProfiles()
    menus = FakeResidentMenus()
    dispatcher = ResolvingDispatcher(conversations, residents)
    settings = install_residents(
        dispatcher,
        residents=residents,
        conversations=conversations,
        profiles=profiles,
        city=load_city(),
        privacy_notice_url=PRIVACY_URL,
        clock=lambda: NOW,
        menus=menus,
    )
    return World(residents, conversations, profiles, dispatcher, settings, load_city(), menus)
