"""What the engine hands back: values the conversation worker turns into LINE messages.

Everything resident-facing is a message key plus parameters (see messages/ja/forms.yaml), the chat's
own `Message`: the applications chat turns a step into the chat's answer (applications/chat/rendering.py)
and the words are resolved once, when the answer is rendered for LINE. Parameters and summary values
can hold the resident's answers, so none of these show them in `repr`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from civicline.domain.chat.wording import Message
from civicline.models.forms import AnswerValue

POSTBACK_PREFIX = "form:"


@dataclass(frozen=True)
class QuickReply:
    """One button under the message.

    `label` is a message key (resolved text ≤ 20 characters). The worker sends `data` as the postback
    data (with the label as displayText); when the resident taps it, pass `Postback(data)` back to the
    engine. `picker="date"` asks for a LINE date-picker action instead: pass `Postback(data, date=...)`.
    """

    label: str
    data: str
    picker: Literal["date"] | None = None


@dataclass(frozen=True)
class SummaryRow:
    """One line of the confirmation card: a field's label key and its value as a message."""

    label: str
    value: Message = field(repr=False)


@dataclass(frozen=True)
class FormReply:
    """Say `notice` (if any), then `message`, with `quick_replies`; on the confirmation, also `summary`."""

    message: Message
    notice: Message | None = None
    quick_replies: tuple[QuickReply, ...] = ()
    summary: tuple[SummaryRow, ...] = ()


@dataclass(frozen=True)
class Postback:
    """A tapped quick reply (its `data`), with the picked date from a date picker (`YYYY-MM-DD`)."""

    data: str
    date: str | None = None


UserInput = str | Postback


def is_form_postback(data: str) -> bool:
    """Whether a postback belongs to the forms engine (the worker routes it to `answer`)."""
    return data.startswith(POSTBACK_PREFIX)


@dataclass(frozen=True)
class Completed:
    """The resident pressed 送信: build the Application or SurveyResponse (see `submission`)."""

    form_id: str
    form_version: int
    kind: str | None
    conversation_id: str
    answers: Mapping[str, AnswerValue] = field(repr=False)


EndReason = Literal["cancelled", "expired", "outdated"]


@dataclass(frozen=True)
class Ended:
    """The conversation is over without a submission: delete it and send `reply`."""

    reason: EndReason
    reply: FormReply


@dataclass(frozen=True)
class SwitchForm:
    """The resident agreed to drop the open form: delete it and `start` this one."""

    form_id: str
    kind: str | None


FormStep = FormReply | Completed | Ended | SwitchForm
