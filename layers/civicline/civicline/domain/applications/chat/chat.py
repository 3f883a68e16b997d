"""A resident's form in chat: the engine's state in the Conversations store, its replies to LINE.

The form's state lives as flow "form" in the shared Conversations store (one open conversation per
resident). Every transition is written with the version that was read, so a lost race raises
ConversationConflict and the event is tried again; the store's TTL removes an abandoned form, answers
and all. The in-progress answers are personal data: they are written to that item only, never logged
(tags carry form, kind and step ids).

A typed answer carries LINE's message id (`answered_by` in the state), so a retracted message (送信取消,
an `unsend` event) drops its answer while the form is open; once sent, the short-lived `form.sent`
record keeps those ids (never the answers) to say the form was already sent and how to change it.

A finished form is sent to the applications queue *before* the conversation is closed: if the send
fails, the event is retried with the form still at its confirmation; if the close fails after the
send, the retry sends the same submission id again, which intake drops as a repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from civicline.domain.applications import forms
from civicline.domain.applications.chat.menu import MENU, MenuEntry, find_entry, resume_action, status_action
from civicline.domain.applications.chat.ports import SubmissionQueue
from civicline.domain.applications.chat.rendering import answer_of, replies_of
from civicline.domain.applications.labels import form_title_phrase, kind_phrase
from civicline.domain.applications.records import StatusEntry
from civicline.domain.applications.status import StatusQuery
from civicline.domain.chat.conversations import ConversationStore, StoredConversation, paused
from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.replies import NOTHING, Answer, Reply, TextReply
from civicline.domain.chat.wording import Phrase, Verbatim, joined, lines, say
from civicline.domain.errors import CivicLineError
from civicline.messages import has_message
from civicline.models.form_conversation import ConversationState
from civicline.models.forms import FormDefinition, FormPurpose
from civicline.models.validation import invalid_fields

FLOW = "form"
# After a form is sent, the slot keeps only which form it was (no answers) for a short while, so that a
# second tap on the card's buttons is told the form was sent rather than invited to apply again.
SENT = "form.sent"
SENT_LIFETIME = timedelta(minutes=30)


class FormNotSubmittable(CivicLineError):
    """A completed form does not make a valid submission (a form definition out of step with its model)."""


@dataclass(frozen=True, slots=True)
class OpenForm:
    stored: StoredConversation
    form: FormDefinition
    state: ConversationState


class FormsChat:
    def __init__(
        self,
        conversations: ConversationStore,
        queue: SubmissionQueue,
        statuses: StatusQuery,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        menu: tuple[MenuEntry, ...] = MENU,
    ) -> None:
        self._conversations = conversations
        self._queue = queue
        self._statuses = statuses
        self._clock = clock
        self._menu = menu

    # -- the 電子申請 menu, 「申請の続き」, 「申請状況」 -------------------------------------------------
    def menu(self, inbound: Inbound) -> Answer:
        """The forms on offer; with 「申請の続き」 first while one is open."""
        open_form = self._open(inbound)
        actions = [entry.action() for entry in self._menu] + [status_action()]
        said: list[Phrase] = [say("applications_chat.menu.prompt")]
        if open_form is not None:
            actions.insert(0, resume_action())
            said.insert(0, say("applications_chat.menu.prompt_open", title=say(open_form.form.title)))
        prompt = joined(said, Verbatim("\n\n"))
        return answer_of((TextReply(prompt, quick_replies=tuple(actions)),), "form.menu")

    def on_menu(self, inbound: Inbound, params: Mapping[str, str]) -> Answer:
        return self.menu(inbound)

    def on_status(self, inbound: Inbound, params: Mapping[str, str]) -> Answer:
        return self._statuses.on_command(inbound)

    def resume(self, inbound: Inbound) -> Answer:
        """Ask the open form's question again (after the resident did something else)."""
        open_form = self._open(inbound)
        if open_form is None:
            return self._none_open()
        state, reply = forms.resume(open_form.form, open_form.state, self._clock())
        return self._settle(inbound, open_form, state, reply)

    def on_resume(self, inbound: Inbound, params: Mapping[str, str]) -> Answer:
        return self.resume(inbound)

    # -- starting a form ----------------------------------------------------------------------------
    def on_start(self, inbound: Inbound, params: Mapping[str, str]) -> Answer:
        """`action=apply&form=…&kind=…`: start it, or ask first when another form is open."""
        entry = find_entry(params.get("form", ""), params.get("kind") or None, self._menu)
        if entry is None:
            return self.menu(inbound)
        user_id, now = _user(inbound), self._clock()
        if entry.kind is not None:
            pending = self._statuses.pending(user_id, entry.form_id, entry.kind)
            if pending is not None:
                return self._pending(entry, pending)
        wanted = forms.load_form(entry.form_id).for_reader(inbound.language)
        open_form = self._open(inbound)
        if open_form is None:
            return self._start(user_id, wanted, entry.kind, self._slot_version(user_id))
        state, reply = forms.request_switch(open_form.form, open_form.state, wanted, entry.kind, now)
        if isinstance(reply, forms.Ended):
            # The open one had expired: say so, then start what was asked for in its place.
            ended = replies_of(open_form.form, reply.reply)
            started = self._start(user_id, wanted, entry.kind, open_form.stored.version)
            return answer_of((*ended, *started.replies), *started.tags)
        return self._settle(inbound, open_form, state, reply)

    def _pending(self, entry: MenuEntry, pending: StatusEntry) -> Answer:
        """The same application is waiting for the ward: say so, with its number, before any question."""
        assert entry.kind is not None
        instead = f"applications_chat.pending.instead.{entry.form_id}.{entry.kind}"
        said = lines(
            say(
                "applications_chat.pending.intro",
                title=form_title_phrase(entry.form_id),
                kind=kind_phrase(entry.form_id, entry.kind),
                reception_number=pending.reception_number,
            ),
            say(instead if has_message(instead) else "applications_chat.pending.instead.other"),
        )
        others = tuple(e.action() for e in self._menu if e.form_id == entry.form_id and e.kind != entry.kind)
        reply: Reply[Phrase] = TextReply(said, quick_replies=(*others, status_action()))
        return answer_of((reply,), f"form.{entry.form_id}.pending", *_kind_tag(entry.kind))

    def _start(self, user_id: str, form: FormDefinition, kind: str | None, version: int) -> Answer:
        state, reply = forms.start(form, kind, self._clock())
        self._conversations.save(user_id, FLOW, _stored_state(state), version)
        return answer_of(replies_of(form, reply), f"form.{form.id}.started", *_kind_tag(kind))

    def _slot_version(self, user_id: str) -> int:
        """The version to overwrite: another flow's light state (a settings question) gives way to a form."""
        stored = self._conversations.load(user_id)
        return stored.version if stored is not None else 0

    # -- answers ------------------------------------------------------------------------------------
    def on_postback(self, inbound: Inbound) -> Answer:
        """A tapped form button (`form:…` data), or a picked date."""
        open_form = self._open(inbound)
        if open_form is None:
            return self._already_sent(inbound) or self._none_open()
        date = inbound.postback_params.get("date")
        return self._answer(inbound, open_form, forms.Postback(inbound.postback_data or "", date=date))

    def on_not_text(self, inbound: Inbound, conversation: StoredConversation) -> Answer:
        """A sticker, image or location while a form question is open: that question again, and how."""
        open_form = self._read(conversation, inbound)
        if open_form is None:
            return self._none_open()
        state, reply = forms.resume(open_form.form, open_form.state, self._clock(), "forms.notice.not_text")
        return self._settle(inbound, open_form, state, reply)

    def on_answer(self, inbound: Inbound, conversation: StoredConversation) -> Answer:
        """Typed text while a form question is open."""
        open_form = self._read(conversation, inbound)
        if open_form is None:
            return self._none_open()
        return self._answer(inbound, open_form, inbound.text or "")

    def _answer(self, inbound: Inbound, open_form: OpenForm, user_input: forms.UserInput) -> Answer:
        state, outcome = forms.answer(
            open_form.form, open_form.state, user_input, self._clock(), inbound.message_id
        )
        return self._settle(inbound, open_form, state, outcome)

    def on_unsend(self, inbound: Inbound) -> Answer:
        """The resident retracted a message: drop the answer it gave, or say a sent form stays as sent.

        Silent when the message answered nothing kept (a redelivered unsend finds nothing the second time).
        """
        message_id = inbound.message_id
        if not message_id:
            return NOTHING
        open_form = self._open(inbound)
        if open_form is not None:
            retracted = forms.retract(open_form.form, open_form.state, message_id, self._clock())
            if retracted is None:
                return NOTHING
            state, reply = retracted
            return self._settle(inbound, open_form, state, reply)
        sent = self._sent(_user(inbound))
        if sent is None or message_id not in sent.state.get("message_ids", []):
            return NOTHING
        title = form_title_phrase(str(sent.state.get("form_id", "")))
        said: Reply[Phrase] = TextReply(
            say("applications_chat.unsend.already_sent", title=title), quick_replies=(status_action(),)
        )
        return answer_of((said,), "form.unsend.already_sent")

    # -- what the engine decided --------------------------------------------------------------------
    def _settle(
        self,
        inbound: Inbound,
        open_form: OpenForm,
        state: ConversationState | None,
        outcome: forms.FormStep,
    ) -> Answer:
        user_id, form, version = _user(inbound), open_form.form, open_form.stored.version
        if isinstance(outcome, forms.FormReply):
            assert state is not None
            self._conversations.save(user_id, FLOW, _stored_state(state), version)
            return answer_of(replies_of(form, outcome), f"form.{form.id}.{state.step_id}")
        if isinstance(outcome, forms.SwitchForm):
            wanted = forms.load_form(outcome.form_id).for_reader(inbound.language)
            return self._start(user_id, wanted, outcome.kind, version)
        if isinstance(outcome, forms.Completed):
            said = self._submit(inbound, form, outcome)
            receipt = {"form_id": form.id, "message_ids": sorted(set(open_form.state.answered_by.values()))}
            self._conversations.save(user_id, SENT, receipt, version, SENT_LIFETIME)
            return answer_of(replies_of(form, said), f"form.{form.id}.submitted", *_kind_tag(outcome.kind))
        self._conversations.clear(user_id, version)
        return answer_of(replies_of(form, outcome.reply), f"form.{form.id}.{outcome.reason}")

    def _submit(self, inbound: Inbound, form: FormDefinition, completed: forms.Completed) -> forms.FormReply:
        user_id, now = _user(inbound), self._clock()
        try:
            if form.purpose is FormPurpose.APPLICATION:
                application = forms.build_application(
                    form, completed, user_id, now, language=inbound.language
                )
                self._queue.send(application)
                return forms.application_reply(form, application)
            response = forms.build_survey_response(form, completed, user_id, now)
        except ValidationError as invalid:
            # The error's text would quote the answers: name the fields only.
            fields = invalid_fields(invalid)
            raise FormNotSubmittable(f"form {form.id} gave an invalid submission: {fields}") from None
        self._queue.send(response)
        return forms.survey_reply(form)

    # -- the open form ------------------------------------------------------------------------------
    def _open(self, inbound: Inbound) -> OpenForm | None:
        """The open form, or the one a settings question paused (resuming it takes the slot back)."""
        stored = self._conversations.load(_user(inbound))
        if stored is not None and stored.flow != FLOW:
            stored = paused(stored)
        return self._read(stored, inbound) if stored is not None and stored.flow == FLOW else None

    def _read(self, stored: StoredConversation, inbound: Inbound) -> OpenForm | None:
        """The stored form as the resident reads it (their language's variant of its steps), or None
        when what is stored can no longer be read (it is closed then)."""
        try:
            state = ConversationState.model_validate(stored.state)
            form = forms.load_form(state.form_id).for_reader(inbound.language)
        except (ValidationError, forms.FormDefinitionError):
            # Unreadable (a model or form that changed shape): nothing to resume, and nothing to keep.
            self._conversations.clear(stored.user_id, stored.version)
            return None
        return OpenForm(stored, form, state)

    def _sent(self, user_id: str) -> StoredConversation | None:
        """The receipt of a form just sent (kept a short while), or the one a settings question paused."""
        stored = self._conversations.load(user_id)
        if stored is not None and stored.flow != SENT:
            stored = paused(stored)
        return stored if stored is not None and stored.flow == SENT else None

    def _already_sent(self, inbound: Inbound) -> Answer | None:
        """A button of a form just sent (a double tap on 送信する): it was sent, and where to follow it."""
        stored = self._sent(_user(inbound))
        if stored is None:
            return None
        title = form_title_phrase(str(stored.state.get("form_id", "")))
        reply: Reply[Phrase] = TextReply(
            say("applications_chat.already_sent", title=title), quick_replies=(status_action(),)
        )
        return answer_of((reply,), "form.already_sent")

    def _none_open(self) -> Answer:
        actions = (*(entry.action() for entry in self._menu), status_action())
        reply: Reply[Phrase] = TextReply(say("applications_chat.none_open"), quick_replies=actions)
        return answer_of((reply,), "form.none_open")


def _stored_state(state: ConversationState) -> dict[str, object]:
    return state.model_dump(mode="json")


def _kind_tag(kind: str | None) -> tuple[str, ...]:
    return (f"form.kind.{kind}",) if kind else ()


def _user(inbound: Inbound) -> str:
    assert inbound.user_id is not None
    return inbound.user_id
