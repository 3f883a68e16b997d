"""The short answer to anything we do not handle: a pointer to the menu, with quick replies."""

from __future__ import annotations

from civicline.domain.chat.replies import Action, Answer, TextReply, WhenStale
from civicline.domain.chat.wording import Phrase, say


def help_answer(menu: tuple[Action[Phrase], ...]) -> Answer[Phrase]:
    # Said late it would only puzzle: a help line answers what the resident just did, or nothing.
    return Answer(
        replies=(TextReply(say("help.fallback"), quick_replies=menu),),
        when_stale=WhenStale.DROP,
        tags=("help",),
    )
