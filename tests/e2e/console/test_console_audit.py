"""監査ログ in the browser, and no applicant PII anywhere in the console or its logs.

Runs the staff actions itself (so it passes run alone), then reads them back as the admin.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from tests.e2e.console.conftest import Console, username
from tests.e2e.console.residents import PII, apply_for_delivery

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

PAGES = ("ホーム", "配信", "申請・エクスポート", "リッチメニュー", "監査ログ")


def test_the_audit_log_lists_each_staff_action_under_the_person_who_did_it(console: Console) -> None:
    # Given an editor scheduled a broadcast and cancelled it, and an exporter asked for an export link
    send_at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    status, scheduled = console.api(
        "editor",
        "POST",
        "broadcasts",
        {
            "title": "監査の確認",
            "messages": [{"type": "text", "text": "確認"}],
            "segment": {},
            "send_at": send_at,
        },
    )
    assert status == 200, scheduled
    status, _ = console.api("editor", "DELETE", f"broadcasts/{scheduled['broadcastId']}/schedule")
    assert status == 200
    status, _ = console.api("exporter", "POST", "exports", {"formId": "koho_delivery"})
    assert status == 200
    # When the admin opens 監査ログ
    page = console.sign_in("admin")
    console.open(page, "監査ログ")
    rows = page.locator("#audit-table tbody tr")
    # Then each action is there under the right person
    for action, who in (
        ("broadcast.schedule", "editor"),
        ("broadcast.cancel", "editor"),
        ("export.link", "exporter"),
    ):
        row = rows.filter(has=page.locator(f"[data-action='{action}']")).first
        assert username(who) in row.inner_text(), action
    assert scheduled["broadcastId"] in page.locator("#audit-table").inner_text()
    console.shot(page, "console-audit")
    page.context.close()
    # And no one but an admin may read it
    for role in ("editor", "exporter", "viewer"):
        status, body = console.api(role, "GET", "audit")
        assert status == 403, role
        assert "権限がありません" in body["message"]


def test_no_applicant_pii_appears_on_any_page_or_in_any_log(
    console: Console, local_stack: LocalStackProcess
) -> None:
    # Given a resident applied in chat with fictional personal details
    apply_for_delivery(
        local_stack,
        "秘密　太郎",
        "ひみつ たろう",
        postal="〒１６９－００７５",
        rest="９－８－７　秘密ハイツ",
        phone="070-3456-7890",
    )
    assert local_stack.wait_until_idle(60)
    # When the admin visits every page of the console
    texts: list[str] = []
    page = console.sign_in("admin")
    for name in PAGES:
        console.open(page, name)
        texts.append(page.locator("body").inner_text())
        texts.append(page.content())
    page.context.close()
    for role in ("admin", "exporter"):
        for path in ("dashboard", "applications", "audit", "broadcasts"):
            texts.append(json.dumps(console.api(role, "GET", path)[1], ensure_ascii=False))
    # Then none of the applicants' details appears on a page, in an API answer, in the browser's console
    # or in any log of the stack
    haystacks = {
        "pages and answers": "\n".join(texts),
        "browser console": "\n".join(console.browser_log),
        "stack logs": local_stack.log_text(),
    }
    for where, text in haystacks.items():
        leaked = [value for value in PII if value in text]
        assert leaked == [], f"{where} shows {leaked}"
