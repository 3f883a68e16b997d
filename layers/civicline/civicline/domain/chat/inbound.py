"""One LINE webhook event as the domain sees it: what happened, and how an answer can reach the sender.

The LINE adapter builds these from line-bot-sdk's models; the domain never sees the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from civicline.models.language import DEFAULT_LANGUAGE, Language


class InboundKind(StrEnum):
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    TEXT = "text"  # a text message
    POSTBACK = "postback"
    MESSAGE = "message"  # any other message: sticker, image, video, audio, file, location
    UNSEND = "unsend"  # the resident retracted (送信取消) one of their messages: `message_id` names it
    OTHER = "other"  # every other event, including types the SDK does not know


@dataclass(frozen=True, slots=True)
class EventContext:
    """What the outbox needs to answer: never personal data, safe to log."""

    webhook_event_id: str
    event_type: str
    timestamp_ms: int
    mode: str  # "active" or "standby"
    is_redelivery: bool
    reply_token: str | None
    user_id: str | None
    one_to_one: bool  # the source is the user's own chat with the account, not a group or room
    receive_count: int = 1  # how often the queue has handed this event over (1: first try)

    @property
    def standby(self) -> bool:
        return self.mode == "standby"


@dataclass(frozen=True, slots=True)
class Inbound:
    kind: InboundKind
    context: EventContext
    # A text message's text: personal data, so kept out of repr (and of every log line).
    text: str | None = field(default=None, repr=False)
    postback_data: str | None = None
    # LINE's own postback params (date/time pickers, rich menu switches), not our data's fields.
    postback_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    unblocked: bool = False  # follow only: the resident had blocked the account before
    message_type: str | None = None  # message only: sticker, image, location, ...
    # LINE's id of a text message, or of the message an unsend retracts (an opaque number, not personal).
    message_id: str | None = None
    # The resident's language as stored before this event (the worker reads it; Japanese for a
    # stranger): features that word an answer need not know it, those that read typed input may.
    language: Language = DEFAULT_LANGUAGE

    @property
    def user_id(self) -> str | None:
        return self.context.user_id
