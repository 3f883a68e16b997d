"""電子申請 in chat, put on a dispatcher: the menu, the forms' buttons and answers, 申請の続き, 申請状況."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from civicline.domain.applications.chat.chat import FLOW, FormsChat
from civicline.domain.applications.chat.menu import (
    ACTION_MENU,
    ACTION_RESUME,
    ACTION_START,
    ACTION_STATUS,
    menu_action,
    status_action,
)
from civicline.domain.applications.chat.ports import SubmissionQueue
from civicline.domain.applications.forms import reply as form_reply
from civicline.domain.applications.ports import StatusSource
from civicline.domain.applications.status import StatusQuery
from civicline.domain.chat.conversations import ConversationStore
from civicline.domain.chat.dispatch import Dispatcher
from civicline.domain.chat.inbound import InboundKind
from civicline.domain.chat.wording import every_language
from civicline.messages import text


def install_forms(
    dispatcher: Dispatcher,
    *,
    conversations: ConversationStore,
    queue: SubmissionQueue,
    statuses: StatusSource,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FormsChat:
    status = StatusQuery(statuses)
    chat = FormsChat(conversations, queue, status, clock)
    dispatcher.postback_action(ACTION_MENU, chat.on_menu)
    dispatcher.postback_action(ACTION_START, chat.on_start)
    dispatcher.postback_action(ACTION_RESUME, chat.on_resume)
    dispatcher.postback_action(ACTION_STATUS, chat.on_status)
    dispatcher.postback_prefix(form_reply.POSTBACK_PREFIX, chat.on_postback)
    dispatcher.flow(FLOW, chat.on_answer, not_text=chat.on_not_text)
    dispatcher.event(InboundKind.UNSEND, chat.on_unsend)
    dispatcher.text_command(text("applications_chat.menu.command"), chat.menu)
    dispatcher.text_command(text("applications_chat.resume.command"), chat.resume)
    dispatcher.text_command(text("intake.status.command"), status.on_command)
    dispatcher.text_command_words(every_language("applications_chat.menu.command"), chat.menu)
    dispatcher.text_command_words(every_language("applications_chat.resume.command"), chat.resume)
    dispatcher.text_command_words(every_language("intake.status.command"), status.on_command)
    dispatcher.menu_item(menu_action())
    dispatcher.menu_item(status_action())
    return chat
