"""The webhook's decisions, with an in-memory queue."""

from __future__ import annotations

import json
from collections.abc import Sequence

from civicline.domain.errors import EnqueueFailed
from civicline.domain.webhook.events import QueuedEvent
from civicline.domain.webhook.ingress import MAX_BODY_BYTES, IngressStatus, receive
from civicline.domain.webhook.signature import signature_for

SECRET = "unit-secret"


class MemorySink:
    def __init__(self, fail: bool = False) -> None:
        self.enqueued: list[QueuedEvent] = []
        self.fail = fail

    def enqueue(self, events: Sequence[QueuedEvent]) -> None:
        if self.fail:
            raise EnqueueFailed("queue down")
        self.enqueued.extend(events)


def _body(n: int) -> bytes:
    events = [
        {"type": "follow", "webhookEventId": f"01J{i:03d}", "source": {"userId": f"U{i}"}} for i in range(n)
    ]
    return json.dumps({"destination": "Ud", "events": events}).encode()


def test_signed_body_is_enqueued_event_by_event() -> None:
    sink = MemorySink()
    body = _body(12)
    result = receive(body, signature_for(SECRET, body), SECRET, sink)
    assert result.status is IngressStatus.ACCEPTED
    assert [e.deduplication_id for e in sink.enqueued] == [f"01J{i:03d}" for i in range(12)]


def test_wrong_signature_enqueues_nothing() -> None:
    sink = MemorySink()
    body = _body(1)
    result = receive(body, signature_for("other", body), SECRET, sink)
    assert result.status is IngressStatus.BAD_SIGNATURE
    assert result.event_ids == ()
    assert sink.enqueued == []


def test_missing_signature_enqueues_nothing() -> None:
    sink = MemorySink()
    assert receive(_body(1), None, SECRET, sink).status is IngressStatus.BAD_SIGNATURE
    assert sink.enqueued == []


def test_signed_but_malformed_is_400_and_nothing_enqueued() -> None:
    sink = MemorySink()
    body = json.dumps({"destination": "Ud", "events": [{"type": "follow"}]}).encode()
    assert receive(body, signature_for(SECRET, body), SECRET, sink).status is IngressStatus.MALFORMED
    assert sink.enqueued == []


def test_url_check_is_accepted() -> None:
    sink = MemorySink()
    body = _body(0)
    assert receive(body, signature_for(SECRET, body), SECRET, sink).status is IngressStatus.ACCEPTED


def test_oversized_body_is_413_before_any_work() -> None:
    sink = MemorySink()
    body = b" " * (MAX_BODY_BYTES + 1)
    assert receive(body, signature_for(SECRET, body), SECRET, sink).status is IngressStatus.TOO_LARGE


def test_queue_failure_asks_line_to_redeliver() -> None:
    body = _body(3)
    result = receive(body, signature_for(SECRET, body), SECRET, MemorySink(fail=True))
    assert result.status is IngressStatus.NOT_ENQUEUED
    assert 500 <= int(result.status) < 600
