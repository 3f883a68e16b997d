"""What the bot says back, as plain values: the LINE adapter turns them into line-bot-sdk messages.

Kept free of the SDK so the domain stays pure and any conversation (settings, forms) can use them.
LINE's limits that depend on content are met here, where the content is chosen: quick replies carry at
most 13 items with labels of at most 20 characters, postback data is at most 300 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

QUICK_REPLY_MAX_ITEMS = 13
QUICK_REPLY_LABEL_MAX = 20
CARD_LABEL_MAX = 40
POSTBACK_DATA_MAX_BYTES = 300
DISPLAY_TEXT_MAX = 300
MESSAGES_PER_REQUEST_MAX = 5


def fit(label: str, limit: int = QUICK_REPLY_LABEL_MAX) -> str:
    """A label cut to `limit` characters (LINE counts UTF-16 units; our labels stay in the BMP)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Action:
    """A tap that posts `data` back to us; LINE shows `display_text` in the chat as the resident's line."""

    label: str
    data: str
    display_text: str | None = None

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > POSTBACK_DATA_MAX_BYTES:
            raise ValueError("postback data is longer than LINE's 300 bytes")
        if self.display_text is not None and len(self.display_text) > DISPLAY_TEXT_MAX:
            raise ValueError("display text is longer than LINE's 300 characters")


@dataclass(frozen=True, slots=True)
class TextReply:
    text: str
    quick_replies: tuple[Action, ...] = ()

    def __post_init__(self) -> None:
        if len(self.quick_replies) > QUICK_REPLY_MAX_ITEMS:
            raise ValueError("more than 13 quick reply items")


@dataclass(frozen=True, slots=True)
class CardRow:
    label: str
    value: str
    action: Action | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """A small card (a Flex bubble at LINE): a title, labelled rows each with an optional button."""

    alt_text: str
    title: str
    rows: tuple[CardRow, ...]
    buttons: tuple[Action, ...] = ()
    note: str | None = None


Reply = TextReply | Card


class WhenStale(StrEnum):
    """What to do with replies when the reply token can no longer be used (late or redelivered event)."""

    PUSH = "push"  # still worth saying: the resident is waiting for it
    DROP = "drop"  # only made sense at once (a help line for a sticker)


@dataclass(frozen=True, slots=True)
class Answer:
    replies: tuple[Reply, ...] = ()
    when_stale: WhenStale = WhenStale.DROP
    # Short tags for metrics and logs (never personal data), e.g. "settings.gender.saved".
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if len(self.replies) > MESSAGES_PER_REQUEST_MAX:
            raise ValueError("LINE sends at most 5 messages per request")


NOTHING = Answer()
