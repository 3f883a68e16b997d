"""Answering an event: with its reply token while that is usable, else a push when still useful.

- A reply token works once, for about a minute. We reply only to a fresh event (under 50 s old by its
  own timestamp), seen for the first time (not a LINE redelivery, not a queue retry).
- Otherwise, if the outcome says it is still worth saying, we push, with `X-Line-Retry-Key` derived
  from the webhookEventId: a push retried for the same event is accepted once (LINE answers 409 to the
  repeat), so a resident never reads the same answer twice from retries.
- Events in standby mode are never answered (another channel has the chat).
- 429, 5xx and timeouts raise LineUnavailable (the queue tries the event again); other 4xx cannot
  pass later and are reported as REJECTED for the caller to log.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from enum import StrEnum

import urllib3
from linebot.v3.messaging import MessagingApi, PushMessageRequest, ReplyMessageRequest
from linebot.v3.messaging.exceptions import ApiException

from civicline.adapters.line.client import LINE_TIMEOUT, messaging_api
from civicline.adapters.line.messages import line_messages
from civicline.domain.chat.inbound import EventContext
from civicline.domain.chat.replies import Answer, WhenStale
from civicline.domain.errors import CivicLineError, LineRejected, LineUnavailable

REPLY_TOKEN_FRESH_MS = 50_000  # LINE says "about one minute"; keep a margin for the call itself
# Fixed forever: the same webhookEventId must always give the same retry key.
RETRY_KEY_NAMESPACE = uuid.UUID("3b0f6f0e-8f5e-4c55-a7a4-6f3c2b1d9e47")
TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, OSError)


class Delivery(StrEnum):
    NOTHING = "nothing"  # nothing to say
    REPLIED = "replied"
    PUSHED = "pushed"
    ALREADY_PUSHED = "already_pushed"  # a retry of a push LINE had accepted (409)
    DROPPED = "dropped"  # too late to reply and not worth a push, or standby
    REJECTED = "rejected"  # LINE refused the messages for good


def retry_key(webhook_event_id: str) -> str:
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, webhook_event_id))


def _error_message(error: ApiException) -> str:
    try:
        return str(json.loads(error.body or "{}").get("message", ""))
    except (ValueError, AttributeError):
        return ""


def line_failure(error: ApiException, operation: str) -> CivicLineError:
    """The domain error for a LINE error answer: status and LINE's message, never our content."""
    status = error.status or 0
    detail = f"{operation}: HTTP {status} {_error_message(error)[:120]}".strip()
    if status == 429 or status >= 500:
        return LineUnavailable(detail)
    return LineRejected(detail)


def _invalid_reply_token(error: ApiException) -> bool:
    return error.status == 400 and "reply token" in _error_message(error).lower()


class LineOutbox:
    def __init__(
        self, api: Callable[[], MessagingApi] = messaging_api, clock: Callable[[], float] = time.time
    ) -> None:
        self._api = api
        self._clock = clock

    def send(self, context: EventContext, outcome: Answer) -> Delivery:  # noqa: PLR0911
        if not outcome.replies:
            return Delivery.NOTHING
        if context.standby or not context.one_to_one or context.user_id is None:
            return Delivery.DROPPED
        messages = line_messages(outcome.replies)
        if self._can_reply(context):
            assert context.reply_token is not None
            try:
                self._api().reply_message(
                    ReplyMessageRequest(replyToken=context.reply_token, messages=messages),
                    _request_timeout=LINE_TIMEOUT,
                )
                return Delivery.REPLIED
            except ApiException as error:
                if not _invalid_reply_token(error):
                    return self._failed(error, "reply_message")
                # Used or expired after all (a retry whose first reply got through): push instead.
            except TRANSPORT_ERRORS as error:
                raise LineUnavailable(f"reply_message: {type(error).__name__}") from None
        if outcome.when_stale is not WhenStale.PUSH:
            return Delivery.DROPPED
        try:
            self._api().push_message(
                PushMessageRequest(to=context.user_id, messages=messages),
                x_line_retry_key=retry_key(context.webhook_event_id),
                _request_timeout=LINE_TIMEOUT,
            )
            return Delivery.PUSHED
        except ApiException as error:
            if error.status == 409:
                return Delivery.ALREADY_PUSHED
            return self._failed(error, "push_message")
        except TRANSPORT_ERRORS as error:
            raise LineUnavailable(f"push_message: {type(error).__name__}") from None

    def _can_reply(self, context: EventContext) -> bool:
        age_ms = self._clock() * 1000 - context.timestamp_ms
        return (
            context.reply_token is not None
            and not context.is_redelivery
            and context.receive_count <= 1
            and age_ms < REPLY_TOKEN_FRESH_MS
        )

    @staticmethod
    def _failed(error: ApiException, operation: str) -> Delivery:
        failure = line_failure(error, operation)
        if isinstance(failure, LineUnavailable):
            raise failure from None
        return Delivery.REJECTED
