"""A resident's form in progress: the Conversations item the forms engine takes and returns at each
transition (versioned, with a TTL).

Apart from models.forms (the definitions it points into, the records a finished form becomes) because
only the forms engine and the chat that runs it read it. The answers are personal data: hidden from
`repr`, gone with the item's TTL.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from civicline.models.forms import FORM_ID_PATTERN, AnswerValue

# Where a conversation stands besides on a step of the form.
CHOOSING_KIND = "@kind"
CONFIRMING = "@confirm"
CHOOSING_EDIT = "@edit"


class PendingSwitch(BaseModel):
    """The resident asked for another form while this one was open; we asked whether to drop this one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    form_id: str = Field(pattern=FORM_ID_PATTERN)
    kind: str | None = None


class ConversationState(BaseModel):
    """One resident's form in progress (the Conversations item, keyed by the resident's user id).

    `version` grows by one on every transition: the adapter writes with a condition on the previous
    version (optimistic locking). `expires_at` is the TTL; nothing of an abandoned form outlives it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    conversation_id: str = Field(min_length=1, max_length=64)
    form_id: str = Field(pattern=FORM_ID_PATTERN)
    form_version: int = Field(ge=1)
    kind: str | None = None
    step_id: str = Field(description="a step id, or @kind / @confirm / @edit")
    answers: dict[str, AnswerValue] = Field(default_factory=dict, repr=False)
    answered_by: dict[str, str] = Field(
        default_factory=dict, description="step id → LINE id of the typed message that answered it (送信取消)"
    )
    history: tuple[str, ...] = Field(default=(), description="places visited, for 戻る")
    pending_switch: PendingSwitch | None = None
    version: int = Field(default=0, ge=0)
    started_at: datetime
    expires_at: datetime

    def expires_at_epoch(self) -> int:
        """The DynamoDB TTL attribute (seconds since the epoch)."""
        return int(self.expires_at.timestamp())
