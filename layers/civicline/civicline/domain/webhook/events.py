"""Splitting a verified webhook body into queue messages, one per event.

Events are handled as plain JSON here, not as SDK models: the webhook must stay cheap to import, and
any event type LINE adds later must pass through untouched to the conversation worker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Events without a source (LINE has none today, but the field is optional) share one FIFO group.
NO_SOURCE_GROUP = "no-source"
# SQS FIFO limits: MessageGroupId and MessageDeduplicationId are at most 128 characters, printable ASCII.
_FIFO_ID_MAX = 128
_FIFO_ID = re.compile(r"[!-~]{1,128}")
# The characters SQS accepts in a message body (#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF).
# JSON can carry the others as escapes (U+FFFF, a lone surrogate); SQS would refuse the whole batch, the
# webhook would answer 5xx and LINE would redeliver the same body forever.
_NOT_SQS_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
    except ValueError as error:  # not UTF-8, not JSON, or an integer over Python's 4,300-digit limit
        raise MalformedWebhook("body is not JSON") from error
    except RecursionError as error:  # no event LINE sends nests anywhere near the interpreter's limit
        raise MalformedWebhook("body is nested too deeply") from error
    try:
        return _split(payload)
    except RecursionError as error:  # re-encoding an event nested just under the decoder's limit
        raise MalformedWebhook("body is nested too deeply") from error


def _split(payload: Any) -> tuple[str, list[QueuedEvent]]:
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
        group_id = message_group_for(event)
        if not _FIFO_ID.fullmatch(event_id) or not _FIFO_ID.fullmatch(group_id):
            raise MalformedWebhook(f"event {index} has an id SQS cannot carry")
        event_type = event.get("type")
        queued_body = json.dumps({"destination": destination, "event": event}, ensure_ascii=False)
        if _NOT_SQS_TEXT.search(queued_body):
            raise MalformedWebhook(f"event {index} holds characters SQS refuses")
        queued.append(
            QueuedEvent(
                group_id=group_id,
                deduplication_id=event_id,
                body=queued_body,
                event_type=event_type if isinstance(event_type, str) else "unknown",
            )
        )
    return destination, queued
