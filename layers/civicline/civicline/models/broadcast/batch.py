"""A batch: one multicast's worth of recipients, as the planner enqueues it and the sender reads it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from civicline.models.broadcast.base import BROADCAST_ID_PATTERN, MULTICAST_MAX_RECIPIENTS, CamelCase
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.models.resident import LINE_USER_ID_PATTERN


class BroadcastBatch(CamelCase):
    """One multicast's worth of recipients, as it travels on the broadcast-batches queue.

    `language` is the version its recipients receive (every batch carries one version's messages);
    batches enqueued before versions existed carry none and are Japanese.
    """

    broadcast_id: str = Field(pattern=BROADCAST_ID_PATTERN)
    batch_number: int = Field(ge=0)
    user_ids: list[Annotated[str, Field(pattern=LINE_USER_ID_PATTERN)]] = Field(
        min_length=1, max_length=MULTICAST_MAX_RECIPIENTS
    )
    language: Language = DEFAULT_LANGUAGE

    def __repr__(self) -> str:  # ids are pseudonymous, but a thousand of them in a log line help nobody
        return (
            f"BroadcastBatch({self.broadcast_id}#{self.batch_number} {self.language}, "
            f"{len(self.user_ids)} recipients)"
        )

    __str__ = __repr__
