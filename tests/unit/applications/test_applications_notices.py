"""What the resident reads: the confirmation card, the refusal, and 申請状況."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.unit.applications.applications_fakes import (
    ANSWERS,
    NOW,
    USER,
    FakeSealer,
    InMemoryApplications,
    application,
)

from civicline.domain.applications.confirmation import ConfirmationCard, PendingRefusal, notice_for
from civicline.domain.applications.intake import Intake
from civicline.domain.applications.records import ApplicationStatus, IntakeOutcome
from civicline.domain.applications.status import StatusQuery
from civicline.domain.chat.inbound import EventContext, Inbound, InboundKind
from civicline.domain.chat.replies import Card, TextReply, WhenStale, resolved
from civicline.messages import text
from civicline.models.language import Language

STORED = IntakeOutcome(
    submission_id="s", result="stored", reception_number="KH-20261127-0042", received_at=NOW
)


def test_the_card_gives_the_number_kind_masked_summary_and_first_edition() -> None:
    notice = notice_for(application(), STORED)
    assert isinstance(notice, ConfirmationCard)
    assert notice.reception_number == "KH-20261127-0042"
    rows = {row.label: row.value for row in notice.rows}
    assert rows == {
        "お手続き": "新規申込",
        "お名前": "山田 **",
        "ご住所": "東京都新宿区西新宿 ***",
        "電話番号": "090-****-5678",
        "お届け開始": "2026年12月15日号から",
    }
    assert "KH-20261127-0042" in notice.alt_text
    assert "広報新宿の個別配達" in notice.alt_text


@pytest.mark.parametrize("language", [Language.EN, Language.KO, Language.MY])
def test_the_card_is_in_the_language_the_resident_applied_in(language: Language) -> None:
    # Given an application sent by a resident reading `language`
    sent = application().model_copy(update={"language": language})
    # When intake has stored it, Then its card is in that language, with the same number
    notice = notice_for(sent, STORED)
    assert isinstance(notice, ConfirmationCard)
    assert notice.heading == text("intake.card.heading", language.value)
    assert notice.reception_label == text("intake.card.reception_number", language.value)
    assert notice.rows[0].label == text("intake.card.kind", language.value)
    assert notice.reception_number == "KH-20261127-0042"


def test_a_stop_card_gives_the_last_edition() -> None:
    notice = notice_for(application(kind="stop"), STORED)
    assert isinstance(notice, ConfirmationCard)
    rows = {row.label: row.value for row in notice.rows}
    assert rows["最後のお届け"] == "2026年12月15日号まで"
    assert "お届け開始" not in rows


def test_the_card_holds_no_plain_personal_data() -> None:
    card = notice_for(application(), STORED)
    assert isinstance(card, ConfirmationCard)
    shown = " ".join(f"{r.label}{r.value}" for r in card.rows) + card.alt_text + card.note
    for plain in (ANSWERS.address, "太郎", "ヤマダ タロウ", "12345678", "2-8-1"):
        assert plain not in shown


def test_a_refusal_explains_and_names_the_pending_number() -> None:
    refused = IntakeOutcome(submission_id="s", result="refused_pending", reception_number="KH-20261120-0007")
    notice = notice_for(application(), refused)
    assert isinstance(notice, PendingRefusal)
    assert "KH-20261120-0007" in notice.text
    assert "新規申込" in notice.text
    assert "二重" in notice.text


def _inbound(user_id: str | None) -> Inbound:
    context = EventContext("e1", "message", 0, "active", False, "rt", user_id, True)
    return Inbound(kind=InboundKind.TEXT, context=context, text="申請状況")


def test_status_lists_the_residents_applications_newest_first_with_japanese_statuses() -> None:
    # Given two applications, the first exported by the ward
    store = InMemoryApplications()
    intake = Intake(store, FakeSealer(), clock=lambda: NOW)
    first = application("c1", kind="new")
    later = application("c2", kind="stop").model_copy(
        update={"submitted_at": datetime(2026, 11, 28, tzinfo=UTC)}
    )
    intake.receive(first)
    intake.receive(later)
    store.set_status(first.submission_id, ApplicationStatus.EXPORTED)
    # When the resident sends 申請状況
    outcome = resolved(StatusQuery(store).on_command(_inbound(USER)))
    # Then a card lists both, newest first, worth a push if the reply token is gone
    assert outcome.when_stale is WhenStale.PUSH
    (card,) = outcome.replies
    assert isinstance(card, Card)
    assert [row.label for row in card.rows] == ["受付番号 KH-20261127-0002", "受付番号 KH-20261127-0001"]
    assert "配達停止" in card.rows[0].value
    assert "受付済み" in card.rows[0].value
    assert "区で処理中" in card.rows[1].value
    assert "2026年11月27日" in card.rows[1].value


def test_status_without_applications_says_so() -> None:
    outcome = resolved(StatusQuery(InMemoryApplications()).reply(USER))
    (reply,) = outcome.replies
    assert isinstance(reply, TextReply)
    assert "ありません" in reply.text


def test_status_of_no_user_says_nothing() -> None:
    assert StatusQuery(InMemoryApplications()).on_command(_inbound(None)).replies == ()
