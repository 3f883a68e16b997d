"""The webhook's one job: accept a signed body from LINE and put each event on the queue, fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, auto
from typing import Protocol

from civicline.domain.errors import EnqueueFailed
from civicline.domain.webhook.events import MalformedWebhook, QueuedEvent, parse_webhook
from civicline.domain.webhook.signature import channel_secret_problem, is_valid_signature

# LINE's own bodies are a few kB; anything near this is not LINE.
MAX_BODY_BYTES = 1024 * 1024


class EventSink(Protocol):
    def enqueue(self, events: Sequence[QueuedEvent]) -> None: ...


class IngressStatus(Enum):
    """What the webhook answers; `http_status` is the HTTP status (two of them share 503)."""

    ACCEPTED = auto()
    MALFORMED = auto()
    BAD_SIGNATURE = auto()
    TOO_LARGE = auto()
    NOT_ENQUEUED = auto()  # LINE redelivers on 5xx; de-duplication makes that safe
    SECRET_NOT_SET = auto()  # fail closed until staff enter the channel secret

    @property
    def http_status(self) -> int:
        return _STATUS[self]


_STATUS = {
    IngressStatus.ACCEPTED: 200,
    IngressStatus.MALFORMED: 400,
    IngressStatus.BAD_SIGNATURE: 401,
    IngressStatus.TOO_LARGE: 413,
    IngressStatus.NOT_ENQUEUED: 503,
    IngressStatus.SECRET_NOT_SET: 503,
}


@dataclass(frozen=True, slots=True)
class IngressResult:
    status: IngressStatus
    event_types: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()
    reason: str | None = None  # for the log; never quotes the body or the secret


def receive(body: bytes, signature: str | None, channel_secret: str, sink: EventSink) -> IngressResult:
    """Verify, split and enqueue. Nothing is enqueued unless the whole body is valid."""
    refused = _refusal(body, signature, channel_secret)
    if refused is not None:
        return refused
    try:
        _, events = parse_webhook(body)
    except MalformedWebhook as malformed:
        return IngressResult(IngressStatus.MALFORMED, reason=str(malformed))

    types = tuple(event.event_type for event in events)
    ids = tuple(event.deduplication_id for event in events)
    if not events:  # the console's URL check
        return IngressResult(IngressStatus.ACCEPTED)
    try:
        sink.enqueue(events)
    except EnqueueFailed:
        return IngressResult(IngressStatus.NOT_ENQUEUED, types, ids)
    return IngressResult(IngressStatus.ACCEPTED, types, ids)


def _refusal(body: bytes, signature: str | None, channel_secret: str) -> IngressResult | None:
    """Why the body must not be read at all, if it must not."""
    problem = channel_secret_problem(channel_secret)
    if problem is not None:
        return IngressResult(IngressStatus.SECRET_NOT_SET, reason=problem)
    if len(body) > MAX_BODY_BYTES:
        return IngressResult(IngressStatus.TOO_LARGE)
    if not is_valid_signature(channel_secret, body, signature):
        return IngressResult(IngressStatus.BAD_SIGNATURE)
    return None
