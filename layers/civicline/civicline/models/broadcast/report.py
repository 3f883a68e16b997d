"""What a broadcast became, for staff: its status, counts, LINE's refusals, and a dry run's preview."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from civicline.models.broadcast.base import CamelCase
from civicline.models.language import DEFAULT_LANGUAGE, Language


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"  # recorded; its one-time schedule starts it at send_at
    PLANNED = "planned"
    SENDING = "sending"
    DONE = "done"
    PARTIALLY_FAILED = "partially_failed"
    CANCELLED = "cancelled"  # was scheduled; staff cancelled it before its time, nothing was sent


class AudiencePreview(CamelCase):
    """What a dry run answers: how many would receive it, by area (`unanswered` for no area), by the
    residents' own language (none stored = `ja`), and by the version each would receive.

    `languages_without_version`: the languages of the account the request has no version in, in the
    catalogue's order, whether or not anyone in this audience reads them; their readers receive
    `fallback_version` (やさしい日本語 when given, else Japanese).
    """

    audience_size: int = Field(ge=0)
    by_area: dict[str, int]
    send_date: str
    by_language: dict[str, int] = Field(default_factory=dict)
    by_version: dict[str, int] = Field(default_factory=dict)
    languages_without_version: tuple[Language, ...] = ()
    fallback_version: Language = DEFAULT_LANGUAGE


class BatchFailure(CamelCase):
    batch_number: int
    recipients: int
    status: int | None  # LINE's HTTP status; None when no answer came
    message: str  # LINE's error message and details, never recipients
    language: Language = DEFAULT_LANGUAGE  # the version the batch carried (a refused version shows here)


class BroadcastReport(CamelCase):
    broadcast_id: str
    title: str = ""
    status: BroadcastStatus
    test: bool = False
    created_at: datetime
    send_date: str
    send_at: datetime | None = None  # None: sent as soon as it was planned
    planning_complete: bool
    audience_size: int  # recipients enqueued so far
    audience_by_version: dict[str, int] = Field(default_factory=dict)  # of which, per version sent
    batches_planned: int
    batches_sent: int
    recipients_sent: int
    batches_failed: int
    recipients_failed: int
    batches_completed: int = 0  # sent + failed: the broadcast is over when it reaches batches_planned
    retries: int
    already_accepted: int  # 409: LINE had this batch already
    failures: tuple[BatchFailure, ...] = ()
    # When LINE accepted the first and the last batch so far (200 or 409), as the senders saw it.
    first_batch_accepted_at: datetime | None = None
    last_batch_accepted_at: datetime | None = None
