"""The forms engine: form definitions as data, a pure conversation state machine, typed inputs.

    from civicline.domain.applications import forms
    form = forms.load_form("koho_delivery")
    state, reply = forms.start(form, "new", now)
    state, outcome = forms.answer(form, state, "新宿 太郎", now)

The chat turns the engine's steps into its answers (civicline/domain/applications/chat/rendering.py).
See engine.py for the conversation rules and reply.py for the values handed to the worker.
"""

from civicline.domain.applications.forms.definition import (
    FormDefinitionError,
    check_form,
    form_ids,
    load_form,
)
from civicline.domain.applications.forms.engine import (
    answer,
    is_expired,
    request_switch,
    resume,
    retract,
    start,
)
from civicline.domain.applications.forms.reply import (
    Completed,
    Ended,
    FormReply,
    FormStep,
    Message,
    Postback,
    QuickReply,
    SummaryRow,
    SwitchForm,
    UserInput,
    is_form_postback,
)
from civicline.domain.applications.forms.submission import (
    application_reply,
    build_application,
    build_survey_response,
    choice_counts,
    survey_reply,
)

__all__ = [
    "Completed",
    "Ended",
    "FormDefinitionError",
    "FormReply",
    "FormStep",
    "Message",
    "Postback",
    "QuickReply",
    "SummaryRow",
    "SwitchForm",
    "UserInput",
    "answer",
    "application_reply",
    "build_application",
    "build_survey_response",
    "check_form",
    "choice_counts",
    "form_ids",
    "is_expired",
    "is_form_postback",
    "load_form",
    "request_switch",
    "resume",
    "retract",
    "start",
    "survey_reply",
]
