"""One multicast through line-bot-sdk, with the batch's retry key, answered as a LineAnswer.

Our messages (pydantic v2) become the SDK's message objects (pydantic v1) here and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import urllib3
from linebot.v3.messaging import (
    ApiException,
    Message,
    MessagingApi,
    MulticastRequest,
)
from linebot.v3.messaging import (
    FlexMessage as SdkFlexMessage,
)
from linebot.v3.messaging import (
    ImageMessage as SdkImageMessage,
)
from linebot.v3.messaging import (
    TextMessage as SdkTextMessage,
)

from civicline.adapters.line.client import LINE_TIMEOUT
from civicline.domain.broadcast.sender import LineAnswer
from civicline.models.broadcast.message import BroadcastMessage, FlexMessage, ImageMessage, TextMessage


def to_line_message(message: BroadcastMessage) -> Message:
    if isinstance(message, TextMessage):
        return SdkTextMessage(text=message.text)
    if isinstance(message, ImageMessage):
        return SdkImageMessage(
            original_content_url=str(message.original_content_url),
            preview_image_url=str(message.preview_image_url),
        )
    if isinstance(message, FlexMessage):
        return SdkFlexMessage.from_dict(message.line_dict())
    raise TypeError(f"unknown message type {type(message).__name__}")


def _error_details(body: Any) -> str:
    """LINE's `message` and `details` (property paths), never the request."""
    try:
        parsed = json.loads(body) if body else {}
    except (TypeError, ValueError):
        return ""
    if not isinstance(parsed, dict):
        return ""
    details = "; ".join(
        f"{d.get('property', '')}: {d.get('message', '')}"
        for d in parsed.get("details") or []
        if isinstance(d, dict)
    )
    message = str(parsed.get("message", ""))
    return f"{message} ({details})" if details else message


class LineMulticast:
    """The domain's Multicast through line-bot-sdk.

    `api` gives the Messaging API client for each call: the access token is renewed before it expires
    and the channel secret re-read now and then (line.client), so a warm sender always holds a live one.
    """

    def __init__(self, api: Callable[[], MessagingApi]) -> None:
        self._api = api

    def __call__(
        self, user_ids: Sequence[str], messages: Sequence[BroadcastMessage], retry_key: str
    ) -> LineAnswer:
        request = MulticastRequest(to=list(user_ids), messages=[to_line_message(m) for m in messages])
        try:
            self._api().multicast(request, x_line_retry_key=retry_key, _request_timeout=LINE_TIMEOUT)
        except ApiException as error:
            if not error.status:  # the SDK's own transport failure
                return LineAnswer(status=None, error="no answer")
            return LineAnswer(status=int(error.status), error=_error_details(error.body))
        except urllib3.exceptions.HTTPError as error:
            # Timed out or dropped after sending: LINE may have accepted it; the same key settles it.
            return LineAnswer(status=None, error=type(error).__name__)
        return LineAnswer(status=200)
