"""Handlers for sending messages and reading profiles: reply, push, multicast, narrowcast, broadcast."""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from typing import Any

from devstack.fake_line import limits, schema
from devstack.fake_line.routing import Call, Handler, Route, route
from devstack.fake_line.wire import (
    NOT_FOUND,
    LineApiError,
    Response,
    Violation,
    invalid_body,
    json_object_body,
    json_response,
)

QUOTABLE_TYPES = frozenset({"text", "textV2", "sticker", "image", "video"})

_message_ids = itertools.count(600_000_000_000_000_000)
_message_ids_lock = threading.Lock()


def _sent_messages(messages: list[dict[str, Any]]) -> dict[str, Any]:
    sent = []
    for message in messages:
        with _message_ids_lock:
            message_id = str(next(_message_ids))
        entry = {"id": message_id}
        if message.get("type") in QUOTABLE_TYPES:
            entry["quoteToken"] = secrets.token_urlsafe(48)
        sent.append(entry)
    return {"sentMessages": sent}


def checked_body(
    call: Call,
    model: Any,
    *rules: Callable[[dict[str, Any]], list[Violation]],
    checked_lists: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The JSON body, or a 400 listing LINE's limit violations, else line-bot-sdk's model errors."""
    body = json_object_body(call.request)
    violations = [violation for rule in rules for violation in rule(body)]
    if not violations:
        violations = schema.check_with_sdk(model, body, checked_lists)
    if violations:
        raise invalid_body(violations)
    return body


def _messages_rule(body: dict[str, Any]) -> list[Violation]:
    return limits.check_messages(body.get("messages"))


def reply(call: Call) -> Response:
    body = checked_body(call, schema.REPLY, _messages_rule)
    valid, user_id = call.app.state.use_reply_token(body["replyToken"])
    if not valid:
        raise LineApiError(400, "Invalid reply token")
    if user_id is not None:
        call.app.state.deliver([user_id], body["messages"], "reply", call.request_id)
    return json_response(200, _sent_messages(body["messages"]))


def push(call: Call) -> Response:
    body = checked_body(call, schema.PUSH, lambda b: limits.check_push_target(b.get("to")), _messages_rule)
    call.app.state.deliver([body["to"]], body["messages"], "push", call.request_id)
    return json_response(200, _sent_messages(body["messages"]))


def multicast(call: Call) -> Response:
    body = checked_body(
        call,
        schema.MULTICAST,
        lambda b: limits.check_multicast_recipients(b.get("to")),
        _messages_rule,
        checked_lists=("to",),
    )
    call.app.state.deliver(list(dict.fromkeys(body["to"])), body["messages"], "multicast", call.request_id)
    return json_response(200, {})


def narrowcast(call: Call) -> Response:
    checked_body(call, schema.NARROWCAST, _messages_rule)
    return json_response(202, {})


def broadcast(call: Call) -> Response:
    body = checked_body(call, schema.BROADCAST, _messages_rule)
    user_ids = [user.user_id for user in call.app.state.users()]
    call.app.state.deliver(user_ids, body["messages"], "broadcast", call.request_id)
    return json_response(200, {})


def validate_messages(call: Call) -> Response:
    checked_body(call, schema.VALIDATE_MESSAGES, _messages_rule)
    return json_response(200, {})


def profile(call: Call) -> Response:
    user = call.app.state.user(call.params["userId"])
    if user is None:
        raise LineApiError(404, NOT_FOUND)
    return json_response(200, user.profile())


ROUTES: list[Route[Handler]] = [
    route("POST", "/v2/bot/message/reply", "reply", reply),
    route("POST", "/v2/bot/message/push", "push", push, retry_key_allowed=True),
    route("POST", "/v2/bot/message/multicast", "multicast", multicast, retry_key_allowed=True),
    route("POST", "/v2/bot/message/narrowcast", "narrowcast", narrowcast, retry_key_allowed=True),
    route("POST", "/v2/bot/message/broadcast", "broadcast", broadcast, retry_key_allowed=True),
    *(
        route("POST", f"/v2/bot/message/validate/{kind}", "validate", validate_messages)
        for kind in ("reply", "push", "multicast", "narrowcast", "broadcast")
    ),
    route("GET", "/v2/bot/profile/{userId}", "profile", profile),
]
