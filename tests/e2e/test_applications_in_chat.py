"""電子申請 in chat through the local stack, as a resident on LINE would do it.

signed webhook → HttpApi → events.fifo → conversation worker (the forms engine) → applications queue →
intake → Applications table (stored once, `pii` encrypted) → confirmation card pushed to the resident.
Every name, address and phone typed here is fictional, collected in TYPED, and must appear in no log.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import pytest

from devstack.resident import Resident, StackUrls

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

_users = itertools.count(1)
# Everything personal typed in this module, as typed; normalised forms are added by `_typed`.
TYPED: list[str] = []
RECEPTION_NUMBER = re.compile(r"KH-\d{8}-\d{4}")


def _typed(*values: str) -> tuple[str, ...]:
    for value in values:
        TYPED.append(value)
        TYPED.append(unicodedata.normalize("NFKC", value))
    return values


def _phone(typed: str) -> str:
    """The typed phone, remembered with its digits and E.164 form (what the system stores)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", typed))
    _typed(typed)
    TYPED.extend([digits, "+81" + digits[1:]])
    return typed


@pytest.fixture(scope="module")
def urls(local_stack: LocalStackProcess) -> StackUrls:
    return StackUrls(
        local_stack.api_url, local_stack.line_url, local_stack.invoke_url, local_stack.channel_secret
    )


def _resident(urls: StackUrls, display_name: str) -> Resident:
    resident = Resident(urls, f"U{0xF0E5 << 112 | next(_users):032x}", display_name)
    resident.join()
    resident.follow()
    return resident


def _table(stack: LocalStackProcess, logical_id: str) -> str:
    names = stack.boto3_client("dynamodb").list_tables()["TableNames"]
    return next(name for name in names if name.endswith(logical_id))


def _items_of(stack: LocalStackProcess, user_id: str) -> list[dict[str, Any]]:
    dynamodb = stack.boto3_client("dynamodb")
    scanned = dynamodb.scan(
        TableName=_table(stack, "ApplicationsTable"),
        FilterExpression="userId = :user",
        ExpressionAttributeValues={":user": {"S": user_id}},
    )
    items: list[dict[str, Any]] = scanned["Items"]
    return items


def _conversation(stack: LocalStackProcess, user_id: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        stack.boto3_client("dynamodb")
        .get_item(TableName=_table(stack, "ConversationsTable"), Key={"userId": {"S": user_id}})
        .get("Item")
    )
    return item


def _fill(
    resident: Resident, entry: str, *, name: str, kana: str, postal: str, detail: str, phone: str
) -> None:
    """From the 電子申請 tile to the confirmation card."""
    resident.postback("action=apply_menu")
    resident.tap(entry)
    resident.say(name)
    resident.say(kana)
    resident.say(postal)
    assert "でよろしいですか" in resident.read()
    resident.tap("はい")
    resident.say(detail)
    resident.say(phone)


def _flex_texts(resident: Resident) -> list[str]:
    return [m.get("altText", "") for m in resident.last_batch if m.get("type") == "flex"]


def _stored_application(stack: LocalStackProcess, resident: Resident, typed: tuple[str, ...]) -> str:
    """The resident's one stored application; its reception number. `pii` holds none of `typed`."""
    applications = [i for i in _items_of(stack, resident.user_id) if i["recordType"]["S"] == "application"]
    assert len(applications) == 1
    item = applications[0]
    assert item["status"]["S"] == "received"
    ciphertext = item["pii"]["S"]
    for value in typed:
        assert value not in ciphertext
        assert unicodedata.normalize("NFKC", value) not in ciphertext
    assert "name" not in item
    assert "phone" not in item
    return str(item["receptionNumber"]["S"])


# --- the three kinds --------------------------------------------------------------------------------


