"""The forms engine: a pure state machine, one question at a time (一問一答).

    state, reply = start(form, kind, now)
    state, outcome = answer(form, state, user_input, now)  # FormReply | Completed | Ended | SwitchForm

No I/O: the conversation worker loads and saves the ConversationState (with a condition on its version),
turns Replies into LINE messages and hands a Completed to `submission`. Every transition returns a new
state with `version + 1` and a fresh `expires_at`.

Where a conversation stands (`state.step_id`): a step of the form, or @kind (choosing the kind of form),
@confirm (the confirmation card) or @edit (choosing a field to fix). Commands work anywhere: やめる cancels,
戻る goes back one place; a typed answer the resident retracts (LINE's 送信取消, `retract`) is dropped
and its question asked again; on the card, 送信 submits and 修正 lists the fields to fix. After any answer the
next place is the next step that applies, until the card has been shown; from then on it is the first
step without an answer, or the card: so fixing one field returns to the card, unless the fix cleared
answers that depend on it (a new postal code clears the town confirmation and the address).

Over 300 lines on purpose: one cohesive pure unit (no I/O), the transitions of one state machine that
call one another; its inputs, replies and definitions already live beside it (inputs, reply, definition).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from civicline.domain.applications.forms.definition import load_form
from civicline.domain.applications.forms.inputs import (
    NO,
    YES,
    Given,
    is_label,
    part,
    plain,
    read_answer,
    shown_value,
    words,
)
from civicline.domain.applications.forms.reply import (
    POSTBACK_PREFIX,
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
from civicline.domain.applications.forms.text_inputs import InvalidInput
from civicline.models.form_conversation import (
    CHOOSING_EDIT,
    CHOOSING_KIND,
    CONFIRMING,
    ConversationState,
    PendingSwitch,
)
from civicline.models.forms import MAX_CHOICES, AnswerValue, FormDefinition, InputType, Step

CANCEL = "@cancel"
BACK = "@back"
SKIP = "@skip"
SUBMIT = "@submit"
EDIT = "@edit"
SWITCH = "@switch"
HISTORY_LIMIT = 40
_PLACES = frozenset({CHOOSING_KIND, CONFIRMING, CHOOSING_EDIT})
_COMMAND_LABELS = {
    CANCEL: "forms.label.cancel",
    BACK: "forms.label.back",
    SKIP: "forms.label.skip",
    SUBMIT: "forms.label.submit",
    EDIT: "forms.label.edit",
}


def postback_data(place: str, value: str) -> str:
    return f"{POSTBACK_PREFIX}{place}:{value}"


@dataclass(frozen=True)
class _Input:
    place: str | None  # where the tapped button was shown; None for typed text
    given: Given
    tapped_command: str | None
    message_id: str | None = None  # LINE's id of the typed message (what a retraction names)

    def is_typed(self, words_key: str) -> bool:
        return self.given.text is not None and plain(self.given.text) in words(words_key)

    def command(self, name: str) -> bool:
        return self.tapped_command == name


def _read(user_input: UserInput, message_id: str | None) -> _Input:
    if isinstance(user_input, Postback):
        if not is_form_postback(user_input.data):
            return _Input(place="", given=Given(value=""), tapped_command=None)
        place, _, value = user_input.data[len(POSTBACK_PREFIX) :].partition(":")
        command = value if value.startswith("@") else None
        return _Input(place=place, given=Given(value=value, date=user_input.date), tapped_command=command)
    return _Input(place=None, given=Given(text=user_input), tapped_command=None, message_id=message_id)


# --- public API -------------------------------------------------------------------------------------


def start(
    form: FormDefinition, kind: str | None, now: datetime, conversation_id: str | None = None
) -> tuple[ConversationState, FormReply]:
    """Open a form. Without a kind, a form that has kinds first asks which one."""
    if kind is not None and kind not in {k.id for k in form.kinds}:
        raise ValueError(f"form {form.id} has no kind {kind!r}")
    place = CHOOSING_KIND if form.kinds and kind is None else _next_place(form, kind, {})
    state = ConversationState(
        conversation_id=conversation_id or str(uuid.uuid4()),
        form_id=form.id,
        form_version=form.version,
        kind=kind,
        step_id=place,
        version=1,
        started_at=now,
        expires_at=now + timedelta(hours=form.ttl_hours),
    )
    intro = Message(form.intro, {"title": _title(form)}) if form.intro else None
    return state, _ask(form, state, notice=intro)


def answer(
    form: FormDefinition,
    state: ConversationState,
    user_input: UserInput,
    now: datetime,
    message_id: str | None = None,
) -> tuple[ConversationState | None, FormStep]:
    """Take the resident's next message (`message_id`: LINE's id of a typed one) or tapped button.
    The state is None once the form has ended."""
    if state.form_id != form.id:
        raise ValueError("the state belongs to another form")
    ended = _ended(form, state, now)
    if ended is not None:
        return None, ended
    given = _read(user_input, message_id)
    if given.command(CANCEL) or given.is_typed("forms.command.cancel"):
        return None, Ended("cancelled", FormReply(Message("forms.cancelled", {"title": _title(form)})))
    if state.pending_switch is not None:
        return _answer_switch(form, state, given, now)
    if given.place is not None and given.place != state.step_id:
        # A button of an earlier question: ask the current one again rather than guess.
        return _stay(form, state, now, Message("forms.notice.stale"))
    if given.command(BACK) or given.is_typed("forms.command.back"):
        return _back(form, state, now)
    answer_place = _PLACE_ANSWERS.get(state.step_id, _answer_step)
    return answer_place(form, state, given, now)


def resume(
    form: FormDefinition, state: ConversationState, now: datetime, notice_key: str = "forms.notice.resumed"
) -> tuple[ConversationState | None, FormReply | Ended]:
    """Ask the open question again after an interruption (the menu, a sticker), `notice_key` before it."""
    ended = _ended(form, state, now)
    if ended is not None:
        return None, ended
    resumed = _touch(form, state, now)
    return resumed, _ask(form, resumed, notice=Message(notice_key, {"title": _title(form)}))


def request_switch(
    form: FormDefinition,
    state: ConversationState,
    new_form: FormDefinition,
    new_kind: str | None,
    now: datetime,
) -> tuple[ConversationState | None, FormReply | Ended]:
    """The resident asked for `new_form` while `form` is open: ask before dropping it (one form at a time).

    Asking for the open form itself just resumes it. Answering はい yields `SwitchForm`.
    """
    if new_form.id == form.id:
        return resume(form, state, now)
    ended = _ended(form, state, now)
    if ended is not None:
        return None, ended
    asking = _touch(form, state, now, pending_switch=PendingSwitch(form_id=new_form.id, kind=new_kind))
    return asking, _switch_question(form, new_form.id)


def retract(
    form: FormDefinition, state: ConversationState, message_id: str, now: datetime
) -> tuple[ConversationState, FormReply] | None:
    """The resident retracted the typed message `message_id`: drop the answer it gave (and what was built
    on it) and ask that question again. None when it answered nothing still kept (nothing to say)."""
    if state.form_id != form.id or _ended(form, state, now) is not None:
        return None
    step_id = next((s for s, m in state.answered_by.items() if m == message_id and s in state.answers), None)
    if step_id is None:
        return None
    dropped = {step_id} | _dependents(form, step_id)
    answers = {k: v for k, v in state.answers.items() if k not in dropped}
    moved, _ = _go_to(form, state, now, step_id, answers=answers)
    moved = moved.model_copy(update={"pending_switch": None})
    return moved, _ask(form, moved, notice=Message("forms.notice.retracted", {"title": _title(form)}))


def is_expired(state: ConversationState, now: datetime) -> bool:
    return now >= state.expires_at


# --- places -----------------------------------------------------------------------------------------


def _ended(form: FormDefinition, state: ConversationState, now: datetime) -> Ended | None:
    if is_expired(state, now):
        return Ended("expired", FormReply(Message("forms.expired", {"title": _title(form)})))
    if state.form_version != form.version or not (state.step_id in _PLACES or form.has_step(state.step_id)):
        return Ended("outdated", FormReply(Message("forms.outdated", {"title": _title(form)})))
    return None


def _answer_kind(
    form: FormDefinition, state: ConversationState, given: _Input, now: datetime
) -> tuple[ConversationState, FormReply]:
    typed = plain(given.given.text or "")
    for kind in form.kinds:
        if given.given.value == kind.id or (given.given.text is not None and is_label(kind.label, typed)):
            return _go(form, state, now, kind=kind.id, answers=dict(state.answers))
    return _stay(form, state, now, Message("forms.error.choose"))


def _answer_confirmation(
    form: FormDefinition, state: ConversationState, given: _Input, now: datetime
) -> tuple[ConversationState | None, FormStep]:
    # 「はい」 to 「この内容で送信しますか」 is a yes to sending.
    if given.command(SUBMIT) or given.is_typed("forms.command.submit") or given.is_typed("forms.command.yes"):
        answers = {
            step.id: state.answers[step.id]
            for step in form.steps
            if step.id in state.answers and _applies(step, state.kind, state.answers)
        }
        return None, Completed(form.id, form.version, state.kind, state.conversation_id, answers)
    if given.command(EDIT) or given.is_typed("forms.command.edit"):
        return _go_to(form, state, now, CHOOSING_EDIT)
    return _stay(form, state, now, Message("forms.notice.confirm_choose"))


def _answer_edit_choice(
    form: FormDefinition, state: ConversationState, given: _Input, now: datetime
) -> tuple[ConversationState, FormReply]:
    typed = plain(given.given.text or "")
    for step in _editable(form, state):
        assert step.label is not None
        if given.given.value == step.id or (given.given.text is not None and is_label(step.label, typed)):
            return _go_to(form, state, now, step.id)
    return _stay(form, state, now, Message("forms.error.choose"))


def _answer_step(
    form: FormDefinition, state: ConversationState, given: _Input, now: datetime
) -> tuple[ConversationState, FormReply]:
    step = form.step(state.step_id)
    if given.command(SKIP) or (step.optional and given.is_typed("forms.command.skip")):
        if not step.optional:
            return _stay(form, state, now, Message("forms.error.required"))
        return _go(form, state, now, answers=_store(form, state.answers, step, None), by=given)
    if given.tapped_command is not None:
        return _stay(form, state, now, Message("forms.error.choose"))
    try:
        value = read_answer(step, given.given, lambda ref: _resolve(state.answers, ref))
    except InvalidInput as invalid:
        return _stay(form, state, now, Message(invalid.key, invalid.params))
    if step.input is InputType.CONFIRM and value is False and step.on_no:
        # いいえ: ask the confirmed answer again; what was built on it goes too.
        dropped = {step.on_no} | _dependents(form, step.on_no)
        answers = {k: v for k, v in state.answers.items() if k not in dropped}
        return _go_to(form, state, now, step.on_no, answers=answers)
    return _go(form, state, now, answers=_store(form, state.answers, step, value), by=given)


_PlaceAnswer = Callable[
    [FormDefinition, ConversationState, _Input, datetime], tuple[ConversationState | None, FormStep]
]
_PLACE_ANSWERS: dict[str, _PlaceAnswer] = {
    CHOOSING_KIND: _answer_kind,
    CONFIRMING: _answer_confirmation,
    CHOOSING_EDIT: _answer_edit_choice,
}


def _answer_switch(
    form: FormDefinition, state: ConversationState, given: _Input, now: datetime
) -> tuple[ConversationState | None, FormStep]:
    pending = state.pending_switch
    assert pending is not None
    tapped = given.given.value if given.place == SWITCH else None
    if tapped == YES or given.is_typed("forms.command.yes"):
        return None, SwitchForm(pending.form_id, pending.kind)
    if tapped == NO or given.is_typed("forms.command.no"):
        kept = _touch(form, state, now, pending_switch=None)
        return kept, _ask(form, kept, notice=Message("forms.switch.kept", {"title": _title(form)}))
    asking = _touch(form, state, now)
    return asking, _switch_question(form, pending.form_id, notice=Message("forms.error.yes_no"))


def _back(
    form: FormDefinition, state: ConversationState, now: datetime
) -> tuple[ConversationState, FormReply]:
    history = list(state.history)
    while history:
        place = history.pop()
        if place in _PLACES or (
            form.has_step(place) and _applies(form.step(place), state.kind, state.answers)
        ):
            moved = _touch(form, state, now, step_id=place, history=tuple(history))
            return moved, _ask(form, moved)
    return _stay(form, state, now, Message("forms.notice.no_back"))


# --- transitions ------------------------------------------------------------------------------------


def _touch(
    form: FormDefinition, state: ConversationState, now: datetime, **changes: object
) -> ConversationState:
    """The next version of the state, its lifetime renewed."""
    update = {"version": state.version + 1, "expires_at": now + timedelta(hours=form.ttl_hours), **changes}
    return state.model_copy(update=update)


def _stay(
    form: FormDefinition, state: ConversationState, now: datetime, notice: Message
) -> tuple[ConversationState, FormReply]:
    stayed = _touch(form, state, now)
    return stayed, _ask(form, stayed, notice=notice)


def _go(
    form: FormDefinition,
    state: ConversationState,
    now: datetime,
    answers: dict[str, AnswerValue],
    *,
    kind: str | None = None,
    by: _Input | None = None,
) -> tuple[ConversationState, FormReply]:
    """Move on: see `_following`. `by`: the input that answered the current step (its message id kept)."""
    kind = kind if kind is not None else state.kind
    following = _following(form, state, kind, answers)
    answered_by = _answered_by(state, answers, by)
    return _go_to(form, state, now, following, answers=answers, kind=kind, answered_by=answered_by)


def _answered_by(
    state: ConversationState, answers: Mapping[str, AnswerValue], by: _Input | None
) -> dict[str, str]:
    """Which typed message gave each answer still kept; the current step's from `by` (none if tapped)."""
    kept = {s: m for s, m in state.answered_by.items() if s in answers and s != state.step_id}
    if by is not None and by.message_id is not None and state.step_id in answers:
        kept[state.step_id] = by.message_id
    return kept


