"""The engine's replies as the residents' replies: text with quick replies, and the confirmation card.

A question becomes text messages (a notice first, if any) with the answer buttons as quick replies on
the last one. The confirmation (a reply with summary rows) becomes a card: one row per answer and the
engine's commands (送信する, 修正する, 戻る, やめる) as buttons, so the resident checks everything at a
glance. The card shows the resident's own answers back to them; it goes to LINE only, never to a log.
"""

from __future__ import annotations

from civicline.domain.applications import forms
from civicline.domain.chat.replies import Action, Answer, Card, CardRow, Reply, TextReply, WhenStale
from civicline.domain.chat.wording import Phrase, say
from civicline.models.forms import FormDefinition


def _actions(reply: forms.FormReply) -> tuple[Action[Phrase], ...]:
    # Date-picker buttons are left out: a reply's Action cannot carry a picker yet, and the engine
    # accepts a typed date as well (its error text says so). No form in use asks for a date.
    return tuple(
        Action(label=say(quick.label), data=quick.data, display_text=say(quick.label))
        for quick in reply.quick_replies
        if quick.picker is None
    )


def replies_of(form: FormDefinition, reply: forms.FormReply) -> tuple[Reply[Phrase], ...]:
    """What the resident receives for one engine reply (at most three messages)."""
    notices: tuple[Reply[Phrase], ...] = (TextReply(reply.notice),) if reply.notice else ()
    if reply.summary:
        return (*notices, _confirmation(form, reply))
    return (*notices, TextReply(reply.message, quick_replies=_actions(reply)))


def _confirmation(form: FormDefinition, reply: forms.FormReply) -> Card[Phrase]:
    title = say(form.title)
    return Card(
        alt_text=say("applications_chat.confirm.alt_text", title=title),
        title=say("applications_chat.confirm.title", title=title),
        rows=tuple(CardRow(label=say(row.label), value=row.value) for row in reply.summary),
        buttons=_actions(reply),
        note=reply.message,
    )


def answer_of(replies: tuple[Reply[Phrase], ...], *tags: str) -> Answer[Phrase]:
    # The resident is waiting for the next question: worth a push if the reply token is gone.
    return Answer(replies=replies, when_stale=WhenStale.PUSH, tags=tags)
