"""The residents features, put on a dispatcher: follow, unfollow, 「受信設定」, the language, and help."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from civicline.domain.chat.conversations import ConversationStore
from civicline.domain.chat.dispatch import Dispatcher, command_key
from civicline.domain.chat.inbound import InboundKind
from civicline.domain.chat.wording import every_language
from civicline.domain.residents import language
from civicline.domain.residents.lifecycle import DEFAULT_BLOCKED_RETENTION, Lifecycle
from civicline.domain.residents.menus import ResidentMenu
from civicline.domain.residents.ports import ProfileSource, ResidentStore
from civicline.domain.residents.settings import FLOW, SettingsFlow
from civicline.domain.residents.settings_questions import ACTION
from civicline.messages import text
from civicline.models.city import City


def install_residents(
    dispatcher: Dispatcher,
    *,
    residents: ResidentStore,
    conversations: ConversationStore,
    profiles: ProfileSource,
    city: City,
    privacy_notice_url: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    blocked_retention: timedelta = DEFAULT_BLOCKED_RETENTION,
    menus: ResidentMenu | None = None,
) -> SettingsFlow:
    settings = SettingsFlow(residents, conversations, city, clock)
    lifecycle = Lifecycle(
        residents,
        profiles,
        privacy_notice_url,
        settings.entry_action(),
        language.entry_action(),
        clock=clock,
        blocked_retention=blocked_retention,
        menus=menus,
    )
    dispatcher.event(InboundKind.FOLLOW, lifecycle.follow)
    dispatcher.event(InboundKind.UNFOLLOW, lifecycle.unfollow)
    dispatcher.text_command(text("settings.entry.label"), settings.start)
    dispatcher.text_command_words(every_language("settings.entry.label"), settings.start)
    dispatcher.postback_action(ACTION, settings.on_postback)
    dispatcher.flow(FLOW, settings.on_answer, not_text=settings.on_not_text)
    dispatcher.menu_item(settings.entry_action())
    choice = language.LanguageChoice(residents, clock, after_choice=(settings.entry_action(),), menus=menus)
    for word in sorted({command_key(word) for word in language.keywords()}):
        dispatcher.text_command(word, choice.ask)
    dispatcher.postback_action(language.ACTION, choice.on_postback)
    dispatcher.menu_item(language.entry_action())
    return settings
