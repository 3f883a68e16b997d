"""What staff ask for: the messages, the segment, when, and whether it is a dry run or a テスト配信."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, field_validator

from civicline.models.broadcast.base import BROADCAST_ID_PATTERN, MULTICAST_MAX_RECIPIENTS, Frozen
from civicline.models.broadcast.message import MAX_MESSAGES, BroadcastMessage
from civicline.models.broadcast.segment import Segment
from civicline.models.resident import LINE_USER_ID_PATTERN


class BroadcastRequest(Frozen):
    broadcast_id: str | None = Field(default=None, pattern=BROADCAST_ID_PATTERN)
    title: str = Field(default="", max_length=100)  # for staff reports; never sent to residents
    messages: list[BroadcastMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
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

    @property
    def is_test(self) -> bool:
        return bool(self.test_user_ids)
