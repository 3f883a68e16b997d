"""What staff ask for: the messages, the segment, when, and whether it is a dry run or a テスト配信.

The messages are Japanese; `translations` optionally carries a version per other language, each its
own 1–5 messages (a version need not mirror the Japanese one message for message):

    messages: [{type: text, text: 新宿区からのお知らせです。…}]
    translations:
      ja-easy: [{type: text, text: しんじゅくくから の おしらせ です。…}]
      en: [{type: text, text: "A notice from Shinjuku City: …"}]

Which version each resident receives is decided in civicline.domain.broadcast.versions.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, field_validator

from civicline.models.broadcast.base import BROADCAST_ID_PATTERN, MULTICAST_MAX_RECIPIENTS, Frozen
from civicline.models.broadcast.message import MAX_MESSAGES, BroadcastMessage
from civicline.models.broadcast.segment import Segment
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.models.resident import LINE_USER_ID_PATTERN

MessageSet = Annotated[list[BroadcastMessage], Field(min_length=1, max_length=MAX_MESSAGES)]


class BroadcastRequest(Frozen):
    broadcast_id: str | None = Field(default=None, pattern=BROADCAST_ID_PATTERN)
    title: str = Field(default="", max_length=100)  # for staff reports; never sent to residents
    messages: MessageSet  # Japanese: every resident without a version of their own may receive these
    translations: dict[Language, MessageSet] = Field(default_factory=dict)
    segment: Segment = Segment()
    send_at: AwareDatetime | None = None
    dry_run: bool = False
    # テスト配信: when given, the messages go to these staff accounts only, never to the segment.
    test_user_ids: list[Annotated[str, Field(pattern=LINE_USER_ID_PATTERN)]] = Field(
        default_factory=list, max_length=MULTICAST_MAX_RECIPIENTS
    )

    @field_validator("test_user_ids")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("translations")
    @classmethod
    def _not_japanese(
        cls, value: dict[Language, list[BroadcastMessage]]
    ) -> dict[Language, list[BroadcastMessage]]:
        if DEFAULT_LANGUAGE in value:
            raise ValueError("the Japanese version is `messages`, not a translation")
        return value

    @property
    def is_test(self) -> bool:
        return bool(self.test_user_ids)

    @property
    def versions(self) -> tuple[Language, ...]:
        """The languages this request has messages in: Japanese first, then the catalogue's order."""
        return (DEFAULT_LANGUAGE, *(lang for lang in Language if lang in self.translations))

    def messages_for(self, version: Language) -> list[BroadcastMessage]:
        """One version's messages (KeyError for a language the request has none in)."""
        return self.messages if version is DEFAULT_LANGUAGE else self.translations[version]
