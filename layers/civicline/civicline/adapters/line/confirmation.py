"""The resident's notice after intake: the confirmation card (Flex bubble) or the refusal, pushed once.

`X-Line-Retry-Key` is a uuid5 of the submission id: however often the SQS record is retried (a push
that failed, or a crash after the store), LINE shows the notice once and answers 409 to repeats.
429, 5xx and timeouts raise LineUnavailable (the record is retried); any other 4xx cannot pass later
and is reported as REJECTED for the caller to log — the stored application is never affected.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from linebot.v3.messaging import (
    FlexContainer,
    FlexMessage,
    Message,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException

from civicline.adapters.line.client import LINE_TIMEOUT
from civicline.adapters.line.errors import TRANSPORT_ERRORS, line_failure
from civicline.domain.applications.confirmation import ConfirmationCard, Notice, PendingRefusal
from civicline.domain.errors import LineUnavailable

ACCENT = "#1D6A96"
MUTED = "#666666"
# Fixed forever: the same submission must always give the same retry key.
CONFIRMATION_NAMESPACE = uuid.UUID("a4d2f0c1-6b3e-5f7a-8c9d-2e1f0a3b4c5d")


class NoticeDelivery(StrEnum):
    PUSHED = "pushed"
    ALREADY_PUSHED = "already_pushed"  # LINE had accepted this key before (409)
    REJECTED = "rejected"  # LINE refused for good (e.g. the resident blocked the account)


def confirmation_retry_key(submission_id: str) -> str:
    return str(uuid.uuid5(CONFIRMATION_NAMESPACE, submission_id))


def _row(label: str, value: str) -> dict[str, Any]:
    return {
        "type": "box",
        "layout": "baseline",
        "spacing": "md",
        "margin": "md",
        "contents": [
            {"type": "text", "text": label, "size": "xs", "color": MUTED, "flex": 2},
            {"type": "text", "text": value, "size": "sm", "wrap": True, "flex": 5},
        ],
    }


def confirmation_bubble(card: ConfirmationCard) -> dict[str, Any]:
    """Heading, the reception number large (residents read it out on the phone), the masked summary."""
    return {
        "type": "bubble",
        "header": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": card.heading, "weight": "bold", "size": "md", "color": ACCENT},
                {"type": "text", "text": card.form_title, "size": "xs", "color": MUTED, "wrap": True},
            ],
        },
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": card.reception_label, "size": "xs", "color": MUTED},
                {"type": "text", "text": card.reception_number, "size": "xl", "weight": "bold"},
                {"type": "separator", "margin": "lg"},
                *(_row(row.label, row.value) for row in card.rows),
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": card.note, "size": "xxs", "color": MUTED, "wrap": True}],
        },
    }


def notice_message(notice: Notice) -> Message:
    if isinstance(notice, PendingRefusal):
        return TextMessage(text=notice.text, quickReply=None)
    return FlexMessage(altText=notice.alt_text, contents=FlexContainer.from_dict(confirmation_bubble(notice)))


class ConfirmationSender:
    def __init__(self, api: Callable[[], MessagingApi]) -> None:
        self._api = api

    def push(self, user_id: str, submission_id: str, notice: Notice) -> NoticeDelivery:
        request = PushMessageRequest(to=user_id, messages=[notice_message(notice)])
        try:
            self._api().push_message(
                request, x_line_retry_key=confirmation_retry_key(submission_id), _request_timeout=LINE_TIMEOUT
            )
        except ApiException as error:
            if error.status == 409:
                return NoticeDelivery.ALREADY_PUSHED
            failure = line_failure(error, "push_message(confirmation)")
            if isinstance(failure, LineUnavailable) or not error.status:
                raise LineUnavailable(str(failure)) from None
            return NoticeDelivery.REJECTED
        except TRANSPORT_ERRORS as error:
            raise LineUnavailable(f"push_message(confirmation): {type(error).__name__}") from None
        return NoticeDelivery.PUSHED
