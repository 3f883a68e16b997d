"""The conversation store port: a resident's one open conversation, shared by every flow.

Settings, forms and data rights each keep their state here under their own flow name; at most one is
open per resident. Every write names the version it read (optimistic locking).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from civicline.domain.errors import RetryableError


class ConversationConflict(RetryableError):
    """Another writer changed the resident's conversation since it was read (optimistic locking)."""


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """A resident's open conversation: which flow asked the last question, and that flow's state.

    `version` is what was read; a save must name it, so a lost race is seen (ConversationConflict).
    """

    user_id: str
    flow: str
    state: dict[str, Any] = field(repr=False)
    version: int
    expires_at: int  # epoch seconds


class ConversationStore(Protocol):
    def load(self, user_id: str) -> StoredConversation | None:
        """The open conversation, or None (none, or past its expiry though not yet removed)."""
        ...

    def save(
        self, user_id: str, flow: str, state: dict[str, Any], expected_version: int
    ) -> StoredConversation:
        """Write the conversation if its version is still `expected_version` (0: none open), else
        ConversationConflict. The saved conversation has version `expected_version + 1`."""
        ...

    def clear(self, user_id: str, expected_version: int) -> None:
        """Close the conversation if its version is still `expected_version` (ConversationConflict)."""
        ...
