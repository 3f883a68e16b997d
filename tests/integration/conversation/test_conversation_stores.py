"""The Users and Conversations repositories against moto's DynamoDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.integration.conversation.conversation_stack import Stack, user_id

from civicline.adapters.dynamodb.conversations import DynamoConversations
from civicline.adapters.dynamodb.residents import DynamoResidents
from civicline.domain.chat.conversations import ConversationConflict
from civicline.domain.residents.ports import Profile, SettingItem
from civicline.models.language import Language
from civicline.models.resident import FollowStatus

RESIDENT = user_id(0x5707E)
T0 = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.fixture
def users(stack: Stack) -> DynamoResidents:
    return DynamoResidents(stack.users_table)


def test_an_older_follow_never_undoes_a_newer_unfollow(users: DynamoResidents) -> None:
    assert users.record_follow(RESIDENT, Profile("名前", None), T0, T0)
    assert users.record_unfollow(RESIDENT, T0 + timedelta(minutes=5), T0 + timedelta(days=30), T0)
    # When a follow from before the unfollow arrives late
    assert not users.record_follow(RESIDENT, Profile("名前", None), T0 + timedelta(minutes=1), T0)
    resident = users.get(RESIDENT)
    assert resident is not None
    assert resident.status is FollowStatus.BLOCKED


def test_an_unfollow_of_an_unknown_resident_stores_nothing(users: DynamoResidents, stack: Stack) -> None:
    assert not users.record_unfollow(RESIDENT, T0, T0 + timedelta(days=30), T0)
    assert stack.user_item(RESIDENT) is None


def test_a_chosen_language_survives_a_refollow_and_settings_and_reads_back(
    users: DynamoResidents, stack: Stack
) -> None:
    # Given a newcomer whose LINE is in Korean, who then chose Nepali
    assert users.record_follow(RESIDENT, Profile("名前", None, "ko"), T0, T0, Language.KO)
    assert users.language_of(RESIDENT) is Language.KO
    assert users.set_language(RESIDENT, Language.NE, T0).language is Language.NE
    # When they set a setting and follow again (their LINE still in Korean)
    users.set_setting(RESIDENT, SettingItem.GENDER, "female", T0)
    assert users.record_follow(RESIDENT, Profile("名前", None, "ko"), T0 + timedelta(days=1), T0, Language.KO)
    # Then Nepali is what is stored and read; someone unknown reads as Japanese
    item = stack.user_item(RESIDENT)
    assert item is not None
    assert item["language"] == "ne"
    assert users.language_of(RESIDENT) is Language.NE
    assert users.language_of(user_id(0xDEAD)) is Language.JA


def test_settings_of_a_follower_from_before_the_system_create_them_active(users: DynamoResidents) -> None:
    resident = users.set_setting(RESIDENT, SettingItem.GENDER, "female", T0)
    assert resident.status is FollowStatus.ACTIVE
    assert resident.settings.gender == "female"


def test_genre_toggles_are_idempotent_and_an_empty_set_disappears(
    users: DynamoResidents, stack: Stack
) -> None:
    users.set_genre(RESIDENT, "kenko", False, T0)  # removing from nothing is harmless
    users.set_genre(RESIDENT, "kenko", True, T0)
    users.set_genre(RESIDENT, "kenko", True, T0)
    resident = users.set_genre(RESIDENT, "bousai", True, T0)
    assert resident.settings.genres == frozenset({"kenko", "bousai"})
    users.set_genre(RESIDENT, "kenko", False, T0)
    resident = users.set_genre(RESIDENT, "bousai", False, T0)
    assert resident.settings.genres is None
    item = stack.user_item(RESIDENT)
    assert item is not None
    assert "genres" not in item


def test_a_cleared_setting_is_removed(users: DynamoResidents, stack: Stack) -> None:
    users.set_setting(RESIDENT, SettingItem.BIRTH_YEAR, 1975, T0)
    resident = users.set_setting(RESIDENT, SettingItem.BIRTH_YEAR, None, T0)
    assert resident.settings.birth_year is None
    item = stack.user_item(RESIDENT)
    assert item is not None
    assert "birthYear" not in item


def test_conversations_lock_on_version_and_ignore_expired_items(stack: Stack) -> None:
    clock = [1_000_000.0]
    store = DynamoConversations(stack.conversations_table, ttl=timedelta(hours=1), clock=lambda: clock[0])
    first = store.save(RESIDENT, "form", {"step": "name", "answers": {"n": 1.5}}, 0)
    assert first.version == 1
    # A writer that read nothing (or an old version) loses
    with pytest.raises(ConversationConflict):
        store.save(RESIDENT, "settings", {}, 0)
    loaded = store.load(RESIDENT)
    assert loaded is not None
    assert loaded.state == {"step": "name", "answers": {"n": 1.5}}
    second = store.save(RESIDENT, "form", {"step": "kana"}, loaded.version)
    with pytest.raises(ConversationConflict):
        store.clear(RESIDENT, first.version)
    # Once past its expiry, the conversation reads as none and a new one may take its place
    clock[0] += 2 * 3600
    assert store.load(RESIDENT) is None
    assert store.save(RESIDENT, "settings", {"item": "area"}, 0).version == 1
    store.clear(RESIDENT, 1)
    store.clear(RESIDENT, 1)  # closing twice (a retried event) is harmless
    assert store.load(RESIDENT) is None
    assert second.version == 2
