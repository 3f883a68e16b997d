"""The resident's language: offered as a list where each language is written in itself, changed at once.

Reached from anywhere: a keyword typed in any of our languages (「言語」, "language", 「语言」, …:
`language.keywords` of every catalogue), the postback `action=language` (the help reply, the greeting,
the 受信設定 card, a rich-menu tile can carry it), and `action=language&v=<code>` to choose. A choice is
a set, not a toggle, so a repeated or late tap does no harm; an open form or settings question stays
open (only the words change).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from civicline import messages
from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.postbacks import encode
from civicline.domain.chat.replies import Action, Answer, TextReply, WhenStale
from civicline.domain.chat.wording import Phrase, Verbatim, say
from civicline.domain.residents.menus import ResidentMenu, show_language_menu
from civicline.domain.residents.ports import ResidentStore
from civicline.models.language import SELF_NAMES, Language

ACTION = "language"


def entry_action() -> Action[Phrase]:
    """The tap that opens the list (its label says "Language" in the resident's language and English)."""
    label = say("language.entry.label")
    return Action(label=label, data=encode(ACTION), display_text=label)


def self_name(language: Language) -> Phrase:
    """A language's name as its readers write it: the same whatever language the answer is in."""
    return Verbatim(SELF_NAMES[language])


def keywords() -> frozenset[str]:
    """What a resident may type to change the language, in every language we speak."""
    words: set[str] = set()
    for language in Language:
        found = messages.entry("language.keywords", language.value)
        words.update(found if isinstance(found, list) else [found])
    return frozenset(words)


def choice_actions() -> tuple[Action[Phrase], ...]:
    return tuple(
        Action(
            label=self_name(language), data=encode(ACTION, v=language.value), display_text=self_name(language)
        )
        for language in Language
    )


class LanguageChoice:
    def __init__(
        self,
        residents: ResidentStore,
        clock: Callable[[], datetime],
        after_choice: tuple[Action[Phrase], ...] = (),
        menus: ResidentMenu | None = None,
    ) -> None:
        self._residents = residents
        self._clock = clock
        self._after_choice = after_choice
        self._menus = menus

    def ask(self, inbound: Inbound) -> Answer:
        reply = TextReply(
            say("language.prompt", current=self_name(inbound.language)), quick_replies=choice_actions()
        )
        return Answer(replies=(reply,), when_stale=WhenStale.PUSH, tags=("language.asked",))

    def on_postback(self, inbound: Inbound, params: Mapping[str, str]) -> Answer:
        try:
            chosen = Language(params.get("v", ""))
        except ValueError:
            return self.ask(inbound)
        assert inbound.user_id is not None
        self._residents.set_language(inbound.user_id, chosen, self._clock())
        menu_tags = show_language_menu(self._menus, inbound.user_id, chosen)
        reply = TextReply(
            say("language.changed", language=self_name(chosen)), quick_replies=self._after_choice
        )
        # Said in the language just chosen: the record read before this event still has the old one.
        return Answer(
            replies=(reply,),
            when_stale=WhenStale.PUSH,
            tags=("language.changed", *menu_tags),
            language=chosen.value,
        )
