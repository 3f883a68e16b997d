"""The engine through the 広報新宿 個別配達 form: three kinds, commands, fixes and interruptions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.unit.applications.forms.forms_chat import NOW, USER_ID, Chat, render, switched

from civicline.domain.applications.forms import (
    Completed,
    Ended,
    Postback,
    answer,
    application_reply,
    build_application,
    load_form,
    request_switch,
    resume,
    start,
)
from civicline.domain.applications.forms.reply import FormReply, UserInput
from civicline.models.form_conversation import CONFIRMING, ConversationState
from civicline.models.forms import FormDefinition

NAME, KANA, POSTAL, DETAIL, PHONE = (
    "新宿　太郎",
    "しんじゅく たろう",
    "〒１６０－００２２",
    "２－３－４　新宿ハイツ１０１",
    "03-1234-5678",
)


def _next(form: FormDefinition, state: ConversationState, user_input: UserInput) -> ConversationState:
    """The state after an answer that keeps the conversation open."""
    moved, outcome = answer(form, state, user_input, NOW)
    assert moved is not None, outcome
    return moved


def _texts(reply: object) -> tuple[str, ...]:
    assert isinstance(reply, FormReply), reply
    return render(reply).texts


def _to_confirmation(chat: Chat) -> None:
    chat.say_all(NAME, KANA, POSTAL)
    chat.tap("はい")
    chat.say_all(DETAIL, PHONE)


def _completed(chat: Chat) -> Completed:
    outcome = chat.tap("送信する")
    assert isinstance(outcome, Completed)
    assert chat.state is None  # the worker deleted the conversation
    return outcome


# --- the three kinds --------------------------------------------------------------------------------


def test_new_subscription_walks_one_question_at_a_time_to_an_application() -> None:
    # Given a resident who chose 新規申込
    chat = Chat("koho_delivery")
    assert "お手続きの種類" in chat.texts
    assert chat.labels == ["新規申込", "住所変更（区内転居）", "配達停止", "やめる"]
    chat.tap("新規申込")
    assert "お名前を入力" in chat.texts
    chat.send(NAME)
    assert "フリガナ" in chat.texts
    chat.send(KANA)
    assert "郵便番号" in chat.texts
    # When they give a Shinjuku postal code, the town is filled in and confirmed
    chat.send(POSTAL)
    assert "東京都新宿区新宿」でよろしいですか" in chat.texts
    assert chat.labels[:2] == ["はい", "いいえ"]
    chat.tap("はい")
    assert "丁目・番地・建物名・部屋番号" in chat.texts
    chat.send(DETAIL)
    chat.send(PHONE)
    # Then the confirmation card shows every answer, normalised
    assert chat.step == CONFIRMING
    assert chat.rendered.summary == (
        ("お手続き", "新規申込"),
        ("お名前", "新宿 太郎"),
        ("フリガナ", "シンジュク タロウ"),
        ("郵便番号", "〒160-0022"),
        ("住所", "東京都新宿区新宿2-3-4 新宿ハイツ101"),
        ("電話番号", "03-1234-5678"),
    )
    assert chat.labels == ["送信する", "修正する", "戻る", "やめる"]
    # And submitting gives an application with typed answers and the first edition
    completed = _completed(chat)
    form = load_form("koho_delivery")
    application = build_application(form, completed, USER_ID, NOW)
    assert application.kind == "new"
    assert application.answers.model_dump() == {
        "name": "新宿 太郎",
        "kana": "シンジュク タロウ",
        "postal_code": "160-0022",
        "address": "東京都新宿区新宿2-3-4 新宿ハイツ101",
        "phone": "+81312345678",
        "reason": None,
    }
    assert application.first_edition == date(2025, 4, 15)
    assert application.last_edition is None
    assert "2025年4月15日号からお届け" in render(application_reply(form, application)).texts[0]


def test_an_address_change_asks_for_the_new_address() -> None:
    chat = Chat("koho_delivery", kind="change_address")
    chat.say_all(NAME, KANA)
    assert "転居先" in chat.texts
    chat.send("169-0075")
    chat.tap("はい")
    chat.say_all("1-1-1", "090-1234-5678")
    form = load_form("koho_delivery")
    application = build_application(form, _completed(chat), USER_ID, NOW, lead_days=20)
    assert application.answers.address == "東京都新宿区高田馬場1-1-1"
    assert application.first_edition == date(2025, 4, 25)
    assert "新しいご住所" in render(application_reply(form, application)).texts[0]


def test_a_stop_finds_the_registration_then_asks_an_optional_reason() -> None:
    chat = Chat("koho_delivery", kind="stop")
    chat.say_all(NAME, KANA)
    assert "いま配達しているご住所" in chat.texts
    chat.send(POSTAL)
    chat.tap("はい")
    chat.send(DETAIL)
    assert "登録した電話番号" in chat.texts
    chat.send(PHONE)
    assert "停止する理由" in chat.texts
    assert chat.labels == ["スキップ", "戻る", "やめる"]
    chat.tap("スキップ")
    assert ("停止の理由", "（なし）") in chat.rendered.summary
    form = load_form("koho_delivery")
    application = build_application(form, _completed(chat), USER_ID, NOW)
    assert application.answers.reason is None
    assert application.first_edition is None
    assert application.last_edition == date(2025, 4, 5)
    assert "2025年4月5日号が最後" in render(application_reply(form, application)).texts[0]


def test_a_stop_keeps_a_written_reason() -> None:
    chat = Chat("koho_delivery", kind="stop")
    _to_confirmation(chat)
    chat.send("区外へ転出するため")
    application = build_application(load_form("koho_delivery"), _completed(chat), USER_ID, NOW)
    assert application.answers.reason == "区外へ転出するため"


def test_a_new_subscription_is_never_asked_for_a_reason() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    assert chat.step == CONFIRMING
    assert "停止の理由" not in dict(chat.rendered.summary)


def test_the_kind_can_be_typed_as_its_label() -> None:
    chat = Chat("koho_delivery")
    chat.send("配達停止")
    assert chat.state is not None
    assert chat.state.kind == "stop"


# --- commands -----------------------------------------------------------------------------------------

INPUTS_IN_ORDER = [NAME, KANA, POSTAL, "はい", DETAIL, PHONE]


@pytest.mark.parametrize("answered", range(len(INPUTS_IN_ORDER) + 1))
@pytest.mark.parametrize("how", ["typed", "tapped"])
def test_yameru_cancels_at_any_point_and_keeps_nothing(answered: int, how: str) -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all(*INPUTS_IN_ORDER[:answered])
    outcome = chat.send("やめる") if how == "typed" else chat.tap("やめる")
    assert isinstance(outcome, Ended)
    assert outcome.reason == "cancelled"
    assert "取りやめました" in chat.texts
    assert chat.store.items == {}


def test_modoru_goes_back_one_question_and_then_forward_again() -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all(NAME, KANA)
    chat.send("戻る")
    assert chat.step == "kana"
    chat.tap("戻る")
    assert chat.step == "name"
    chat.send("新宿 花子")
    assert chat.step == "kana"  # the next unanswered question, not the one after it
    chat.say_all(KANA, POSTAL)
    chat.tap("はい")
    chat.say_all(DETAIL, PHONE)
    assert dict(chat.rendered.summary)["お名前"] == "新宿 花子"


def test_modoru_at_the_first_question_says_there_is_nothing_before() -> None:
    chat = Chat("koho_delivery", kind="new")
    assert "戻る" not in chat.labels
    chat.send("戻る")
    assert chat.step == "name"
    assert "これより前には戻れません" in chat.texts


def test_back_from_the_confirmation_card_returns_to_the_last_question() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    chat.tap("戻る")
    assert chat.step == "phone"
    chat.send("090-1111-2222")
    assert chat.step == CONFIRMING
    assert dict(chat.rendered.summary)["電話番号"] == "090-1111-2222"


def test_iie_to_the_town_asks_for_the_postal_code_again() -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all(NAME, KANA, POSTAL)
    chat.tap("いいえ")
    assert chat.step == "postal_code"
    chat.send("162-0825")
    assert "東京都新宿区神楽坂」でよろしいですか" in chat.texts


# --- 修正 from the confirmation card -------------------------------------------------------------------


def test_fixing_one_field_returns_to_the_confirmation_card() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    before = dict(chat.rendered.summary)
    chat.tap("修正する")
    assert chat.labels == ["お名前", "フリガナ", "郵便番号", "住所", "電話番号", "戻る", "やめる"]
    chat.tap("電話番号")
    assert chat.step == "phone"
    chat.send("０９０－９８７６－５４３２")
    assert chat.step == CONFIRMING
    after = dict(chat.rendered.summary)
    assert after["電話番号"] == "090-9876-5432"
    assert {k: v for k, v in after.items() if k != "電話番号"} == {
        k: v for k, v in before.items() if k != "電話番号"
    }


def test_a_new_postal_code_asks_the_town_and_address_again() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    chat.send("修正")
    chat.send("郵便番号")
    chat.send("169-0075")
    assert "東京都新宿区高田馬場」でよろしいですか" in chat.texts
    chat.tap("はい")
    assert "「東京都新宿区高田馬場」に続く" in chat.texts
    chat.send("4-5-6")
    assert chat.step == CONFIRMING
    summary = dict(chat.rendered.summary)
    assert summary["郵便番号"] == "〒169-0075"
    assert summary["住所"] == "東京都新宿区高田馬場4-5-6"


def test_the_same_postal_code_again_keeps_the_address() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    chat.tap("修正する")
    chat.tap("郵便番号")
    chat.send("160-0022")
    assert chat.step == CONFIRMING
    assert dict(chat.rendered.summary)["住所"] == "東京都新宿区新宿2-3-4 新宿ハイツ101"


def test_fixing_the_address_keeps_the_postal_code_and_town() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    chat.tap("修正する")
    chat.tap("住所")
    chat.send("2-3-4 新宿ハイツ202")
    assert dict(chat.rendered.summary)["住所"] == "東京都新宿区新宿2-3-4 新宿ハイツ202"


def test_back_from_the_field_list_returns_to_the_card() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    chat.tap("修正する")
    chat.tap("戻る")
    assert chat.step == CONFIRMING


def test_free_text_on_the_card_asks_to_use_the_buttons() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    chat.send("よろしく")
    assert chat.step == CONFIRMING
    assert "「送信する」「修正する」「やめる」" in chat.texts


# --- invalid answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answered", "bad", "says"),
    [
        (0, "新宿太郎😀", "絵文字"),
        (0, "新" * 51, "50文字以内"),
        (1, "Shinjuku", "カタカナかひらがな"),
        (2, "12345", "7桁"),
        (2, "100-0001", "新宿区にお住まいの方"),
        (4, "2-3-4 🏠", "絵文字"),
        (5, "0120", "電話番号を確認できませんでした"),
    ],
)
def test_an_invalid_answer_is_re_asked_with_what_is_wrong_and_never_echoed(
    answered: int, bad: str, says: str
) -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all(*INPUTS_IN_ORDER[:answered])
    state_before = chat.state
    assert state_before is not None
    chat.send(bad)
    state = chat.state
    assert state is not None
    assert state.step_id == state_before.step_id
    assert state.answers == state_before.answers
    assert says in chat.rendered.texts[0]
    assert len(chat.rendered.texts) == 2  # the explanation, then the same question
    assert bad not in chat.texts


def test_a_button_of_an_earlier_question_is_not_taken_as_an_answer() -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all(NAME, KANA, POSTAL)
    old_yes = next(q.data for q in chat.rendered.quick_replies if q.label == "はい")
    chat.tap("いいえ")
    chat.send(Postback(old_yes))
    assert chat.step == "postal_code"
    assert "前の質問のボタン" in chat.texts


def test_a_button_tapped_where_text_is_expected_asks_for_text() -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.send(Postback("form:name:something"))
    assert chat.step == "name"
    assert "文字を入力して" in chat.texts


# --- versions, expiry, interruption -------------------------------------------------------------------


def test_every_transition_raises_the_version_by_one_and_renews_the_expiry() -> None:
    form = load_form("koho_delivery")
    state, _ = start(form, "new", NOW, conversation_id="c1")
    later = NOW + timedelta(hours=3)
    first, _ = answer(form, state, NAME, later)
    retried, _ = answer(form, state, NAME, later)  # a second worker on the same stored state
    assert first is not None
    assert retried is not None
    assert first.version == retried.version == state.version + 1  # so only one conditional write wins
    assert first.expires_at == later + timedelta(hours=24)


def test_the_engine_is_deterministic() -> None:
    form = load_form("koho_delivery")
    runs = []
    for _ in range(2):
        state, _ = start(form, "new", NOW, conversation_id="c1")
        for text in INPUTS_IN_ORDER:
            state = _next(form, state, text)
        runs.append(state)
    assert runs[0] == runs[1]


def test_an_abandoned_form_expires_with_nothing_kept() -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all(NAME, KANA)
    chat.now = NOW + timedelta(hours=24)
    outcome = chat.send(POSTAL)
    assert isinstance(outcome, Ended)
    assert outcome.reason == "expired"
    assert "時間がたったため破棄しました" in chat.texts
    assert chat.store.items == {}
    state = chat.state
    assert state is None


def test_resume_asks_the_open_question_again() -> None:
    form = load_form("koho_delivery")
    state, _ = start(form, "new", NOW, conversation_id="c1")
    state = _next(form, state, NAME)
    resumed, reply = resume(form, state, NOW + timedelta(hours=2))
    assert resumed is not None
    assert resumed.step_id == "kana"
    texts = _texts(reply)
    assert "入力の続き" in texts[0]
    assert "フリガナ" in texts[1]
    gone, ended = resume(form, state, NOW + timedelta(days=2))
    assert gone is None
    assert isinstance(ended, Ended)


def test_starting_another_form_asks_first() -> None:
    form, survey = load_form("koho_delivery"), load_form("koho_survey")
    state, _ = start(form, "new", NOW, conversation_id="c1")
    state = _next(form, state, NAME)
    asking, reply = request_switch(form, state, survey, None, NOW)
    assert asking is not None
    assert isinstance(reply, FormReply)
    rendered = render(reply)
    assert "「広報新宿の個別配達」を入力中" in rendered.texts[0]
    assert [q.label for q in rendered.quick_replies] == ["破棄して始める", "入力を続ける"]
    # いいえ keeps the open form where it was
    kept, kept_reply = answer(form, asking, Postback(rendered.quick_replies[1].data), NOW)
    assert kept is not None
    assert kept.step_id == "kana"
    assert kept.pending_switch is None
    assert kept.answers == state.answers
    assert "フリガナ" in _texts(kept_reply)[-1]
    # はい drops it and names the form to start
    gone, outcome = answer(form, asking, Postback(rendered.quick_replies[0].data), NOW)
    assert gone is None
    assert switched(outcome).form_id == "koho_survey"


def test_asking_for_the_open_form_again_just_resumes_it() -> None:
    form = load_form("koho_delivery")
    state, _ = start(form, "new", NOW, conversation_id="c1")
    same, reply = request_switch(form, state, form, "new", NOW)
    assert same is not None
    assert same.pending_switch is None
    assert "入力の続き" in _texts(reply)[0]


def test_a_changed_form_definition_ends_the_old_conversation() -> None:
    form = load_form("koho_delivery")
    state, _ = start(form, "new", NOW, conversation_id="c1")
    newer = form.model_copy(update={"version": form.version + 1})
    gone, outcome = answer(newer, state, NAME, NOW)
    assert gone is None
    assert isinstance(outcome, Ended)
    assert outcome.reason == "outdated"


# --- submission and personal data ---------------------------------------------------------------------


def test_a_redelivered_submit_yields_the_same_submission_id() -> None:
    form = load_form("koho_delivery")
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    state = chat.state
    assert state is not None
    # Given the worker crashed after enqueueing, the same stored state receives 送信 again
    _, first = answer(form, state, "送信", NOW)
    _, again = answer(form, state, "送信", NOW + timedelta(seconds=30))
    assert isinstance(first, Completed)
    assert isinstance(again, Completed)
    ids = {build_application(form, c, USER_ID, NOW).submission_id for c in (first, again)}
    assert len(ids) == 1
    other = Completed(first.form_id, first.form_version, first.kind, "conv-other", first.answers)
    assert build_application(form, other, USER_ID, NOW).submission_id not in ids


def test_personal_data_stays_out_of_reprs() -> None:
    chat = Chat("koho_delivery", kind="new")
    _to_confirmation(chat)
    state = chat.state
    completed = _completed(chat)
    application = build_application(load_form("koho_delivery"), completed, USER_ID, NOW)
    for value in (state, completed, application, chat.seen[-1]):
        shown = repr(value) + str(value)
        for secret in ("新宿 太郎", "シンジュク", "2-3-4", "1234-5678", "+8131234"):
            assert secret not in shown, type(value).__name__


def test_the_stored_state_round_trips_through_json() -> None:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all(NAME, KANA, POSTAL)
    state = chat.state
    assert state is not None
    assert state.answers["postal_code"] == {
        "code": "160-0022",
        "town": "新宿",
        "area": "東京都新宿区新宿",
        "romaji": "Shinjuku",
    }
    assert type(state).model_validate_json(state.model_dump_json()) == state
    assert state.expires_at_epoch() == int((NOW + timedelta(hours=24)).timestamp())