def _following(
    form: FormDefinition, state: ConversationState, kind: str | None, answers: Mapping[str, AnswerValue]
) -> str:
    """Before the card has been shown, the next step in order (so after 戻る every later question is asked
    again); once it has, the first step still unanswered (a fix, or what a fix cleared), else the card."""
    if CONFIRMING in state.history:
        return _next_place(form, kind, answers)
    ids = [step.id for step in form.steps]
    start_at = ids.index(state.step_id) + 1 if state.step_id in ids else 0
    for step in form.steps[start_at:]:
        if _applies(step, kind, answers):
            return step.id
    return CONFIRMING


def _go_to(
    form: FormDefinition,
    state: ConversationState,
    now: datetime,
    place: str,
    *,
    answers: Mapping[str, AnswerValue] | None = None,
    kind: str | None = None,
    answered_by: Mapping[str, str] | None = None,
) -> tuple[ConversationState, FormReply]:
    history = (*state.history, state.step_id)[-HISTORY_LIMIT:]
    answers = dict(state.answers if answers is None else answers)
    if answered_by is None:  # keep only what still answers something (a step dropped forgets its id)
        answered_by = {s: m for s, m in state.answered_by.items() if s in answers}
    moved = _touch(
        form,
        state,
        now,
        step_id=place,
        history=history,
        answers=answers,
        answered_by=dict(answered_by),
        kind=kind if kind is not None else state.kind,
    )
    return moved, _ask(form, moved)


