"""Which code answers an event: a registry of text commands, postback actions and open conversations.

Features plug in without touching this module:

    dispatcher.text_command("受信設定", settings.start)          # a typed command (NFKC, spaces ignored)
    dispatcher.text_command_words(every_language(key), ...)     # ... and as each language writes it
    dispatcher.postback_action("settings", settings.on_postback) # postback data `action=settings&...`
    dispatcher.postback_prefix("form:", forms.on_postback)       # postback data in a format of its own
    dispatcher.flow("settings", settings.on_answer,              # free text while that flow asked last,
                    not_text=settings.on_not_text)               # a sticker, image, location… then too
    dispatcher.event(InboundKind.FOLLOW, lifecycle.follow)
    dispatcher.menu_item(Action(...))                            # offered in the help reply

Free text is handed to a flow only when that flow asked a question (an open conversation); otherwise
it gets the help reply and is forgotten. A sticker, image or location while a flow has a question open
goes to that flow's `not_text` handler (which asks the question again) instead of the help reply.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping

from civicline.domain.chat.conversations import ConversationStore, StoredConversation
from civicline.domain.chat.help import help_answer
from civicline.domain.chat.inbound import Inbound, InboundKind
from civicline.domain.chat.postbacks import decode
from civicline.domain.chat.replies import NOTHING, QUICK_REPLY_MAX_ITEMS, Action, Answer

EventHandler = Callable[[Inbound], Answer]
TextCommandHandler = Callable[[Inbound], Answer]
PostbackHandler = Callable[[Inbound, Mapping[str, str]], Answer]
FlowHandler = Callable[[Inbound, StoredConversation], Answer]


def command_key(text: str) -> str:
    """Typed commands match whatever the width, spacing or case: 「 受信設定 」 and 「受信設定」 alike,
    "Language" and "language" alike."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class Dispatcher:
    def __init__(self, conversations: ConversationStore) -> None:
        self._conversations = conversations
        self._events: dict[InboundKind, EventHandler] = {}
        self._texts: dict[str, TextCommandHandler] = {}
        self._postbacks: dict[str, PostbackHandler] = {}
        self._prefixes: dict[str, EventHandler] = {}
        self._flows: dict[str, FlowHandler] = {}
        self._not_text: dict[str, FlowHandler] = {}
        self._menu: list[Action] = []

    # -- registration -------------------------------------------------------------------------------
    def event(self, kind: InboundKind, handler: EventHandler) -> None:
        self._register(self._events, kind, handler)

    def text_command(self, text: str, handler: TextCommandHandler) -> None:
        self._register(self._texts, command_key(text), handler)

    def text_command_words(self, words: Iterable[str], handler: TextCommandHandler) -> None:
        """The same command under more words (its label in each of our languages): a resident types it
        in theirs. A word another command already has stays with that one (the first registered)."""
        for word in words:
            key = command_key(word)
            if key:
                self._texts.setdefault(key, handler)

    def postback_action(self, action: str, handler: PostbackHandler) -> None:
        self._register(self._postbacks, action, handler)

    def postback_prefix(self, prefix: str, handler: EventHandler) -> None:
        """Postback data starting with `prefix` (the handler reads `inbound.postback_data` itself)."""
        if not prefix or "=" in prefix:
            raise ValueError("a postback prefix is a non-empty marker such as 'form:'")
        self._register(self._prefixes, prefix, handler)

    def flow(self, name: str, handler: FlowHandler, *, not_text: FlowHandler | None = None) -> None:
        self._register(self._flows, name, handler)
        if not_text is not None:
            self._register(self._not_text, name, not_text)

    def menu_item(self, action: Action) -> None:
        if len(self._menu) >= QUICK_REPLY_MAX_ITEMS:
            raise ValueError("the help reply holds at most 13 quick replies")
        self._menu.append(action)

    @staticmethod
    def _register[K, H](table: dict[K, H], key: K, handler: H) -> None:
        if key in table:
            raise ValueError(f"{key!r} already has a handler")
        table[key] = handler

    # -- dispatch -----------------------------------------------------------------------------------
    def dispatch(self, inbound: Inbound) -> Answer:
        context = inbound.context
        if inbound.kind in (InboundKind.FOLLOW, InboundKind.UNFOLLOW):
            handler = self._events.get(inbound.kind)
            return handler(inbound) if handler and context.user_id else NOTHING
        # In standby another channel answers the resident (LINE's module mode): we stay silent.
        if context.standby or not context.one_to_one or context.user_id is None:
            return NOTHING
        if inbound.kind is InboundKind.POSTBACK:
            return self._postback(inbound)
        if inbound.kind is InboundKind.TEXT:
            return self._text(inbound)
        if inbound.kind is InboundKind.MESSAGE:
            return self._not_a_text(inbound)
        handler = self._events.get(inbound.kind)
        return handler(inbound) if handler else NOTHING

    def help(self, inbound: Inbound) -> Answer:
        return help_answer(tuple(self._menu))

    def _postback(self, inbound: Inbound) -> Answer:
        data = inbound.postback_data or ""
        for prefix in sorted(self._prefixes, key=len, reverse=True):
            if data.startswith(prefix):
                return self._prefixes[prefix](inbound)
        params = decode(data)
        handler = self._postbacks.get(params.get("action", ""))
        return handler(inbound, params) if handler else self.help(inbound)

    def _not_a_text(self, inbound: Inbound) -> Answer:
        assert inbound.user_id is not None
        conversation = self._conversations.load(inbound.user_id)
        if conversation is not None and conversation.flow in self._not_text:
            return self._not_text[conversation.flow](inbound, conversation)
        return self.help(inbound)

    def _text(self, inbound: Inbound) -> Answer:
        command = self._texts.get(command_key(inbound.text or ""))
        if command is not None:
            return command(inbound)
        assert inbound.user_id is not None
        conversation = self._conversations.load(inbound.user_id)
        if conversation is not None and conversation.flow in self._flows:
            return self._flows[conversation.flow](inbound, conversation)
        return self.help(inbound)
