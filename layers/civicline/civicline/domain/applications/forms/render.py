"""Replies as text in a language: what the conversation worker puts into LINE messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from civicline import messages
from civicline.domain.applications.forms.reply import FormReply, Message


@dataclass(frozen=True)
class RenderedQuickReply:
    label: str  # ≤ 20 characters (checked when the form is loaded)
    data: str  # postback data; hand `Postback(data)` back to the engine
    picker: str | None = None  # "date": a date-picker action


@dataclass(frozen=True)
class RenderedReply:
    """`texts` in order (one LINE text message each); `summary` rows (label, value) for a card."""

    texts: tuple[str, ...] = field(repr=False)
    quick_replies: tuple[RenderedQuickReply, ...]
    summary: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def render_message(message: Message, lang: str = messages.DEFAULT_LANGUAGE) -> str:
    return messages.text(message.key, lang, **message.params)


def render(reply: FormReply, lang: str = messages.DEFAULT_LANGUAGE) -> RenderedReply:
    texts = [render_message(reply.notice, lang)] if reply.notice else []
    texts.append(render_message(reply.message, lang))
    return RenderedReply(
        texts=tuple(texts),
        quick_replies=tuple(
            RenderedQuickReply(messages.text(q.label, lang), q.data, q.picker) for q in reply.quick_replies
        ),
        summary=tuple(
            (messages.text(row.label, lang), render_message(row.value, lang)) for row in reply.summary
        ),
    )