def test_a_new_subscription_in_chat_is_stored_once_and_confirmed_by_card(
    local_stack: LocalStackProcess, urls: StackUrls
) -> None:
    resident = _resident(urls, "申込テスト一")
    name, kana, detail = _typed("若葉　翠", "わかば みどり", "３－５－８　若葉荘２０３")
    phone = _phone("０９０－８７６５－４３２１")
    # Given the resident fills the form with full-width input and a 〒 postal code
    _fill(
        resident,
        "個別配達の新規申込",
        name=name,
        kana=kana,
        postal="〒１６０－００２２",
        detail=detail,
        phone=phone,
    )
    # Then the confirmation card shows their answers, normalised, with 送信する / 修正する / やめる
    confirmation = resident.read()
    assert "「広報新宿の個別配達」の入力内容" in confirmation
    assert "若葉 翠" in confirmation
    assert "ワカバ ミドリ" in confirmation
    assert "東京都新宿区新宿3-5-8 若葉荘203" in confirmation
    assert "090-8765-4321" in confirmation
    assert {"送信する", "修正する", "やめる"} <= set(resident.labels())
    # When they tap 送信する
    resident.tap("送信する")
    # Then the chat says it was sent (not yet accepted), and intake's card (reception number, masked
    # answers) says it was accepted
    said = resident.read()
    assert "個別配達のお申込みを送信しました" in said
    assert "お申込みを受け付けました" in said
    numbers = RECEPTION_NUMBER.findall(" ".join(_flex_texts(resident)))
    assert len(numbers) == 1
    assert "若葉 *" in said
    assert "4321" in said
    assert "8765" not in said
    # And the Applications table holds it once, its personal data encrypted
    assert _stored_application(local_stack, resident, (name, kana, detail, "若葉荘")) == numbers[0]
    # And the conversation keeps none of the answers: which form was sent, and the LINE ids of the
    # messages typed for it (so a retraction can be answered)
    conversation = _conversation(local_stack, resident.user_id)
    assert conversation is not None
    assert conversation["flow"]["S"] == "form.sent"
    state = conversation["state"]["M"]
    assert set(state) == {"form_id", "message_ids"}
    assert state["form_id"] == {"S": "koho_delivery"}
    kept = [value["S"] for value in state["message_ids"]["L"]]
    assert kept
    assert all(value.isdigit() for value in kept)
    # When they ask 申請状況, the application is listed by its reception number
    resident.say("申請状況")
    status = resident.read()
    assert numbers[0] in status
    assert "受付済み" in status


def test_a_second_tap_on_send_says_the_form_was_sent(local_stack: LocalStackProcess, urls: StackUrls) -> None:
    resident = _resident(urls, "申込テスト九")
    name, kana, detail = _typed("重押 ひかる", "チョウオシ ヒカル", "1-1-1 二度押コーポ")
    _fill(
        resident,
        "個別配達の新規申込",
        name=name,
        kana=kana,
        postal="160-0022",
        detail=detail,
        phone=_phone("03-3344-5566"),
    )
    # Given the resident tapped 送信する
    resident.tap("送信する")
    # When they tap 送信する on the same card again
    resident.postback("form:@confirm:@submit")
    # Then they are told it was sent, not invited to apply again, and one application is stored
    again = resident.read()
    assert "「広報新宿の個別配達」は送信済みです" in again
    assert "入力中のお手続きはありません" not in again
    _stored_application(local_stack, resident, (name, kana, detail))


def test_a_second_application_of_the_same_kind_is_told_before_the_form(
    local_stack: LocalStackProcess, urls: StackUrls
) -> None:
    resident = _resident(urls, "申込テスト十")
    name, kana, detail = _typed("再申 みなと", "サイシン ミナト", "5-5-5 再申ハウス")
    _fill(
        resident,
        "個別配達の新規申込",
        name=name,
        kana=kana,
        postal="160-0022",
        detail=detail,
        phone=_phone("03-5566-7788"),
    )
    resident.tap("送信する")
    number = _stored_application(local_stack, resident, (name, kana, detail))
    # When they start another 新規申込 while the first waits for the ward
    resident.postback("action=apply_menu")
    resident.tap("個別配達の新規申込")
    # Then before any question they learn of the pending one, its number, and what they can do instead
    said = resident.read()
    assert f"受付番号 {number}" in said
    assert "個別配達の住所変更" in resident.labels()
    assert "お名前を入力してください" not in said
    # And no second application is sent, so no opposite answer can follow
    assert _stored_application(local_stack, resident, (name, kana, detail)) == number


