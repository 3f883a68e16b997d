"""The engine's replies as the residents' replies: text with quick replies, and the confirmation card.

A question becomes text messages (a notice first, if any) with the answer buttons as quick replies on
the last one. The confirmation (a reply with summary rows) becomes a card: one row per answer and the
engine's commands (送信する, 修正する, 戻る, やめる) as buttons, so the resident checks everything at a
glance. The card shows the resident's own answers back to them; it goes to LINE only, never to a log.
"""

from __future__ import annotations

from civicline.domain.applications import forms
from civicline.domain.chat.replies import (
    CARD_LABEL_MAX,
    QUICK_REPLY_LABEL_MAX,
    Action,
    Answer,
    Card,
    CardRow,
    Reply,
    TextReply,
    WhenStale,
    fit,
)
from civicline.messages import text
from civicline.models.forms import FormDefinition

EMPTY_VALUE = "-"  # a Flex text must not be empty


def _actions(rendered: forms.RenderedReply, limit: int) -> tuple[Action, ...]:
    # Date-picker buttons are left out: a reply's Action cannot carry a picker yet, and the engine
    # accepts a typed date as well (its error text says so). No form in use asks for a date.
    return tuple(
        Action(label=fit(quick.label, limit), data=quick.data, display_text=quick.label)
        for quick in rendered.quick_replies
        if quick.picker is None
    )


def replies_of(form: FormDefinition, reply: forms.FormReply) -> tuple[Reply, ...]:
    """What the resident receives for one engine reply (at most three messages)."""
    rendered = forms.render(reply)
    if rendered.summary:
        return _confirmation(form, rendered)
    *notices, question = rendered.texts
    return (
        *(TextReply(notice) for notice in notices),
        TextReply(question, quick_replies=_actions(rendered, limit=QUICK_REPLY_LABEL_MAX)),
    )


def _confirmation(form: FormDefinition, rendered: forms.RenderedReply) -> tuple[Reply, ...]:
    *notices, prompt = rendered.texts
    title = text(form.title)
    card = Card(
        alt_text=text("applications_chat.confirm.alt_text", title=title),
        title=text("applications_chat.confirm.title", title=title),
        rows=tuple(CardRow(label=label, value=value or EMPTY_VALUE) for label, value in rendered.summary),
        buttons=_actions(rendered, limit=CARD_LABEL_MAX),
        note=prompt,
    )
    return (*(TextReply(notice) for notice in notices), card)


def answer_of(replies: tuple[Reply, ...], *tags: str) -> Answer:
    # The resident is waiting for the next question: worth a push if the reply token is gone.
    return Answer(replies=replies, when_stale=WhenStale.PUSH, tags=tags)