def _next_place(form: FormDefinition, kind: str | None, answers: Mapping[str, AnswerValue]) -> str:
    for step in form.steps:
        if step.id not in answers and _applies(step, kind, answers):
            return step.id
    return CONFIRMING


def _applies(step: Step, kind: str | None, answers: Mapping[str, AnswerValue]) -> bool:
    if step.when is None:
        return True
    value = kind if step.when.field == "kind" else answers.get(step.when.field)
    return isinstance(value, str) and value in step.when.in_


def _dependents(form: FormDefinition, step_id: str) -> set[str]:
    """Steps built on `step_id`'s answer (directly or through each other), not counting `when`."""
    found: set[str] = set()
    frontier = {step_id}
    while frontier:
        frontier = {
            s.id for s in form.steps if s.id not in found and s.id != step_id and (_builds_on(s) & frontier)
        }
        found |= frontier
    return found


def _builds_on(step: Step) -> set[str]:
    refs = {ref.split(".", 1)[0] for ref in step.params.values()}
    if step.prefix:
        refs.add(step.prefix.split(".", 1)[0])
    if step.on_no:
        refs.add(step.on_no)
    return refs


def _store(
    form: FormDefinition, answers: Mapping[str, AnswerValue], step: Step, value: AnswerValue
) -> dict[str, AnswerValue]:
    stored = dict(answers)
    if step.id in stored and stored[step.id] != value:
        for dependent in _dependents(form, step.id):
            stored.pop(dependent, None)
    stored[step.id] = value
    return stored