def test_an_address_change_in_chat_is_stored(local_stack: LocalStackProcess, urls: StackUrls) -> None:
    resident = _resident(urls, "申込テスト二")
    name, kana, detail = _typed("柏木 蒼", "カシワギ アオイ", "4-2-9 翠ヶ丘コーポ5F")
    phone = _phone("03-6457-1188")
    _fill(resident, "個別配達の住所変更", name=name, kana=kana, postal="169-0075", detail=detail, phone=phone)
    assert "住所変更（区内転居）" in resident.read()
    resident.tap("送信する")
    assert "住所変更のお申込みを送信しました" in resident.read()
    assert RECEPTION_NUMBER.search(" ".join(_flex_texts(resident)))
    _stored_application(local_stack, resident, (name, kana, detail))


def test_a_stop_in_chat_is_stored_with_its_last_edition(
    local_stack: LocalStackProcess, urls: StackUrls
) -> None:
    resident = _resident(urls, "申込テスト三")
    name, kana, detail = _typed("榎町 琥珀", "エノキチョウ コハク", "7-7 琥珀ビル")
    phone = _phone("080-2468-1357")
    _fill(resident, "個別配達の停止", name=name, kana=kana, postal="162-0806", detail=detail, phone=phone)
    # The optional reason is asked last
    assert "停止する理由" in resident.read()
    resident.say(_typed("転居のため")[0])
    resident.tap("送信する")
    assert "配達停止のお申込みを送信しました" in resident.read()
    _stored_application(local_stack, resident, (name, kana, detail))
    (item,) = [i for i in _items_of(local_stack, resident.user_id) if i["recordType"]["S"] == "application"]
    assert item["kind"]["S"] == "stop"
    assert "lastEdition" in item


# --- wrong input, cancel, fix, resume, one form at a time --------------------------------------------


def test_a_postal_code_outside_the_ward_is_refused(local_stack: LocalStackProcess, urls: StackUrls) -> None:
    resident = _resident(urls, "申込テスト四")
    resident.postback("action=apply_menu")
    resident.tap("個別配達の新規申込")
    resident.say(_typed("区外 太郎")[0])
    resident.say(_typed("クガイ タロウ")[0])
    resident.say("〒１００－０００１")  # 千代田区
    assert "新宿区内のものではないようです" in resident.read()
    resident.say("160-0023")
    assert "東京都新宿区西新宿" in resident.read()
    resident.tap("やめる")


def test_cancel_keeps_nothing(local_stack: LocalStackProcess, urls: StackUrls) -> None:
    resident = _resident(urls, "申込テスト五")
    resident.postback("action=apply_menu")
    resident.tap("個別配達の新規申込")
    resident.say(_typed("中止 みのり")[0])
    # When they type やめる
    resident.say("やめる")
    # Then the form is dropped with nothing kept, and nothing reaches the Applications table
    assert "入力を取りやめました" in resident.read()
    assert _conversation(local_stack, resident.user_id) is None
    assert _items_of(local_stack, resident.user_id) == []


def test_fixing_one_field_from_the_card(local_stack: LocalStackProcess, urls: StackUrls) -> None:
    resident = _resident(urls, "申込テスト六")
    name, kana, detail = _typed("修正 一葉", "シュウセイ カズハ", "1-2-3 一葉ハイム")
    _fill(
        resident,
        "個別配達の新規申込",
        name=name,
        kana=kana,
        postal="162-0065",
        detail=detail,
        phone=_phone("03-3209-1111"),
    )
    # When they tap 修正する, pick 電話番号 and type a new number
    resident.tap("修正する")
    resident.tap("電話番号")
    resident.say(_phone("090-1357-2468"))
    # Then the card is back with the new number and every other answer as it was
    card = resident.read()
    assert "090-1357-2468" in card
    assert "03-3209-1111" not in card
    assert "修正 一葉" in card
    assert "東京都新宿区住吉町1-2-3 一葉ハイム" in card
    resident.tap("送信する")
    assert "090-****-2468" in resident.read()
    _stored_application(local_stack, resident, (name, kana, detail))


