"""A resident chatting through 電子申請 with the whole dispatcher, all stores in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.unit.residents.residents_fakes import (
    NOW,
    USER,
    FakeProfiles,
    InMemoryConversations,
    InMemoryResidents,
    ResolvingDispatcher,
    postback_in,
    text_in,
    unsend_in,
)

from civicline.domain.applications.chat.chat import FormsChat
from civicline.domain.applications.chat.features import install_forms
from civicline.domain.applications.records import ApplicationStatus, StatusEntry
from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.replies import (
    CARD_LABEL_MAX,
    QUICK_REPLY_LABEL_MAX,
    Action,
    Answer,
    Card,
    TextReply,
)
from civicline.domain.errors import EnqueueFailed
from civicline.domain.residents.features import install_residents
from civicline.models.city import load_city
from civicline.models.forms import Application, SurveyResponse

PRIVACY_URL = "https://www.city.shinjuku.lg.jp/privacy"


@dataclass
class FakeQueue:
    sent: list[Application | SurveyResponse] = field(default_factory=list)
    failing: bool = False

    def send(self, submission: Application | SurveyResponse) -> None:
        if self.failing:
            raise EnqueueFailed("queue down")
        self.sent.append(submission)


@dataclass
class FakeStatuses:
    entries: list[StatusEntry] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def statuses_of(self, user_id: str, limit: int) -> list[StatusEntry]:
        self.asked.append(user_id)
        return self.entries[:limit]


def status_entry(number: str = "KH-20250601-0001", kind: str = "new") -> StatusEntry:
    return StatusEntry(
        reception_number=number,
        form_id="koho_delivery",
        kind=kind,
        status=ApplicationStatus.RECEIVED,
        submitted_at=NOW,
    )


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class FormsWorld:
    """The dispatcher with 受信設定 and 電子申請 installed; `outcome` is the latest answer."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.residents = InMemoryResidents()
        self.conversations = InMemoryConversations()
        self.queue = FakeQueue()
        self.statuses = FakeStatuses()
        self.dispatcher = ResolvingDispatcher(self.conversations, self.residents)
        install_residents(
            self.dispatcher,
            residents=self.residents,
            conversations=self.conversations,
            profiles=FakeProfiles(),
            city=load_city(),
            privacy_notice_url=PRIVACY_URL,
            clock=self.clock,
        )
        self.chat: FormsChat = install_forms(
            self.dispatcher,
            conversations=self.conversations,
            queue=self.queue,
            statuses=self.statuses,
            clock=self.clock,
        )
        self.outcome: Answer[str] = Answer()
        self.said: list[str] = []  # LINE message ids of what the resident typed, in order

    # -- what the resident does ------------------------------------------------------------------
    def send(self, inbound: Inbound) -> Answer:
        self.outcome = self.dispatcher.dispatch(inbound)
        check_limits(self.outcome)
        return self.outcome

    def say(self, *texts: str) -> Answer:
        for typed in texts:
            inbound = text_in(typed)
            assert inbound.message_id is not None
            self.said.append(inbound.message_id)
            self.send(inbound)
        return self.outcome

    def unsend(self, message_id: str) -> Answer:
        """The resident retracts one of the messages they typed (LINE's 送信取消)."""
        return self.send(unsend_in(message_id))

    def postback(self, data: str) -> Answer:
        return self.send(postback_in(data))

    def tap(self, label: str) -> Answer:
        for action in self.actions():
            if action.label == label:
                return self.postback(action.data)
        raise AssertionError(f"no {label!r} to tap; offered {self.labels()}")

    # -- what the resident sees ------------------------------------------------------------------
    def actions(self) -> list[Action]:
        found: list[Action] = []
        for reply in self.outcome.replies:
            if isinstance(reply, TextReply):
                found += reply.quick_replies
            else:
                found += [row.action for row in reply.rows if row.action] + list(reply.buttons)
        return found

    def labels(self) -> list[str]:
        return [action.label for action in self.actions()]

    def texts(self) -> str:
        parts: list[str] = []
        for reply in self.outcome.replies:
            if isinstance(reply, TextReply):
                parts.append(reply.text)
            else:
                parts += [reply.title, *(f"{row.label}: {row.value}" for row in reply.rows), reply.note or ""]
        return "\n".join(parts)

    def card(self) -> Card:
        cards = [reply for reply in self.outcome.replies if isinstance(reply, Card)]
        assert len(cards) == 1, self.texts()
        return cards[0]

    def summary(self) -> dict[str, str]:
        return {row.label: row.value for row in self.card().rows}

    @property
    def step(self) -> str | None:
        stored = self.conversations.load(USER)
        if stored is None:
            return None
        return str(stored.state.get("step_id")) if stored.flow == "form" else f"<{stored.flow}>"


def check_limits(outcome: Answer) -> None:
    """What LINE would refuse: labels too long (quick replies ≤ 20, card buttons ≤ 40)."""
    for reply in outcome.replies:
        if isinstance(reply, TextReply):
            assert all(1 <= len(a.label) <= QUICK_REPLY_LABEL_MAX for a in reply.quick_replies)
            assert reply.text
        else:
            assert all(1 <= len(b.label) <= CARD_LABEL_MAX for b in reply.buttons)
            assert all(row.value for row in reply.rows)
