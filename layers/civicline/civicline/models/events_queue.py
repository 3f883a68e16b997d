"""An events.fifo record and its body, as the webhook writes it (civicline/domain/webhook/events.py).

Kept out of adapters/sqs/events_queue.py, which the webhook imports: its cold start has no pydantic.


`{"destination": <bot user id>, "event": <one LINE webhook event, as LINE sent it>}`. Only what the
worker relies on before line-bot-sdk parses the event is checked here; the event's other fields pass
through untouched (the SDK reads them, and models a type it does not know as UnknownEvent).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, ConfigDict, Field, Json


class QueuedLineEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    # The idempotency key and the FIFO de-duplication id: an event without one was not enqueued by us.
    webhook_event_id: str = Field(alias="webhookEventId", min_length=1)


class QueuedWebhookEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    destination: str
    event: QueuedLineEvent

    def payload(self) -> dict[str, Any]:
        """The body as the webhook wrote it: what the idempotency record and the SDK see."""
        return self.model_dump(by_alias=True)


class EventsQueueRecord(SqsRecordModel):
    """An events.fifo record whose body is what the webhook enqueues (the worker's batch model)."""

    body: Json[QueuedWebhookEvent]
