"""A resident's own data rights in chat, through the local stack: see what is held, then erase it.

follow → 受信設定 → an application (forms engine → intake: `pii` sealed, `piiMasked` kept) →
「登録情報の確認」 (masked answers) → 「登録情報の削除」 → 削除する → every table scanned whole: the
resident's id and every personal value typed are gone; the application's reception number stays.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest

from devstack.resident import Resident, StackUrls

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

USER_ID = "U" + "da7a" * 8
DISPLAY_NAME = "削除テスト椿"
# Fictional answers, as typed and as the system stores them.
NAME, KANA, DETAIL, PHONE = "椿原 紬", "ツバキハラ ツムギ", "2-11-4 椿コート302", "090-5511-7733"
PERSONAL = (USER_ID, DISPLAY_NAME, NAME, KANA, DETAIL, "椿コート", PHONE, "+819055117733", "椿原 *")
RECEPTION_NUMBER = re.compile(r"KH-\d{8}-\d{4}")


def _scan_all(stack: LocalStackProcess) -> dict[str, list[dict[str, Any]]]:
    dynamodb = stack.boto3_client("dynamodb")
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in dynamodb.list_tables()["TableNames"]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": name}
        while True:
            page = dynamodb.scan(**request)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        tables[name] = items
    return tables


def test_a_resident_sees_their_data_masked_and_erases_it(local_stack: LocalStackProcess) -> None:
    urls = StackUrls(
        local_stack.api_url, local_stack.line_url, local_stack.invoke_url, local_stack.channel_secret
    )
    resident = Resident(urls, USER_ID, DISPLAY_NAME)
    resident.join()
    resident.follow()
    # Given a resident with a birth year and an application for 広報新宿 delivery
    resident.tap("受信設定")
    resident.tap("1990年代")
    resident.tap("1992年（平成4年）")
    resident.postback("action=apply_menu")
    resident.tap("個別配達の新規申込")
    for typed in (NAME, KANA, "160-0023"):
        resident.say(typed)
    resident.tap("はい")
    resident.say(DETAIL)
    resident.say(PHONE)
    resident.tap("送信する")
    (number,) = set(RECEPTION_NUMBER.findall(json.dumps(resident.last_batch, ensure_ascii=False)))
    # When they send 「登録情報の確認」
    resident.say("登録情報の確認")
    shown = resident.read()
    # Then they see their profile, settings and the application, its answers masked
    assert DISPLAY_NAME in shown
    assert "1992年" in shown
    assert number in shown
    assert "椿原 *" in shown
    assert "7733" in shown
    assert "5511" not in shown
    assert DETAIL not in shown
    # When they ask for erasure and confirm
    resident.tap("登録情報の削除")
    assert {"削除する", "やめる"} <= set(resident.labels())
    resident.tap("削除する")
    said = resident.read()
    # Then they are told what was deleted and that the reception number is kept
    assert "登録情報を削除しました" in said
    assert number in said
    # And no table holds their id or anything they typed; the application stays under its number
    tables = _scan_all(local_stack)
    for name, items in tables.items():
        dumped = json.dumps(items, ensure_ascii=False)
        for value in PERSONAL:
            assert value not in dumped, f"{name} still holds personal data"
    kept = [
        item
        for name, items in tables.items()
        if name.endswith("ApplicationsTable")
        for item in items
        if item.get("receptionNumber", {}).get("S") == number
    ]
    assert len(kept) == 1
    assert kept[0]["status"]["S"] == "purged"
    assert "pii" not in kept[0]
    # And no log of the stack holds any of it either
    logs = local_stack.log_text()
    for value in PERSONAL:
        assert value not in logs
