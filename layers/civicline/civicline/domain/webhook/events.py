"""Splitting a verified webhook body into queue messages, one per event.

Events are handled as plain JSON here, not as SDK models: the webhook must stay cheap to import, and
any event type LINE adds later must pass through untouched to the conversation worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Events without a source (LINE has none today, but the field is optional) share one FIFO group.
NO_SOURCE_GROUP = "no-source"
# SQS FIFO limits: MessageGroupId and MessageDeduplicationId are at most 128 characters.
_FIFO_ID_MAX = 128


class MalformedWebhook(ValueError):
    """The body is signed but is not a webhook LINE would send: refuse it whole, enqueue nothing."""


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """One event as it travels on events.fifo."""

    group_id: str
    deduplication_id: str
    body: str
    event_type: str


def message_group_for(event: dict[str, Any]) -> str:
    """Events of one user (or one group/room) are processed in order; different users in parallel."""
    source = event.get("source")
    if isinstance(source, dict):
        for key in ("userId", "groupId", "roomId"):
            value = source.get(key)
            if isinstance(value, str) and value:
                return value[:_FIFO_ID_MAX]
    return NO_SOURCE_GROUP


def parse_webhook(body: bytes) -> tuple[str, list[QueuedEvent]]:
    """The destination and the events of a verified body, or MalformedWebhook (never partially)."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedWebhook("body is not JSON") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise MalformedWebhook("body has no events list")
    destination = payload.get("destination")
    if not isinstance(destination, str):
        raise MalformedWebhook("body has no destination")

    queued: list[QueuedEvent] = []
    for index, event in enumerate(payload["events"]):
        if not isinstance(event, dict):
            raise MalformedWebhook(f"event {index} is not an object")
        event_id = event.get("webhookEventId")
        if not isinstance(event_id, str) or not event_id or len(event_id) > _FIFO_ID_MAX:
            raise MalformedWebhook(f"event {index} has no usable webhookEventId")
        event_type = event.get("type")
        queued.append(
            QueuedEvent(
                group_id=message_group_for(event),
                deduplication_id=event_id,
                body=json.dumps({"destination": destination, "event": event}, ensure_ascii=False),
                event_type=event_type if isinstance(event_type, str) else "unknown",
            )
        )
    return destination, queued
