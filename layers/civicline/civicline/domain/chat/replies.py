"""What the chat sends back, as plain values: one reply model every feature produces.

A feature answers an event with an `Answer` whose words are phrases (catalogue keys, see wording.py);
`resolved(answer, lang)` is the same answer with every phrase put into text, the one step where a
language is chosen. The LINE adapter renders a resolved answer to line-bot-sdk messages.

LINE's limits are met where they can be: counts and postback data (which never depend on the
language) when a reply is built — at most 5 messages, 13 quick replies, 300 bytes of data — and the
lengths of words when they are resolved — labels cut to 20 characters (40 on a card), display texts
of at most 300, no empty card value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from civicline import messages
from civicline.domain.chat.wording import Phrase, resolve

QUICK_REPLY_MAX_ITEMS = 13
QUICK_REPLY_LABEL_MAX = 20
CARD_LABEL_MAX = 40
POSTBACK_DATA_MAX_BYTES = 300
DISPLAY_TEXT_MAX = 300
MESSAGES_PER_REQUEST_MAX = 5
EMPTY_CARD_VALUE = "-"  # a Flex text must not be empty


def fit(label: str, limit: int = QUICK_REPLY_LABEL_MAX) -> str:
    """A label cut to `limit` characters (LINE counts UTF-16 units; our labels stay in the BMP)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Action[W]:
    """A tap that posts `data` back to us; LINE shows `display_text` in the chat as the resident's line.

    `W` is the words' type: a phrase while a feature builds the answer, a string once resolved.
    """

    label: W
    data: str
    display_text: W | None = None

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > POSTBACK_DATA_MAX_BYTES:
            raise ValueError("postback data is longer than LINE's 300 bytes")
        if isinstance(self.display_text, str) and len(self.display_text) > DISPLAY_TEXT_MAX:
            raise ValueError("display text is longer than LINE's 300 characters")


@dataclass(frozen=True, slots=True)
class TextReply[W]:
    text: W
    quick_replies: tuple[Action[W], ...] = ()

    def __post_init__(self) -> None:
        if len(self.quick_replies) > QUICK_REPLY_MAX_ITEMS:
            raise ValueError("more than 13 quick reply items")


@dataclass(frozen=True, slots=True)
class CardRow[W]:
    label: W
    value: W
    action: Action[W] | None = None


@dataclass(frozen=True, slots=True)
class Card[W]:
    """A small card (a Flex bubble at LINE): a title, labelled rows each with an optional button."""

    alt_text: W
    title: W
    rows: tuple[CardRow[W], ...]
    buttons: tuple[Action[W], ...] = ()
    note: W | None = None


type Reply[W] = TextReply[W] | Card[W]


class WhenStale(StrEnum):
    """What to do with replies when the reply token can no longer be used (late or redelivered event)."""

    PUSH = "push"  # still worth saying: the resident is waiting for it
    DROP = "drop"  # only made sense at once (a help line for a sticker)


@dataclass(frozen=True, slots=True)
class Answer[W]:
    """Everything the chat sends for one event: its replies, what to do when late, tags for metrics."""

    replies: tuple[Reply[W], ...] = ()
    when_stale: WhenStale = WhenStale.DROP
    # Short tags for metrics and logs (never personal data), e.g. "settings.gender.saved".
    tags: tuple[str, ...] = field(default=())
    # The language to say it in when the feature knows better than the record read before the event:
    # a follow (the profile's language) or a language just chosen. None: the resident's own.
    language: str | None = None

    def __post_init__(self) -> None:
        if len(self.replies) > MESSAGES_PER_REQUEST_MAX:
            raise ValueError("LINE sends at most 5 messages per request")


NOTHING: Answer[Phrase] = Answer()


def resolved(answer: Answer[Phrase], lang: str = messages.DEFAULT_LANGUAGE) -> Answer[str]:
    """The answer's words in `lang`: the one place a catalogue key becomes text for a resident."""
    replies = tuple(_reply(reply, lang) for reply in answer.replies)
    return Answer(replies=replies, when_stale=answer.when_stale, tags=answer.tags, language=answer.language)


def _reply(reply: Reply[Phrase], lang: str) -> Reply[str]:
    if isinstance(reply, TextReply):
        quick = tuple(_action(action, lang, QUICK_REPLY_LABEL_MAX) for action in reply.quick_replies)
        return TextReply(resolve(reply.text, lang), quick)
    return Card(
        alt_text=resolve(reply.alt_text, lang),
        title=resolve(reply.title, lang),
        rows=tuple(
            CardRow(
                resolve(row.label, lang),
                resolve(row.value, lang) or EMPTY_CARD_VALUE,
                _action(row.action, lang, CARD_LABEL_MAX) if row.action else None,
            )
            for row in reply.rows
        ),
        buttons=tuple(_action(button, lang, CARD_LABEL_MAX) for button in reply.buttons),
        note=resolve(reply.note, lang) if reply.note is not None else None,
    )


def _action(action: Action[Phrase], lang: str, limit: int) -> Action[str]:
    display = resolve(action.display_text, lang) if action.display_text is not None else None
    return Action(fit(resolve(action.label, lang), limit), action.data, display)
