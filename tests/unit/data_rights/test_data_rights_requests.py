"""「登録情報の確認」 and 「登録情報の削除」 in chat, against in-memory stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs

from tests.unit.data_rights.data_rights_fakes import RightsWorld, application, make_rights_world, resident
from tests.unit.residents.residents_fakes import NOW, USER, context, postback_in, text_in

from civicline.domain.chat.inbound import Inbound, InboundKind
from civicline.domain.chat.replies import Answer, Card, TextReply, WhenStale
from civicline.domain.data_rights.identity import audit_subject
from civicline.domain.data_rights.records import Holdings, RightsAction
from civicline.messages import text


def _card_text(card: Card) -> str:
    return "\n".join([card.title, *(f"{row.label} {row.value}" for row in card.rows), card.note or ""])


def _all_text(outcome: Answer) -> str:
    return "\n".join(
        reply.text if isinstance(reply, TextReply) else _card_text(reply) for reply in outcome.replies
    )


def _tap_at(data: str, at_offset: timedelta) -> Inbound:
    """A postback tapped `at_offset` after NOW (LINE's event time)."""
    moment = NOW + at_offset
    shifted = replace(context(USER), timestamp_ms=int(moment.timestamp() * 1000))
    return Inbound(kind=InboundKind.POSTBACK, context=shifted, postback_data=data)


def _erase_data(outcome: Answer) -> str:
    (card,) = outcome.replies
    assert isinstance(card, Card)
    erase = next(b for b in card.buttons if b.label == text("data_rights.confirm.erase"))
    return erase.data


def _held_world() -> RightsWorld:
    world = make_rights_world()
    world.store.held[USER] = Holdings(
        resident=resident(birth_year=1985, area="wakamatsu"),
        applications=(
            application("KH-20250601-0002", "received"),
            application("KH-20250520-0001", "exported"),
        ),
        surveys=1,
        survey_free_texts=(42,),
        open_flow="form",
    )
    return world


# -- 登録情報の確認 --------------------------------------------------------------------------------------


def test_disclosure_shows_profile_settings_and_masked_applications() -> None:
    # Given a resident with a profile, settings, two applications, a survey answer and an open form
    world = _held_world()
    # When they send 「登録情報の確認」 (typed full-width spaces and all)
    outcome = world.dispatcher.dispatch(text_in("登録情報の　確認"))
    # Then they see profile, 受信設定, their applications (masked) and the way to erasure
    assert outcome.tags == ("data_rights.disclosed",)
    assert outcome.when_stale is WhenStale.PUSH
    shown = _all_text(outcome)
    expected_values = (
        "山田花子",
        "2025年4月1日",
        "1985年",
        "若松町",
        "KH-20250601-0002",
        "山田 **",
        "090-****-5678",
        "自由記述（ご意見など）：＊＊＊（42文字",  # the survey's typed answer: masked, its length only
    )
    for expected in expected_values:
        assert expected in shown
    assert "2025年5月31日お申込み" in shown  # the JST day
    assert "hanako" not in shown  # the icon's URL is said to be kept, not shown
    closing = outcome.replies[-1]
    assert isinstance(closing, TextReply)
    assert [a.label for a in closing.quick_replies] == ["登録情報の削除"]


def test_disclosure_never_shows_an_unmasked_value() -> None:
    # Given an application whose masked copy was written without a mask (a writer's mistake)
    world = make_rights_world()
    world.store.held[USER] = Holdings(
        resident=None, applications=(application(masked={"name": "山田太郎", "phone": "09012345678"}),)
    )
    # When the resident asks to see their data
    shown = _all_text(world.dispatcher.dispatch(postback_in("action=datarights&op=show")))
    # Then neither value appears: only a mask does
    assert "山田太郎" not in shown
    assert "09012345678" not in shown
    assert "お名前：***" in shown


def test_disclosure_of_nothing_says_so() -> None:
    world = make_rights_world()
    outcome = world.dispatcher.dispatch(text_in("登録情報の確認"))
    assert outcome.tags == ("data_rights.disclosed.none",)
    assert _all_text(outcome) == text("data_rights.none")


def test_disclosure_is_audited_under_a_pseudonym() -> None:
    # Given a resident with data, When they look at it
    world = _held_world()
    inbound = text_in("登録情報の確認")
    world.dispatcher.dispatch(inbound)
    # Then the audit holds one disclosure entry naming them only by the hash of their id
    (entry,) = world.audit.entries.values()
    assert entry.action is RightsAction.DISCLOSURE
    assert entry.subject == audit_subject(USER)
    assert USER not in entry.subject
    assert entry.event_id == inbound.context.webhook_event_id
    assert dict(entry.counts) == {"profile": 1, "applications": 2, "surveys": 1}


# -- 登録情報の削除 --------------------------------------------------------------------------------------


def test_erasure_asks_first_and_warns_of_pending_applications() -> None:
    # Given a resident with one application the ward has not exported yet
    world = _held_world()
    # When they send 「登録情報の削除」
    outcome = world.dispatcher.dispatch(text_in("登録情報の削除"))
    # Then nothing is erased yet: a card asks, says what goes and what stays, with 削除する / やめる
    assert world.store.requests == []
    assert outcome.tags == ("data_rights.erase.asked",)
    (card,) = outcome.replies
    assert isinstance(card, Card)
    assert [b.label for b in card.buttons] == ["削除する", "やめる"]
    shown = _card_text(card)
    assert "1件は取り下げ" in shown
    assert "2件のお申込み" in shown
    assert "受付番号" in shown
    assert "自由記述（ご意見など）は削除し、選択式の回答だけを" in shown
    assert "15分以内" in shown


def test_confirmed_erasure_erases_reports_and_is_audited() -> None:
    # Given the confirmation card
    world = _held_world()
    data = _erase_data(world.dispatcher.dispatch(text_in("登録情報の削除")))
    # When the resident taps 削除する a minute later
    tap = _tap_at(data, timedelta(minutes=1))
    outcome = world.dispatcher.dispatch(tap)
    # Then the store erased their data, kept applications are named by reception number only
    ((user, request),) = world.store.requests
    assert user == USER
    assert ("koho_delivery", "new") in request.form_kinds
    assert request.keep_until - request.erased_at == timedelta(days=365)
    assert outcome.tags == ("data_rights.erased",)
    said = _all_text(outcome)
    assert said.startswith(text("data_rights.erased.heading"))
    expected_lines = (
        "KH-20250601-0002",
        "KH-20250520-0001",
        "1件は、取り下げ",
        "アンケートへのご回答1件の選択式の回答（どなたの回答か分からない形",
        "アンケートの自由記述（ご意見など）1件",
        "受信設定",
    )
    for expected in expected_lines:
        assert expected in said
    assert "山田" not in said
    # And the audit keeps one deletion entry with counts and no user id
    deletion = [e for e in world.audit.entries.values() if e.action is RightsAction.DELETION]
    assert len(deletion) == 1
    assert deletion[0].subject == audit_subject(USER)
    assert dict(deletion[0].counts) == {
        "profile": 1,
        "conversation": 1,
        "applications": 2,
        "withdrawn": 1,
        "surveys": 1,
        "survey_free_texts": 1,
        "guards": 0,
    }


def test_a_repeated_tap_erases_nothing_more_and_says_so() -> None:
    world = _held_world()
    data = _erase_data(world.dispatcher.dispatch(text_in("登録情報の削除")))
    world.dispatcher.dispatch(_tap_at(data, timedelta(minutes=1)))
    again = world.dispatcher.dispatch(_tap_at(data, timedelta(minutes=2)))
    assert again.tags == ("data_rights.erase.nothing",)
    assert _all_text(again) == text("data_rights.erased.nothing")


def test_a_tap_after_the_window_erases_nothing() -> None:
    # Given a confirmation card asked for 16 minutes ago
    world = _held_world()
    data = _erase_data(world.dispatcher.dispatch(text_in("登録情報の削除")))
    # When 削除する is tapped now
    outcome = world.dispatcher.dispatch(_tap_at(data, timedelta(minutes=16)))
    # Then nothing is erased and the resident is asked to start again
    assert world.store.requests == []
    assert outcome.tags == ("data_rights.erase.expired",)
    reply = outcome.replies[0]
    assert isinstance(reply, TextReply)
    assert [a.label for a in reply.quick_replies] == ["登録情報の削除"]


def test_a_tap_without_a_valid_time_erases_nothing() -> None:
    world = _held_world()
    for data in (
        "action=datarights&op=erase",
        "action=datarights&op=erase&at=abc",
        f"action=datarights&op=erase&at={int((NOW + timedelta(hours=1)).timestamp())}",  # from the future
    ):
        assert world.dispatcher.dispatch(postback_in(data)).tags == ("data_rights.erase.expired",)
    assert world.store.requests == []


def test_cancel_erases_nothing() -> None:
    world = _held_world()
    outcome = world.dispatcher.dispatch(postback_in("action=datarights&op=cancel"))
    assert world.store.requests == []
    assert _all_text(outcome) == text("data_rights.cancelled")
    assert world.store.held[USER].resident is not None


def test_asking_to_erase_nothing_says_so() -> None:
    world = make_rights_world()
    outcome = world.dispatcher.dispatch(text_in("登録情報の削除"))
    assert outcome.tags == ("data_rights.erase.nothing",)
    assert outcome.replies[0] == TextReply(text("data_rights.nothing_to_erase"))


def test_erase_button_carries_the_time_it_was_asked() -> None:
    world = _held_world()
    params = parse_qs(_erase_data(world.dispatcher.dispatch(text_in("登録情報の削除"))))
    assert params == {"action": ["datarights"], "op": ["erase"], "at": [str(int(NOW.timestamp()))]}


# -- the help reply ------------------------------------------------------------------------------------


def test_help_offers_both_commands() -> None:
    world = make_rights_world()
    (reply,) = world.dispatcher.dispatch(text_in("こんにちは")).replies
    assert isinstance(reply, TextReply)
    labels = [a.label for a in reply.quick_replies]
    assert labels[-2:] == ["登録情報の確認", "登録情報の削除"]
    assert len(labels) <= 13
