"""A resident chatting through a form, the way the conversation worker drives the engine.

The fake Conversations store keeps each state as JSON (as DynamoDB would keep its attributes) and writes
only when the version it is given is the one stored: optimistic locking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from civicline.domain.applications.forms import (
    Ended,
    FormReply,
    FormStep,
    Postback,
    SwitchForm,
    UserInput,
    answer,
    load_form,
    start,
)
from civicline.domain.chat.wording import Message, resolve
from civicline.models.form_conversation import ConversationState

USER_ID = "U" + "a" * 32
NOW = datetime(2025, 4, 1, 1, 0, tzinfo=UTC)  # 10:00 in Shinjuku


@dataclass(frozen=True)
class RenderedQuickReply:
    label: str
    data: str
    picker: str | None = None


@dataclass(frozen=True)
class RenderedReply:
    """An engine reply's words in Japanese: `texts` in order, `summary` rows (label, value)."""

    texts: tuple[str, ...] = field(repr=False)
    quick_replies: tuple[RenderedQuickReply, ...]
    summary: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def render(reply: FormReply) -> RenderedReply:
    """The reply's keys resolved by the chat's one resolver, as the resident would read them."""
    said = (reply.notice, reply.message) if reply.notice else (reply.message,)
    return RenderedReply(
        texts=tuple(resolve(message) for message in said),
        quick_replies=tuple(
            RenderedQuickReply(resolve(Message(q.label)), q.data, q.picker) for q in reply.quick_replies
        ),
        summary=tuple((resolve(Message(row.label)), resolve(row.value)) for row in reply.summary),
    )


class VersionConflict(Exception):
    pass


class FakeConversations:
    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def get(self, user_id: str) -> ConversationState | None:
        stored = self.items.get(user_id)
        return None if stored is None else ConversationState.model_validate_json(stored)

    def _check(self, user_id: str, expected_version: int | None) -> None:
        current = self.get(user_id)
        if (current.version if current else None) != expected_version:
            raise VersionConflict(user_id)

    def put(self, user_id: str, state: ConversationState, expected_version: int | None) -> None:
        self._check(user_id, expected_version)
        self.items[user_id] = state.model_dump_json()

    def delete(self, user_id: str, expected_version: int) -> None:
        self._check(user_id, expected_version)
        del self.items[user_id]


class Chat:
    def __init__(self, form_id: str, kind: str | None = None, now: datetime = NOW) -> None:
        self.form = load_form(form_id)
        self.now = now
        self.store = FakeConversations()
        state, reply = start(self.form, kind, now, conversation_id="conv-0001")
        self.store.put(USER_ID, state, None)
        self.outcome: FormStep = reply
        self.seen: list[RenderedReply] = [self._check_reply(reply)]

    @property
    def state(self) -> ConversationState | None:
        return self.store.get(USER_ID)

    @property
    def reply(self) -> FormReply:
        assert isinstance(self.outcome, FormReply), self.outcome
        return self.outcome

    @property
    def rendered(self) -> RenderedReply:
        if isinstance(self.outcome, Ended):
            return render(self.outcome.reply)
        return render(self.reply)

    @property
    def texts(self) -> str:
        return "\n".join(self.rendered.texts)

    @property
    def labels(self) -> list[str]:
        return [q.label for q in self.rendered.quick_replies]

    @property
    def step(self) -> str | None:
        state = self.state
        return state.step_id if state else None

    def send(self, user_input: UserInput) -> FormStep:
        state = self.store.get(USER_ID)
        assert state is not None, "no open form"
        new_state, outcome = answer(self.form, state, user_input, self.now)
        if new_state is None:
            self.store.delete(USER_ID, state.version)
        else:
            self.store.put(USER_ID, new_state, state.version)
        self.outcome = outcome
        if isinstance(outcome, FormReply):
            self.seen.append(self._check_reply(outcome))
        return outcome

    def tap(self, label: str) -> FormStep:
        for quick_reply in self.rendered.quick_replies:
            if quick_reply.label == label:
                return self.send(Postback(quick_reply.data))
        raise AssertionError(f"no button {label!r} in {self.labels}")

    def say_all(self, *inputs: str) -> FormStep:
        for text in inputs:
            self.send(text)
        return self.outcome

    @staticmethod
    def _check_reply(reply: FormReply) -> RenderedReply:
        rendered = render(reply)
        assert len(rendered.quick_replies) <= 13
        assert all(1 <= len(q.label) <= 20 for q in rendered.quick_replies)
        assert all(len(q.data) <= 300 for q in rendered.quick_replies)
        assert all(len(text) <= 5000 for text in rendered.texts)
        return rendered


def switched(outcome: FormStep) -> SwitchForm:
    assert isinstance(outcome, SwitchForm), outcome
    return outcome
