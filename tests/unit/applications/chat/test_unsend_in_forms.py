"""A resident retracts (LINE's 送信取消) a message they typed while filling in a form."""

from __future__ import annotations

import pytest
from tests.unit.applications.chat.forms_chat_world import FormsWorld
from tests.unit.applications.chat.test_forms_in_chat import DETAIL, KANA, NAME, PHONE, _to_card
from tests.unit.residents.residents_fakes import USER

from civicline.domain.chat.replies import WhenStale
from civicline.messages import text

RETRACTED = "送信を取り消されたメッセージのお答えを取り消しました"


@pytest.fixture
def world() -> FormsWorld:
    return FormsWorld()


def answers(world: FormsWorld) -> dict:
    stored = world.conversations.load(USER)
    assert stored is not None
    assert stored.flow == "form"
    return dict(stored.state["answers"])


def test_retracting_the_name_just_typed_drops_it_and_asks_for_the_name_again(world: FormsWorld) -> None:
    # Given a resident who typed their name and is now asked for the フリガナ
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    assert world.step == "kana"
    # When they retract the message with their name
    world.unsend(world.said[-1])
    # Then the name is no longer kept, they are told so, and the name is asked again (pushed: no token)
    assert "name" not in answers(world)
    assert RETRACTED in world.texts()
    assert "お名前を入力" in world.texts()
    assert world.step == "name"
    assert world.outcome.when_stale is WhenStale.PUSH
    # And answering again carries on with the フリガナ
    world.say("新宿　次郎")
    assert world.step == "kana"
    assert answers(world)["name"] == "新宿 次郎"


def test_retracting_an_answer_seen_on_the_card_asks_it_again_then_shows_the_card(world: FormsWorld) -> None:
    # Given the confirmation card, the phone number typed last
    _to_card(world)
    phone_message = world.said[-1]
    # When the resident retracts the message with the phone number
    world.unsend(phone_message)
    # Then the number is dropped and asked again; the new one goes back to the card
    assert "phone" not in answers(world)
    assert RETRACTED in world.texts()
    assert world.step == "phone"
    world.say("03-5555-6666")
    assert world.summary()["電話番号"] == "03-5555-6666"
    assert world.summary()["お名前"] == "新宿 花子"


def test_retracting_an_earlier_answer_keeps_the_others(world: FormsWorld) -> None:
    _to_card(world)
    name_message = world.said[0]
    world.unsend(name_message)
    kept = answers(world)
    assert "name" not in kept
    assert {"kana", "postal_code", "address", "phone"} <= set(kept)
    assert world.step == "name"


def test_a_redelivered_unsend_changes_nothing_the_second_time(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME, KANA)
    world.unsend(world.said[0])
    after_first = world.conversations.load(USER)
    # When LINE delivers the same unsend again
    world.unsend(world.said[0])
    # Then nothing more is dropped and nothing is said
    assert world.outcome.replies == ()
    assert world.conversations.load(USER) == after_first


def test_retracting_a_message_that_answered_nothing_says_nothing(world: FormsWorld) -> None:
    # Given a typed message the form did not take (a malformed postal code), then a valid one
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME, KANA, "12345")
    refused = world.said[-1]
    before = world.conversations.load(USER)
    # When the resident retracts the refused message
    world.unsend(refused)
    # Then the form is as it was and the bot stays silent
    assert world.outcome.replies == ()
    assert world.conversations.load(USER) == before


def test_retracting_with_no_form_open_says_nothing(world: FormsWorld) -> None:
    world.say("こんにちは")
    world.unsend(world.said[-1])
    assert world.outcome.replies == ()
    assert world.conversations.load(USER) is None


def test_retracting_an_answer_of_a_form_already_sent_says_it_was_received_and_how_to_change_it(
    world: FormsWorld,
) -> None:
    # Given an application just sent
    _to_card(world)
    world.tap("送信する")
    # When the resident retracts the message with their address
    world.unsend(world.said[2 + 1])
    # Then they learn it was already sent (retracting does not change it) and how to change it
    said = world.texts()
    assert said.startswith(text("applications_chat.unsend.already_sent", title="広報新宿の個別配達"))
    assert "申請状況" in world.labels()
    assert world.outcome.when_stale is WhenStale.PUSH
    # And nothing is sent again or withdrawn
    assert len(world.queue.sent) == 1


def test_a_sent_form_keeps_message_ids_only_never_the_answers(world: FormsWorld) -> None:
    _to_card(world)
    world.tap("送信する")
    stored = world.conversations.load(USER)
    assert stored is not None
    assert stored.flow == "form.sent"
    assert set(stored.state["message_ids"]) == set(world.said)
    assert not {NAME, KANA, DETAIL, PHONE} & {str(v) for v in stored.state.values()}
