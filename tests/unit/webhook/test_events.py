"""Splitting webhook bodies into FIFO messages."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _text_event(text: str) -> dict[str, object]:
    return _event(source={"type": "user", "userId": "Uaaa"}, message={"type": "text", "text": text})


# What SQS accepts in a message body, written out from its documentation rather than from our regex.
def _sqs_accepts(text: str) -> bool:
    return all(
        c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or ord(c) >= 0x10000
        for c in text
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"destination": "U", "events": [{"n": ' + b"9" * 5000 + b"}]}", "an integer over 4,300 digits"),
        (b'{"destination": "U", "events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deep nesting"),
        (_body([_text_event("\uffff")]), "U+FFFF, a noncharacter SQS refuses"),
        (_body([_text_event("\ud800")]), "a lone surrogate"),
        (_body([_text_event("\ufffe")]), "U+FFFE"),
        (_body([_event(source={"type": "user", "userId": "U\u00e9"})]), "a group id SQS cannot carry"),
        (_body([_event(webhookEventId="01J EVENT")]), "a deduplication id with a space"),
    ],
)
def test_signed_bodies_sqs_would_refuse_are_malformed_not_a_crash(body: bytes, why: str) -> None:
    # Given a signed body LINE would never send (why), when it is parsed, then it is refused whole
    with pytest.raises(MalformedWebhook):
        parse_webhook(body)


def test_emoji_and_japanese_text_pass_through_to_the_queue() -> None:
    # Given a resident's message with characters outside the BMP and a private-use character
    text = "受信設定 🍣 \ue000 \U0010fffd"
    # When it is parsed, then it travels untouched
    _, queued = parse_webhook(_body([_text_event(text)]))
    assert json.loads(queued[0].body)["event"]["message"]["text"] == text


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"webhookEventId": st.text(min_size=1, max_size=40), "type": st.text(max_size=10)},
            optional={
                "source": st.dictionaries(st.sampled_from(["userId", "groupId"]), st.text(max_size=40))
            },
        ).flatmap(
            lambda event: st.dictionaries(st.text(max_size=8), _json_values, max_size=3).map(
                lambda extra: {**extra, **event}
            )
        ),
        max_size=4,
    )
)
def test_whatever_a_signed_body_holds_the_queue_gets_only_what_sqs_accepts(events: list[object]) -> None:
    # Given any events (any text, any nesting), when the body is parsed
    try:
        _, queued = parse_webhook(_body(events))
    except MalformedWebhook:
        return  # then either the whole body is refused (400) ...
    # ... or every message is one SQS accepts: body characters, group and deduplication ids
    for message in queued:
        assert _sqs_accepts(message.body)
        for fifo_id in (message.group_id, message.deduplication_id):
            assert 1 <= len(fifo_id) <= 128
            assert all("!" <= c <= "~" for c in fifo_id)
