"""The short answer to anything we do not handle: a pointer to the menu, with quick replies."""

from __future__ import annotations

from civicline.domain.chat.replies import Action, Answer, TextReply, WhenStale
from civicline.messages import text


def help_answer(menu: tuple[Action, ...]) -> Answer:
    # Said late it would only puzzle: a help line answers what the resident just did, or nothing.
    return Answer(
        replies=(TextReply(text("help.fallback"), quick_replies=menu),),
        when_stale=WhenStale.DROP,
        tags=("help",),
    )
