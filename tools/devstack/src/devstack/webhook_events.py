"""LINE webhook bodies and the HTTP API v2 events that carry them, signed like LINE signs them.

Used by `events/` generation, the tests, the demo and the benchmark, so all of them sign the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

DESTINATION = "U0000000000000000000000000000dev0"


def webhook_event_id() -> str:
    """A ULID-shaped id (26 Crockford base32 characters), unique per call."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    number = (int(time.time() * 1000) << 80) | (uuid.uuid4().int & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        number, digit = divmod(number, 32)
        chars.append(alphabet[digit])
    return "".join(reversed(chars))


def base_event(
    event_type: str, user_id: str | None, *, reply_token: str | None = None, **fields: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": event_type,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "webhookEventId": webhook_event_id(),
        "deliveryContext": {"isRedelivery": False},
    }
    if user_id is not None:
        event["source"] = {"type": "user", "userId": user_id}
    if reply_token is not None:
        event["replyToken"] = reply_token
    event.update(fields)
    return event


def follow_event(user_id: str, reply_token: str, *, unblocked: bool = False) -> dict[str, Any]:
    return base_event("follow", user_id, reply_token=reply_token, follow={"isUnblocked": unblocked})


def text_event(user_id: str, reply_token: str, text: str) -> dict[str, Any]:
    message = {
        "id": str(uuid.uuid4().int % 10**18),
        "type": "text",
        "text": text,
        "quoteToken": uuid.uuid4().hex,
    }
    return base_event("message", user_id, reply_token=reply_token, message=message)


def postback_event(
    user_id: str, reply_token: str, data: str, params: dict[str, str] | None = None
) -> dict[str, Any]:
    postback: dict[str, Any] = {"data": data}
    if params:
        postback["params"] = params
    return base_event("postback", user_id, reply_token=reply_token, postback=postback)


def body_of(events: list[dict[str, Any]], destination: str = DESTINATION) -> bytes:
    return json.dumps(
        {"destination": destination, "events": events}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def sign(channel_secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()).decode(
        "ascii"
    )


def http_api_event(body: bytes, signature: str | None, *, base64_body: bool = False) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event for POST /webhook, as LINE's request arrives."""
    headers = {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "LineBotWebhook/2.0",
        "host": "example.execute-api.ap-northeast-1.amazonaws.com",
    }
    if signature is not None:
        headers["x-line-signature"] = signature
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "POST /webhook",
        "rawPath": "/webhook",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "example",
            "domainName": "example.execute-api.ap-northeast-1.amazonaws.com",
            "domainPrefix": "example",
            "http": {
                "method": "POST",
                "path": "/webhook",
                "protocol": "HTTP/1.1",
                "sourceIp": "147.92.150.192",
                "userAgent": "LineBotWebhook/2.0",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "POST /webhook",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": base64.b64encode(body).decode("ascii") if base64_body else body.decode("utf-8"),
        "isBase64Encoded": base64_body,
    }
