"""The conversation store port: a resident's one open conversation, shared by every flow.

Settings, forms and data rights each keep their state here under their own flow name; at most one is
open per resident, the one that asked last. Every write names the version it read (optimistic locking).

A flow that interrupts another (a settings question asked while a form is open) keeps the interrupted
conversation in its own state under `PAUSED` and puts it back when it closes; `paused(stored)` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
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


PAUSED = "paused"


def pausing(stored: StoredConversation | None, own_flow: str) -> dict[str, Any] | None:
    """What a flow taking the slot keeps under PAUSED: the other flow open now, or what it paused itself."""
    if stored is None:
        return None
    if stored.flow != own_flow:
        return {"flow": stored.flow, "state": stored.state}
    inner = stored.state.get(PAUSED)
    return inner if isinstance(inner, dict) else None


def paused(stored: StoredConversation) -> StoredConversation | None:
    """The conversation `stored` interrupted and will put back, as it was (same version as `stored`)."""
    inner = stored.state.get(PAUSED)
    if not isinstance(inner, dict) or not isinstance(inner.get("flow"), str):
        return None
    state = inner.get("state")
    return StoredConversation(
        user_id=stored.user_id,
        flow=inner["flow"],
        state=dict(state) if isinstance(state, dict) else {},
        version=stored.version,
        expires_at=stored.expires_at,
    )


class ConversationStore(Protocol):
    def load(self, user_id: str) -> StoredConversation | None:
        """The open conversation, or None (none, or past its expiry though not yet removed)."""
        ...

    def save(
        self,
        user_id: str,
        flow: str,
        state: dict[str, Any],
        expected_version: int,
        lifetime: timedelta | None = None,
    ) -> StoredConversation:
        """Write the conversation if its version is still `expected_version` (0: none open), else
        ConversationConflict. The saved conversation has version `expected_version + 1` and lives for
        `lifetime` (None: the store's own lifetime)."""
        ...

    def clear(self, user_id: str, expected_version: int) -> None:
        """Close the conversation if its version is still `expected_version` (ConversationConflict)."""
        ...
