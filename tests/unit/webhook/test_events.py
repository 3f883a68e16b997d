"""Splitting webhook bodies into FIFO messages."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from civicline.domain.webhook.events import (
    NO_SOURCE_GROUP,
    MalformedWebhook,
    message_group_for,
    parse_webhook,
)


def _body(events: Sequence[object], destination: object = "Udest") -> bytes:
    return json.dumps({"destination": destination, "events": events}).encode()


def _event(**fields: object) -> dict[str, object]:
    return {"type": "message", "webhookEventId": "01JEVENT", "mode": "active", "timestamp": 1, **fields}


@pytest.mark.parametrize(
    ("source", "group"),
    [
        ({"type": "user", "userId": "Uaaa"}, "Uaaa"),
        ({"type": "group", "groupId": "Cggg", "userId": "Uaaa"}, "Uaaa"),
        ({"type": "group", "groupId": "Cggg"}, "Cggg"),
        ({"type": "room", "roomId": "Rrrr"}, "Rrrr"),
        (None, NO_SOURCE_GROUP),
    ],
)
def test_message_group_follows_the_source(source: object, group: str) -> None:
    event = _event() if source is None else _event(source=source)
    assert message_group_for(event) == group


def test_each_event_keeps_its_raw_shape_and_destination() -> None:
    # Given a body with two events of a type the SDK does not know yet
    events = [_event(type="someFutureEvent", webhookEventId=f"01J{i}", extra={"x": i}) for i in range(2)]
    # When it is parsed
    destination, queued = parse_webhook(_body(events))
    # Then every event travels whole, deduplicated by its webhookEventId
    assert destination == "Udest"
    assert [q.deduplication_id for q in queued] == ["01J0", "01J1"]
    assert [json.loads(q.body) for q in queued] == [{"destination": "Udest", "event": e} for e in events]
    assert {q.event_type for q in queued} == {"someFutureEvent"}


def test_url_check_has_no_events() -> None:
    assert parse_webhook(_body([])) == ("Udest", [])


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"destination": "U"}).encode(),
        json.dumps({"events": []}).encode(),
        _body(["not an object"]),
        _body([{"type": "follow"}]),
        _body([_event(), {"type": "follow", "webhookEventId": ""}]),
        _body([_event(webhookEventId="x" * 129)]),
    ],
)
def test_malformed_bodies_are_refused_whole(body: bytes) -> None:
    with pytest.raises(MalformedWebhook):
        parse_webhook(body)