def _resolve(answers: Mapping[str, AnswerValue], ref: str) -> str:
    step_id, _, part_name = ref.partition(".")
    return part(answers.get(step_id), part_name or None)


# --- what to say ------------------------------------------------------------------------------------


def _title(form: FormDefinition) -> Message:
    return Message(form.title)


def _command(place: str, name: str) -> QuickReply:
    return QuickReply(label=_COMMAND_LABELS[name], data=postback_data(place, name))


def _with_commands(place: str, buttons: list[QuickReply], *names: str) -> tuple[QuickReply, ...]:
    """Answer buttons first; commands after them while LINE's 13 quick replies allow."""
    for name in names:
        if len(buttons) < MAX_CHOICES:
            buttons.append(_command(place, name))
    return tuple(buttons)


def _editable(form: FormDefinition, state: ConversationState) -> list[Step]:
    return [
        step
        for step in form.steps
        if step.label
        and step.input is not InputType.CONFIRM
        and step.id in state.answers
        and _applies(step, state.kind, state.answers)
    ]


def _summary(form: FormDefinition, state: ConversationState) -> tuple[SummaryRow, ...]:
    rows: list[SummaryRow] = []
    if state.kind is not None:
        kind_label = next(k.label for k in form.kinds if k.id == state.kind)
        rows.append(SummaryRow(label="forms.summary.kind", value=Message(kind_label)))
    rows += [
        SummaryRow(label=step.label or "", value=shown_value(step, state.answers[step.id]))
        for step in _editable(form, state)
    ]
    return tuple(rows)


