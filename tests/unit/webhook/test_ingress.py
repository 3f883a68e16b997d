"""The webhook's decisions, with an in-memory queue."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.domain.errors import EnqueueFailed
from civicline.domain.webhook.events import QueuedEvent
from civicline.domain.webhook.ingress import MAX_BODY_BYTES, IngressStatus, receive
from civicline.domain.webhook.signature import PLACEHOLDER_CHANNEL_SECRET, signature_for

SECRET = "0123456789abcdef0123456789abcdef"  # LINE issues 32 hex characters


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
    assert 500 <= result.status.http_status < 600


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (PLACEHOLDER_CHANNEL_SECRET, "channel secret is still the deploy placeholder"),
        ("0123456789abcdef", "channel secret is shorter than 32 characters"),
        ("", "channel secret is shorter than 32 characters"),
    ],
)
def test_forged_event_is_refused_while_staff_have_not_entered_the_channel_secret(
    secret: str, reason: str
) -> None:
    # Given the secret still holds the template's placeholder (or a key short enough to guess),
    # and a forger signs a 削除する postback for a known resident with it
    sink = MemorySink()
    body = json.dumps(
        {
            "destination": "Ud",
            "events": [{"type": "postback", "webhookEventId": "01JFORGED", "source": {"userId": "Uknown"}}],
        }
    ).encode()
    # When the webhook receives it
    result = receive(body, signature_for(secret, body), secret, sink)
    # Then it answers 503 (LINE will redeliver real events once the secret is set), enqueues nothing,
    # and says why without quoting the value
    assert result.status is IngressStatus.SECRET_NOT_SET
    assert result.status.http_status == 503
    assert result.reason == reason
    assert sink.enqueued == []


def test_a_real_looking_secret_is_enough_for_the_url_check() -> None:
    body = _body(0)
    secret = "f" * 32
    assert receive(body, signature_for(secret, body), secret, MemorySink()).status is IngressStatus.ACCEPTED


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_any_signed_body_is_answered_with_a_clean_status(body: bytes) -> None:
    # Given any bytes at all, correctly signed
    sink = MemorySink()
    # When they arrive, then the webhook answers 200 or 400 and never raises (a raise is a 500)
    result = receive(body, signature_for(SECRET, body), SECRET, sink)
    assert result.status in {IngressStatus.ACCEPTED, IngressStatus.MALFORMED}
