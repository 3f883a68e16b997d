"""電子申請 through the dispatcher: menu, one question at a time, the card, submission, interruptions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.unit.applications.chat.forms_chat_world import FormsWorld, status_entry
from tests.unit.residents.residents_fakes import USER, sticker_in

from civicline.domain.applications.chat.chat import FLOW
from civicline.domain.chat.replies import Card, TextReply, WhenStale
from civicline.domain.errors import EnqueueFailed
from civicline.messages import text
from civicline.models.forms import Application, SurveyResponse

NAME, KANA, DETAIL, PHONE = "新宿　花子", "しんじゅく はなこ", "２－３－４　新宿ハイツ１０１", "090-1234-5678"


@pytest.fixture
def world() -> FormsWorld:
    return FormsWorld()


def _to_card(
    world: FormsWorld, entry: str = "個別配達の新規申込", postal: str = "〒１６０－００２２"
) -> None:
    world.postback("action=apply_menu")
    world.tap(entry)
    world.say(NAME, KANA, postal)
    world.tap("はい")
    world.say(DETAIL, PHONE)


def assert_only_the_receipt_is_kept(world: FormsWorld, form_id: str) -> None:
    """After sending, the slot keeps which form was sent (for a second tap) and the LINE ids of the messages
    that answered it (for a retraction), no answer, for a short while."""
    stored = world.conversations.load(USER)
    assert stored is not None
    assert (stored.flow, stored.state["form_id"]) == ("form.sent", form_id)
    assert set(stored.state) == {"form_id", "message_ids"}
    assert set(stored.state["message_ids"]) <= set(world.said)


def _only_application(world: FormsWorld) -> Application:
    assert len(world.queue.sent) == 1
    sent = world.queue.sent[0]
    assert isinstance(sent, Application)
    return sent


# --- the menu ---------------------------------------------------------------------------------------


def test_the_menu_tile_lists_the_forms_and_the_status(world: FormsWorld) -> None:
    # When the resident taps the rich menu's 電子申請 tile
    world.postback("action=apply_menu")
    # Then the forms on offer and 申請状況 are quick replies, and it is worth a push when late
    assert world.labels() == [
        "個別配達の新規申込",
        "個別配達の住所変更",
        "個別配達の停止",
        "読者アンケート",
        "申請状況",
    ]
    assert world.outcome.when_stale is WhenStale.PUSH
    assert world.step is None  # looking at the menu opens nothing


def test_typing_the_menu_name_opens_the_menu_too(world: FormsWorld) -> None:
    world.say("電子申請")
    assert "個別配達の新規申込" in world.labels()


def test_the_help_reply_offers_the_menu_and_the_status(world: FormsWorld) -> None:
    world.say("こんにちは")  # no form open: help
    assert world.labels() == ["受信設定", "言語 / Language", "電子申請", "申請状況"]


def test_a_start_postback_for_something_not_on_the_menu_shows_the_menu(world: FormsWorld) -> None:
    world.postback("action=apply&form=koho_delivery&kind=refund")
    assert world.step is None
    assert "個別配達の新規申込" in world.labels()


# --- the three kinds --------------------------------------------------------------------------------


def test_a_new_subscription_goes_question_by_question_to_the_card_and_the_queue(world: FormsWorld) -> None:
    # Given the resident chose 新規申込 from the menu
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    # Then the form introduces itself and asks for the name, one question at a time
    assert "個別配達のお手続きを始めます" in world.texts()
    assert "お名前を入力" in world.texts()
    assert world.labels() == ["やめる"]
    assert world.step == "name"
    world.say(NAME)
    assert "フリガナ" in world.texts()
    world.say(KANA)
    # When they type a full-width postal code with 〒, the town is confirmed with はい/いいえ
    world.say("〒１６０－００２２")
    assert "東京都新宿区新宿」でよろしいですか" in world.texts()
    assert world.labels()[:2] == ["はい", "いいえ"]
    world.tap("はい")
    world.say(DETAIL, PHONE)
    # Then the confirmation is a card with every answer, normalised, and the commands as buttons
    card = world.card()
    assert card.title == "「広報新宿の個別配達」の入力内容"
    assert world.summary() == {
        "お手続き": "新規申込",
        "お名前": "新宿 花子",
        "フリガナ": "シンジュク ハナコ",
        "郵便番号": "〒160-0022",
        "住所": "東京都新宿区新宿2-3-4 新宿ハイツ101",
        "電話番号": "090-1234-5678",
    }
    assert [b.label for b in card.buttons] == ["送信する", "修正する", "戻る", "やめる"]
    assert card.note
    assert "送信する" in card.note
    assert world.queue.sent == []
    # When they tap 送信する
    world.tap("送信する")
    # Then one application is queued, the conversation is closed, and they are thanked with the edition
    application = _only_application(world)
    assert application.user_id == USER
    assert application.kind == "new"
    assert application.answers.phone == "+819012345678"
    assert application.answers.postal_code == "160-0022"
    assert application.first_edition == date(2025, 6, 15)
    assert_only_the_receipt_is_kept(world, "koho_delivery")
    assert "2025年6月15日号からお届け" in world.texts()
    assert "form.koho_delivery.submitted" in world.outcome.tags


def test_an_address_change_asks_for_the_new_address(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の住所変更")
    world.say(NAME, KANA)
    assert "転居先" in world.texts()
    world.say("169-0075")
    world.tap("はい")
    world.say("1-1-1", "03-1234-5678")
    assert world.summary()["お手続き"] == "住所変更（区内転居）"
    world.tap("送信する")
    application = _only_application(world)
    assert application.kind == "change_address"
    assert application.answers.address == "東京都新宿区高田馬場1-1-1"
    assert "新しいご住所にお届け" in world.texts()


def test_a_stop_asks_for_a_reason_that_can_be_skipped(world: FormsWorld) -> None:
    _to_card(world, entry="個別配達の停止")
    # The optional reason comes after the phone number
    assert "停止する理由" in world.texts()
    world.tap("スキップ")
    assert world.summary()["停止の理由"] == "（なし）"
    world.tap("送信する")
    application = _only_application(world)
    assert application.kind == "stop"
    assert application.answers.reason is None
    assert application.last_edition is not None
    assert "最後のお届け" in world.texts()


# --- wrong input, cancel, fix, back -----------------------------------------------------------------


@pytest.mark.parametrize("postal", ["100-0001", "〒１００－０００１", "1500001"])
def test_a_postal_code_outside_the_ward_is_refused_and_asked_again(world: FormsWorld, postal: str) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME, KANA, postal)
    assert "新宿区内のものではないようです" in world.texts()
    assert world.step == "postal_code"
    # And a Shinjuku code then moves on
    world.say("160-0022")
    assert world.step == "area_ok"


def test_cancel_typed_midway_keeps_nothing(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME, "やめる")
    assert "取りやめました" in world.texts()
    assert world.conversations.load(USER) is None
    assert world.queue.sent == []


def test_cancel_from_the_card_keeps_nothing(world: FormsWorld) -> None:
    _to_card(world)
    world.tap("やめる")
    assert world.conversations.load(USER) is None
    assert world.queue.sent == []


def test_fixing_one_field_from_the_card_keeps_the_others(world: FormsWorld) -> None:
    _to_card(world)
    before = world.summary()
    # When they tap 修正する, choose 電話番号 and type a new one
    world.tap("修正する")
    assert "修正する項目" in world.texts()
    assert "電話番号" in world.labels()
    world.tap("電話番号")
    assert "電話番号を入力" in world.texts()
    world.say("03-5273-4064")
    # Then they are back on the card with only the phone changed
    assert world.summary() == {**before, "電話番号": "03-5273-4064"}
    world.tap("送信する")
    assert _only_application(world).answers.phone == "+81352734064"


def test_fixing_the_postal_code_asks_the_town_and_address_again(world: FormsWorld) -> None:
    _to_card(world)
    world.tap("修正する")
    world.tap("郵便番号")
    world.say("169-0075")
    assert "高田馬場" in world.texts()
    world.tap("はい")
    world.say("1-1-1")
    assert world.summary()["住所"] == "東京都新宿区高田馬場1-1-1"


def test_back_returns_to_the_previous_question(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    world.tap("戻る")
    assert world.step == "name"


def test_a_button_of_an_earlier_question_asks_the_current_one_again(world: FormsWorld) -> None:
    _to_card(world)
    world.postback("form:area_ok:yes")
    assert "前の質問のボタン" in world.texts()
    assert world.step == "@confirm"


# --- interruptions, resume, expiry, one form at a time ----------------------------------------------


def test_settings_midway_leave_the_form_open_and_it_resumes(world: FormsWorld) -> None:
    # Given a form open at the postal code
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME, KANA)
    # When the resident taps 受信設定 and answers its first question by tapping
    world.postback("action=settings")
    assert "生まれ年" in world.texts()
    world.tap("回答しない")
    # Then 受信設定 asks its next question, the form waiting where it was
    assert world.step == "<settings>"
    # And the menu offers 申請の続き first, which asks the open question again
    world.postback("action=apply_menu")
    assert world.labels()[0] == "申請の続き"
    assert "入力途中の「広報新宿の個別配達」" in world.texts()
    world.tap("申請の続き")
    assert "入力の続きです" in world.texts()
    assert "郵便番号" in world.texts()
    world.say("160-0022")
    assert world.step == "area_ok"


def test_a_year_typed_for_settings_midway_sets_the_birth_year_and_the_form_resumes(
    world: FormsWorld,
) -> None:
    # Given a form open at the postal code
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME, KANA)
    # When the resident taps 受信設定 and types a year for its first question
    world.postback("action=settings")
    world.say("1990")
    # Then the year answers the question asked last: the birth year is saved, the next question asked
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.settings.birth_year == 1990
    assert "性別" in world.texts()
    # And after leaving 受信設定 the form resumes where it was
    world.say("やめる")
    assert text("settings.cancelled") in world.texts()
    world.say("申請の続き")
    assert "郵便番号" in world.texts()
    world.say("160-0022")
    assert world.step == "area_ok"


def test_a_sticker_midway_asks_the_open_question_again(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    for kind in ("sticker", "image", "location"):
        world.send(sticker_in(message_type=kind))
        assert "スタンプや画像、位置情報では" in world.texts()
        assert "フリガナ" in world.texts()
        assert world.step == "kana"


def test_typing_resume_continues_the_form(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    world.say("申請の続き")
    assert "フリガナ" in world.texts()
    assert world.step == "kana"


def test_something_unrelated_midway_is_answered_by_the_question_again(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME, KANA)
    world.say("今日は何曜日？")  # not a postal code
    assert "郵便番号は7桁" in world.texts()
    assert world.step == "postal_code"


def test_status_midway_is_answered_and_the_form_stays(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    world.statuses.asked.clear()  # starting looked for a pending application of the same kind
    world.say("申請状況")
    assert world.statuses.asked == [USER]
    assert world.step == "kana"


def test_an_abandoned_form_expires_and_says_so(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    # When the resident comes back a day later and types
    world.clock.advance(timedelta(hours=25))
    world.say(KANA)
    # Then the form is gone, and they are told to start again
    assert "時間がたったため破棄しました" in world.texts()
    assert world.conversations.load(USER) is None


def test_resume_with_nothing_open_points_to_the_menu(world: FormsWorld) -> None:
    world.say("申請の続き")
    assert "入力中のお手続きはありません" in world.texts()
    assert "個別配達の新規申込" in world.labels()


def test_a_second_tap_on_send_says_the_form_was_sent(world: FormsWorld) -> None:
    # Given a form just sent
    _to_card(world)
    world.tap("送信する")
    # When the resident taps 送信する again (or any button of that card)
    for data in ("form:@confirm:@submit", "form:@confirm:@edit"):
        world.postback(data)
        # Then they are told it was sent and where to follow it, not invited to apply again
        assert "「広報新宿の個別配達」は送信済みです" in world.texts()
        assert "入力中のお手続きはありません" not in world.texts()
        assert world.labels() == ["申請状況"]
    assert len(world.queue.sent) == 1


def test_a_form_button_with_nothing_open_points_to_the_menu(world: FormsWorld) -> None:
    world.postback("form:@confirm:@submit")
    assert "入力中のお手続きはありません" in world.texts()
    assert world.queue.sent == []


def test_starting_another_form_asks_first_and_can_keep_the_open_one(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    # When they choose the survey from the menu while the delivery form is open
    world.postback("action=apply_menu")
    world.tap("読者アンケート")
    # Then they are asked before anything is dropped
    assert "入力中の内容を破棄して「広報新宿 読者アンケート」を始めますか" in world.texts()
    assert world.labels() == ["破棄して始める", "入力を続ける"]
    world.tap("入力を続ける")
    assert "フリガナ" in world.texts()
    assert world.step == "kana"
    # And when they ask again and agree, the survey starts in its place
    world.postback("action=apply_menu")
    world.tap("読者アンケート")
    world.tap("破棄して始める")
    assert "満足していますか" in world.texts()
    assert world.step == "satisfaction"


def test_starting_the_same_form_again_resumes_it(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.say(NAME)
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    assert "入力の続きです" in world.texts()
    assert world.step == "kana"


def test_a_form_takes_the_slot_of_an_open_settings_question(world: FormsWorld) -> None:
    world.postback("action=settings")
    assert world.step == "<settings>"
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    assert world.step == "name"


def test_starting_while_the_open_form_expired_starts_the_new_one(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    world.clock.advance(timedelta(hours=30))
    world.postback("action=apply&form=koho_survey")
    assert "時間がたったため破棄しました" in world.texts()
    assert world.step == "satisfaction"


def test_an_unreadable_stored_form_is_closed(world: FormsWorld) -> None:
    world.conversations.save(USER, FLOW, {"form_id": "koho_delivery", "step_id": 3}, 0)
    world.say("160-0022")
    assert "入力中のお手続きはありません" in world.texts()
    assert world.conversations.load(USER) is None


# --- surveys and status -----------------------------------------------------------------------------


def test_a_survey_is_answered_and_queued_with_the_residents_id(world: FormsWorld) -> None:
    world.postback("action=apply_menu")
    world.tap("読者アンケート")
    assert "アンケートにご協力ください" in world.texts()
    world.tap("ふつう")
    world.tap("防災・安全")
    assert "改善してほしい点" in world.texts()  # asked because ふつう is not satisfied
    world.tap("記事の量")
    world.say("特になし")
    assert world.summary()["満足度"] == "ふつう"
    world.tap("送信する")
    assert len(world.queue.sent) == 1
    response = world.queue.sent[0]
    assert isinstance(response, SurveyResponse)
    assert response.user_id == USER
    assert response.answers == {
        "satisfaction": "3",
        "articles": "disaster",
        "improve": "amount",
        "comment": None,
    }
    assert text("forms.survey.completed") in world.texts()
    assert_only_the_receipt_is_kept(world, "koho_survey")


def _answer_the_survey(world: FormsWorld, satisfaction: str) -> SurveyResponse:
    world.postback("action=apply_menu")
    world.tap("読者アンケート")
    world.tap(satisfaction)
    world.tap("防災・安全")
    world.say("スキップ")
    world.tap("送信する")
    response = world.queue.sent[-1]
    assert isinstance(response, SurveyResponse)
    return response


def test_answering_the_survey_again_replaces_the_residents_earlier_answer(world: FormsWorld) -> None:
    # Given a resident who answered the survey
    first = _answer_the_survey(world, "とても満足")
    # When they answer it again a minute later
    world.clock.advance(timedelta(minutes=1))
    second = _answer_the_survey(world, "満足")
    # Then both carry the same response id (one answer per resident and survey), the later one newer
    assert first.response_id == second.response_id
    assert second.submitted_at > first.submitted_at
    assert second.answers["satisfaction"] == "4"


def test_status_lists_the_residents_applications(world: FormsWorld) -> None:
    world.statuses.entries = [status_entry("KH-20250601-0001")]
    world.postback("action=apply_status")
    (card,) = world.outcome.replies
    assert isinstance(card, Card)
    assert "KH-20250601-0001" in card.rows[0].label
    assert "新規申込" in card.rows[0].value


def test_a_pending_application_of_the_same_kind_is_said_before_any_question(world: FormsWorld) -> None:
    # Given a 新規申込 the ward has not yet handled
    world.statuses.entries = [status_entry("KH-20250601-0007", kind="new")]
    # When the resident starts another 新規申込
    world.postback("action=apply_menu")
    world.tap("個別配達の新規申込")
    # Then before any question they learn of the pending one, its number, and what they can do instead
    said = world.texts()
    assert "受付番号 KH-20250601-0007" in said
    assert "個別配達の住所変更" in said
    assert "名前" not in said
    assert world.labels() == ["個別配達の住所変更", "個別配達の停止", "申請状況"]
    assert world.conversations.load(USER) is None
    assert world.queue.sent == []


def test_a_pending_application_of_another_kind_does_not_stop_this_one(world: FormsWorld) -> None:
    world.statuses.entries = [status_entry("KH-20250601-0007", kind="new")]
    world.postback("action=apply_menu")
    world.tap("個別配達の住所変更")
    assert world.step == "name"


def test_submitting_says_it_was_sent_not_that_it_was_accepted(world: FormsWorld) -> None:
    # Given a completed form: acceptance is intake's to announce (its card), not the chat's
    _to_card(world)
    world.tap("送信する")
    said = world.texts()
    assert "送信しました" in said
    assert "受け付けました" not in said


def test_status_with_nothing_says_so(world: FormsWorld) -> None:
    world.say("申請状況")
    (said,) = world.outcome.replies
    assert isinstance(said, TextReply)
    assert said.text == text("intake.status.none")


# --- failure and privacy ----------------------------------------------------------------------------


def test_a_queue_failure_keeps_the_form_at_its_card_for_the_retry(world: FormsWorld) -> None:
    _to_card(world)
    world.queue.failing = True
    with pytest.raises(EnqueueFailed):
        world.tap("送信する")
    assert world.step == "@confirm"
    # When the event is tried again and the queue is back, it goes through once
    world.queue.failing = False
    world.postback("form:@confirm:@submit")
    assert len(world.queue.sent) == 1
    assert_only_the_receipt_is_kept(world, "koho_delivery")


def test_a_repeated_submit_gives_the_same_submission_id(world: FormsWorld) -> None:
    # Given a submission that was queued but whose conversation could not be closed (a retry follows)
    _to_card(world)
    stored = world.conversations.load(USER)
    assert stored is not None
    world.tap("送信する")
    world.conversations.items[USER] = stored  # as if the close had not happened
    world.postback("form:@confirm:@submit")
    first, second = world.queue.sent
    assert isinstance(first, Application)
    assert isinstance(second, Application)
    assert first.submission_id == second.submission_id  # intake stores it once


def test_tags_and_reprs_carry_no_answers(world: FormsWorld) -> None:
    _to_card(world)
    tags = " ".join(world.outcome.tags)
    for typed in (NAME, "花子", KANA, DETAIL, PHONE, "新宿ハイツ", "1234"):
        assert typed not in tags
        assert typed not in repr(world.outcome.tags)
    stored = world.conversations.load(USER)
    assert stored is not None
    assert "花子" not in repr(stored)
    world.tap("送信する")
    assert "花子" not in repr(world.queue.sent[0])