def _ask(form: FormDefinition, state: ConversationState, notice: Message | None = None) -> FormReply:
    """The question (or card) of the place the state stands on."""
    place = state.step_id
    back = (BACK,) if state.history else ()
    if place == CHOOSING_KIND:
        assert form.kind_prompt is not None
        buttons = [QuickReply(label=k.label, data=postback_data(place, k.id)) for k in form.kinds]
        return FormReply(Message(form.kind_prompt), notice, _with_commands(place, buttons, *back, CANCEL))
    if place == CONFIRMING:
        return FormReply(
            Message("forms.confirm.prompt", {"title": _title(form)}),
            notice,
            _with_commands(place, [], SUBMIT, EDIT, *back, CANCEL),
            _summary(form, state),
        )
    if place == CHOOSING_EDIT:
        buttons = [
            QuickReply(label=s.label or "", data=postback_data(place, s.id)) for s in _editable(form, state)
        ]
        return FormReply(Message("forms.edit.prompt"), notice, _with_commands(place, buttons, BACK, CANCEL))
    step = form.step(place)
    params = {name: _resolve(state.answers, ref) for name, ref in step.params.items()}
    question = Message(step.prompt_for(state.kind), params)
    buttons = []
    if step.input is InputType.CHOICE:
        buttons = [QuickReply(label=c.label, data=postback_data(place, c.id)) for c in step.choices]
    elif step.input is InputType.CONFIRM:
        buttons = [
            QuickReply(label="forms.label.yes", data=postback_data(place, YES)),
            QuickReply(label="forms.label.no", data=postback_data(place, NO)),
        ]
    elif step.input is InputType.DATE:
        buttons = [
            QuickReply(label="forms.label.pick_date", data=postback_data(place, "date"), picker="date")
        ]
    skip = (SKIP,) if step.optional else ()
    return FormReply(question, notice, _with_commands(place, buttons, *skip, *back, CANCEL))


def _switch_question(form: FormDefinition, new_form_id: str, notice: Message | None = None) -> FormReply:
    buttons = (
        QuickReply(label="forms.label.switch_yes", data=postback_data(SWITCH, YES)),
        QuickReply(label="forms.label.switch_no", data=postback_data(SWITCH, NO)),
    )
    params = {"current": _title(form), "new": _title(load_form(new_form_id))}
    return FormReply(Message("forms.switch.prompt", params), notice, buttons)