def test_resume_after_an_interruption(local_stack: LocalStackProcess, urls: StackUrls) -> None:
    resident = _resident(urls, "申込テスト七")
    resident.postback("action=apply_menu")
    resident.tap("個別配達の新規申込")
    resident.say(_typed("再開 雪乃")[0])
    resident.say(_typed("サイカイ ユキノ")[0])
    # When they open 受信設定 midway and type a year for its first question
    resident.postback("action=settings")
    assert "生まれ年" in resident.read()
    resident.say("1990")
    # Then the year answers the question asked last (the birth year), not the form's postal code
    asked = resident.read()
    assert "性別" in asked
    assert "郵便番号は7桁" not in asked
    # And once they leave 受信設定, something unrelated gets the form's open question (the postal code)
    resident.say("やめる")
    assert "受信設定の変更をやめました" in resident.read()
    resident.say("こんにちは")
    assert "郵便番号" in resident.read()
    # And come back through the menu: 申請の続き asks the open question again
    resident.postback("action=apply_menu")
    assert resident.labels()[0] == "申請の続き"
    resident.tap("申請の続き")
    assert "入力の続きです" in resident.read()
    # Then the form carries on to the end
    resident.say("160-0022")
    resident.tap("はい")
    detail = _typed("9-9-9 雪乃テラス")[0]
    resident.say(detail)
    resident.say(_phone("03-1234-9876"))
    assert "再開 雪乃" in resident.read()
    resident.tap("送信する")
    _stored_application(local_stack, resident, ("再開 雪乃", detail))


def test_starting_another_form_asks_first(local_stack: LocalStackProcess, urls: StackUrls) -> None:
    resident = _resident(urls, "申込テスト八")
    resident.postback("action=apply_menu")
    resident.tap("個別配達の新規申込")
    resident.say(_typed("二重 開始")[0])
    resident.postback("action=apply_menu")
    resident.tap("読者アンケート")
    assert "入力中の内容を破棄して" in resident.read()
    resident.tap("入力を続ける")
    assert "フリガナ" in resident.read()
    resident.postback("action=apply_menu")
    resident.tap("読者アンケート")
    resident.tap("破棄して始める")
    assert "満足していますか" in resident.read()
    resident.tap("やめる")
    assert _conversation(local_stack, resident.user_id) is None


# --- surveys ----------------------------------------------------------------------------------------


def test_a_survey_is_answered_and_stored_with_the_residents_id(
    local_stack: LocalStackProcess, urls: StackUrls
) -> None:
    resident = _resident(urls, "アンケートテスト")
    resident.postback("action=apply_menu")
    resident.tap("読者アンケート")
    resident.tap("やや不満")
    resident.tap("子育て・教育")
    resident.tap("文字や紙面の見やすさ")
    resident.say("文字を大きくしてほしい")
    resident.tap("送信する")
    assert "アンケートにご回答いただき" in resident.read()
    (item,) = _items_of(local_stack, resident.user_id)
    assert item["recordType"]["S"] == "survey"
    assert item["formId"]["S"] == "koho_survey"
    answers = item["answers"]["M"]
    assert answers["satisfaction"]["S"] == "2"
    assert answers["improve"]["S"] == "readability"
    assert "pii" not in item


# --- privacy: last, over the logs of everything above -------------------------------------------------


def test_the_logs_hold_nothing_the_residents_typed(local_stack: LocalStackProcess) -> None:
    assert local_stack.wait_until_idle(60)
    logs = local_stack.log_text()
    assert "event handled" in logs  # the worker's logs are there to scan
    if len(TYPED) < 20:
        pytest.skip("scans what this module's chats typed: run the whole module")
    leaked = sorted({value for value in TYPED if value and value in logs})
    assert leaked == []
