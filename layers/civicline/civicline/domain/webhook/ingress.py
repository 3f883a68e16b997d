"""The webhook's one job: accept a signed body from LINE and put each event on the queue, fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from civicline.domain.errors import EnqueueFailed
from civicline.domain.webhook.events import MalformedWebhook, QueuedEvent, parse_webhook
from civicline.domain.webhook.signature import is_valid_signature

# LINE's own bodies are a few kB; anything near this is not LINE.
MAX_BODY_BYTES = 1024 * 1024


class EventSink(Protocol):
    def enqueue(self, events: Sequence[QueuedEvent]) -> None: ...


class IngressStatus(IntEnum):
    """What the webhook answers; the value is the HTTP status."""

    ACCEPTED = 200
    MALFORMED = 400
    BAD_SIGNATURE = 401
    TOO_LARGE = 413
    NOT_ENQUEUED = 503  # LINE redelivers on 5xx; de-duplication makes that safe


@dataclass(frozen=True, slots=True)
class IngressResult:
    status: IngressStatus
    event_types: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()


def receive(body: bytes, signature: str | None, channel_secret: str, sink: EventSink) -> IngressResult:
    """Verify, split and enqueue. Nothing is enqueued unless the whole body is valid."""
    if len(body) > MAX_BODY_BYTES:
        return IngressResult(IngressStatus.TOO_LARGE)
    if not is_valid_signature(channel_secret, body, signature):
        return IngressResult(IngressStatus.BAD_SIGNATURE)
    try:
        _, events = parse_webhook(body)
    except MalformedWebhook:
        return IngressResult(IngressStatus.MALFORMED)

    types = tuple(event.event_type for event in events)
    ids = tuple(event.deduplication_id for event in events)
    if not events:  # the console's URL check
        return IngressResult(IngressStatus.ACCEPTED)
    try:
        sink.enqueue(events)
    except EnqueueFailed:
        return IngressResult(IngressStatus.NOT_ENQUEUED, types, ids)
    return IngressResult(IngressStatus.ACCEPTED, types, ids)
