"""Answering an event: with its reply token while that is usable, else a push when still useful.

- A reply token works once, for about a minute. We reply only to a fresh event (under 50 s old by its
  own timestamp), seen for the first time (not a LINE redelivery, not a queue retry).
- Otherwise, if the answer says it is still worth saying, we push, with `X-Line-Retry-Key` derived
  from the webhookEventId: a push retried for the same event is accepted once (LINE answers 409 to the
  repeat), so a resident never reads the same answer twice from retries.
- Events in standby mode are never answered (another channel has the chat).
- 429, 5xx and timeouts raise LineUnavailable (the queue tries the event again); other 4xx cannot
  pass later and are reported as REJECTED for the caller to log.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from enum import StrEnum

from linebot.v3.messaging import MessagingApi, PushMessageRequest, ReplyMessageRequest
from linebot.v3.messaging.exceptions import ApiException

from civicline import messages as catalogue
from civicline.adapters.line.client import LINE_TIMEOUT
from civicline.adapters.line.errors import TRANSPORT_ERRORS, error_message, line_failure
from civicline.adapters.line.messages import line_messages
from civicline.domain.chat.inbound import EventContext
from civicline.domain.chat.replies import Answer, WhenStale
from civicline.domain.chat.wording import Phrase
from civicline.domain.errors import LineUnavailable

REPLY_TOKEN_FRESH_MS = 50_000  # LINE says "about one minute"; keep a margin for the call itself
# Fixed forever: the same webhookEventId must always give the same retry key.
RETRY_KEY_NAMESPACE = uuid.UUID("3b0f6f0e-8f5e-4c55-a7a4-6f3c2b1d9e47")


class Delivery(StrEnum):
    NOTHING = "nothing"  # nothing to say
    REPLIED = "replied"
    PUSHED = "pushed"
    ALREADY_PUSHED = "already_pushed"  # a retry of a push LINE had accepted (409)
    DROPPED = "dropped"  # too late to reply and not worth a push, or standby
    REJECTED = "rejected"  # LINE refused the messages for good


def retry_key(webhook_event_id: str) -> str:
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, webhook_event_id))


def _invalid_reply_token(error: ApiException) -> bool:
    return error.status == 400 and "reply token" in error_message(error).lower()


class LineOutbox:
    """Sends the chat's answers. `api` gives the Messaging API client (a fresh token after rotation)."""

    def __init__(self, api: Callable[[], MessagingApi], clock: Callable[[], float] = time.time) -> None:
        self._api = api
        self._clock = clock

    def send(  # noqa: PLR0911
        self, context: EventContext, answer: Answer[Phrase], lang: str = catalogue.DEFAULT_LANGUAGE
    ) -> Delivery:
        """`lang`: the language the answer's words are put in (the resident's, once residents choose)."""
        if not answer.replies:
            return Delivery.NOTHING
        if context.standby or not context.one_to_one or context.user_id is None:
            return Delivery.DROPPED
        messages = line_messages(answer, lang)
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
        if answer.when_stale is not WhenStale.PUSH:
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
