"""A resident in each of the eight languages, end to end through the local stack (issue 13).

Follow with the fake LINE profile's language (`POST /_sim/users` with `language`) → greeting → 受信設定
(a birth year typed their way) → a 広報新宿 delivery application to its reception number → 申請状況 →
登録情報の確認 → 削除. Every reply is asserted against that language's catalogue: what the resident reads
is that language's text, not Japanese (やさしい日本語 has no LINE code: that resident picks it).
"""

from __future__ import annotations

import itertools
import json
import re
from typing import TYPE_CHECKING, Any

import pytest

from civicline.messages import text
from civicline.models.language import JAPANESE_READERS, SELF_NAMES, Language
from devstack.resident import Resident, StackUrls
from devstack.resolve import LOCAL_PARAMETERS

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

_users = itertools.count(1)
RECEPTION_NUMBER = re.compile(r"KH-\d{8}-\d{4}")
HIRAGANA = re.compile("[\u3041-\u309f]")
# The LINE app's language tag for each of ours (None: LINE has none, the resident chooses it).
LINE_TAGS: dict[Language, str | None] = {
    Language.JA: "ja",
    Language.JA_EASY: None,
    Language.EN: "en",
    Language.ZH_HANS: "zh-Hans",
    Language.KO: "ko",
    Language.VI: "vi",
    Language.NE: "ne",
    Language.MY: "my",
}
# A birth year as a resident of each language types it.
YEARS: dict[Language, str] = {
    Language.JA: "昭和60年",
    Language.JA_EASY: "1985ねん",
    Language.EN: "born in 1985",
    Language.ZH_HANS: "1985年出生",
    Language.KO: "1985년",
    Language.VI: "năm 1985",
    Language.NE: "१९८५",
    Language.MY: "၁၉၈၅ ခုနှစ်",
}


@pytest.fixture(scope="module")
def urls(local_stack: LocalStackProcess) -> StackUrls:
    return StackUrls(
        local_stack.api_url, local_stack.line_url, local_stack.invoke_url, local_stack.channel_secret
    )


def _users_item(stack: LocalStackProcess, user_id: str) -> dict[str, Any] | None:
    dynamodb = stack.boto3_client("dynamodb")
    table = next(name for name in dynamodb.list_tables()["TableNames"] if name.endswith("UsersTable"))
    item: dict[str, Any] | None = dynamodb.get_item(TableName=table, Key={"userId": {"S": user_id}}).get(
        "Item"
    )
    return item


def _follow(urls: StackUrls, language: Language) -> Resident:
    """A resident whose LINE app is in `language` follows (one without a LINE code chooses it)."""
    resident = Resident(urls, f"U{0x1A96 << 112 | next(_users):032x}", "Lang", language=LINE_TAGS[language])
    resident.join()
    resident.follow()
    if LINE_TAGS[language] is None:
        resident.say("ことば")
        resident.tap(SELF_NAMES[language])
    return resident


@pytest.mark.parametrize("language", list(Language), ids=str)
def test_a_resident_uses_the_account_in_their_language_end_to_end(
    local_stack: LocalStackProcess, urls: StackUrls, language: Language
) -> None:
    lang = language.value
    said = SELF_NAMES[language]
    # Given a resident whose LINE is in `language`, When they follow the account
    resident = _follow(urls, language)
    # Then they are greeted in it, told how to change it, and their record holds it
    hint = text("language.greeting_hint", lang, language=said)
    if LINE_TAGS[language] is None:
        assert resident.read() == text("language.changed", lang, language=said)
    else:
        greeting = text("residents.greeting", lang, privacy_notice_url=LOCAL_PARAMETERS["PrivacyNoticeUrl"])
        assert resident.read() == f"{greeting}\n\n{hint}"
    item = _users_item(local_stack, resident.user_id)
    assert item is not None
    assert item["language"]["S"] == lang

    # When they open 受信設定 and type their birth year their way, skipping the rest
    resident.tap(text("settings.entry.label", lang))
    assert text("settings.prompt.birth_year", lang) in resident.read()
    resident.say(YEARS[language])
    assert text("settings.prompt.gender", lang) in resident.read()
    for _ in range(3):  # gender, area, genres
        resident.tap(text("settings.skip.label", lang))
    # Then the settings are stored and shown back in their language, the language among them
    assert text("settings.completed", lang) in resident.read()
    assert text("settings.card.title", lang) in resident.read()
    assert said in resident.read()
    item = _users_item(local_stack, resident.user_id)
    assert item is not None
    assert item["birthYear"]["N"] == "1985"

    # When they apply for 広報新宿 delivery
    resident.postback("action=apply_menu")
    resident.tap(text("applications_chat.menu.koho_new", lang))
    reads_japanese = language in JAPANESE_READERS
    resident.say("NGUYEN VAN AN" if not reads_japanese else "新宿 花子")
    if reads_japanese:
        assert text("forms.koho.kana.prompt", lang) in resident.read()
        resident.say("シンジュク ハナコ")
    else:
        # the katakana reading is optional for them, and its prompt says why it helps
        assert text("forms.koho.kana.prompt_optional", lang) in resident.read()
        resident.tap(text("forms.label.skip", lang))
    resident.say("169-0072")
    area = "東京都新宿区大久保"
    if reads_japanese:
        assert text("forms.koho.area_ok.prompt", lang, area=area) in resident.read()
    else:
        assert text("forms.koho.area_ok.prompt_romaji", lang, romaji="Okubo", area=area) in resident.read()
    resident.tap(text("forms.label.yes", lang))
    resident.say("1-2-3")
    resident.say("090-1234-5678")
    resident.tap(text("forms.label.submit", lang))
    # Then intake's card, in their language, gives the reception number
    card = resident.read()
    assert text("intake.card.heading", lang) in card
    assert text("intake.card.reception_number", lang) in card
    (number,) = set(RECEPTION_NUMBER.findall(card))

    # When they ask for 申請状況 (the rich menu's and the help reply's postback)
    resident.postback("action=apply_status")
    # Then it lists the application by number, in their language
    status = resident.read()
    assert number in status
    assert text("intake.status.title", lang) in status
    assert text("intake.status.received", lang) in status

    # When they look at what the ward holds (登録情報の確認)
    resident.postback("action=datarights&op=show")
    shown = resident.read()
    # Then the profile, settings (their language, written in itself) and the application, in their language
    assert text("data_rights.profile.title", lang) in shown
    assert text("language.item", lang) in shown
    assert said in shown
    assert number in shown

    # When they delete it all (登録情報の削除)
    resident.tap(text("data_rights.erase.label", lang))
    resident.tap(text("data_rights.confirm.erase", lang))
    # Then they are told so in their language, and their record (language included) is gone
    assert resident.read().startswith(text("data_rights.erased.heading", lang))
    assert _users_item(local_stack, resident.user_id) is None

    # And, reading another language than Japanese, they never met a Japanese sentence: no kana anywhere
    # in what they received (texts, cards, buttons) but in the names kept to match signs and mail
    if not reads_japanese:
        received = json.dumps(resident.inbox(), ensure_ascii=False)
        assert not HIRAGANA.search(received)
