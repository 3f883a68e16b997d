"""配信 in the browser: an editor segments, counts, previews and sends; schedules, then cancels."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from tests.e2e.console.conftest import Console
from tests.e2e.console.residents import Settings, all_residents, new_user_id, seed

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

# "Women born 1950–1965 in 四谷 or 箪笥町 who chose 健康・福祉, except those who chose 防災".
NEIGHBOURS = {
    new_user_id(0xB1): Settings(1958, "female", "yotsuya", ("kenko",)),
    new_user_id(0xB1): Settings(1962, "female", "tansu", ("kenko", "kosodate")),
    new_user_id(0xB1): Settings(1955, "male", "yotsuya", ("kenko",)),
    new_user_id(0xB1): Settings(1970, "female", "yotsuya", ("kenko",)),
    new_user_id(0xB1): Settings(1960, "female", "okubo", ("kenko",)),
    new_user_id(0xB1): Settings(1952, "female", "tansu", ()),
    new_user_id(0xB1): Settings(1957, "female", "yotsuya", ("kenko",), blocked=True),
    new_user_id(0xB1): Settings(1961, "female", "tansu", ("kenko", "bousai")),
}


def _matches(item: dict[str, Any]) -> bool:
    genres = set(item.get("genres", {}).get("SS", []))
    return (
        item["status"]["S"] == "active"
        and 1950 <= int(item.get("birthYear", {}).get("N", "0")) <= 1965
        and item.get("gender", {}).get("S") == "female"
        and item.get("area", {}).get("S") in {"yotsuya", "tansu"}
        and "kenko" in genres
        and "bousai" not in genres
    )


def _compose(page: Page, text: str) -> None:
    compose = page.get_by_role("region", name="新しい配信")
    compose.get_by_label("件名（職員用、住民には送られません）").fill("健康講座のお知らせ")
    compose.get_by_label("本文").fill(text)
    include = compose.locator("[data-block=seg]")
    include.get_by_label("生まれ年で指定").check()
    include.get_by_label("生まれ年（から）").fill("1950")
    include.get_by_label("生まれ年（まで）").fill("1965")
    include.locator("fieldset", has_text="性別").get_by_label("女性").check()
    areas = include.locator("fieldset", has_text="地域")
    areas.get_by_label("四谷").check()
    areas.get_by_label("箪笥町").check()
    include.locator("fieldset", has_text="関心のあるジャンル").get_by_label("健康・福祉").check()
    compose.get_by_text("除外する条件").click()
    exclude = compose.locator("[data-block=exc]")
    exclude.locator("fieldset", has_text="関心のあるジャンル").get_by_label("防災・安全").check()


def _audience(page: Page, expected: int) -> None:
    page.locator(f"#audience-count[data-value='{expected}']").wait_for()


def test_an_editor_sends_a_segmented_broadcast_and_exactly_the_matching_residents_receive_it(
    console: Console, local_stack: LocalStackProcess
) -> None:
    # Given residents with their 受信設定, some matching the segment
    seed(local_stack, NEIGHBOURS)
    expected = {item["userId"]["S"] for item in all_residents(local_stack) if _matches(item)}
    assert expected & set(NEIGHBOURS)
    text = f"健康講座のお知らせ（{uuid.uuid4().hex[:6]}）"
    # When an editor composes the broadcast and its segment on the 配信 page
    page = console.sign_in("editor")
    console.open(page, "配信")
    _compose(page, text)
    # Then the audience count (a dry run) is the number of matching residents, with a breakdown by area
    _audience(page, len(expected))
    by_area = page.locator("#audience-by-area-table")
    assert by_area.get_by_role("row", name="四谷").is_visible()
    # And the preview shows the message as a LINE bubble
    assert page.locator("#line-preview .bubble").first.inner_text() == text
    console.shot(page, "console-broadcast-compose")
    # When they send it now and confirm
    page.get_by_role("button", name="今すぐ配信").click()
    dialog = page.get_by_role("dialog", name="配信の確認")
    assert f"{len(expected)} 人" in dialog.inner_text()
    dialog.get_by_role("button", name="配信する").click()
    page.get_by_text("配信を開始しました").wait_for()
    assert local_stack.wait_until_idle(120)
    # Then the fake LINE received exactly the matching residents, once each
    received: list[str] = []
    for request in local_stack.line_requests("/v2/bot/message/multicast"):
        if any(message.get("text") == text for message in request["body"]["messages"]):
            received.extend(request["body"]["to"])
    assert sorted(received) == sorted(expected)
    # And the list shows it done, with its report
    page.reload()
    page.get_by_label("ユーザー名（メールアドレス）").wait_for()
    page.context.close()
    page = console.sign_in("editor")
    console.open(page, "配信")
    row = page.locator("#broadcasts-table tbody tr", has_text="健康講座のお知らせ").first
    row.get_by_text("配信完了").wait_for()
    row.get_by_role("button", name="レポート").click()
    report = page.locator("#report-details")
    report.wait_for()
    assert str(len(expected)) in report.inner_text()
    console.shot(page, "console-broadcasts")
    page.context.close()


def test_an_editor_schedules_a_broadcast_then_cancels_it(
    console: Console, local_stack: LocalStackProcess
) -> None:
    # Given an editor composing a broadcast for next week
    page = console.sign_in("editor", viewport={"width": 1024, "height": 768})
    console.open(page, "配信")
    page.get_by_label("件名（職員用、住民には送られません）").fill("来週の防災訓練")
    page.get_by_label("本文").fill("来週、防災訓練があります。")
    next_week = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).astimezone(
        dt.timezone(dt.timedelta(hours=9))
    )
    page.get_by_label("予約日時（日本時間）").fill(next_week.strftime("%Y-%m-%dT10:00"))
    # When they schedule it and confirm
    page.get_by_role("button", name="予約配信").click()
    page.get_by_role("dialog", name="予約配信の確認").get_by_role("button", name="予約する").click()
    page.get_by_text("配信を予約しました").wait_for()
    # Then the list shows it scheduled, with a cancel button
    row = page.locator("#broadcasts-table tbody tr", has_text="来週の防災訓練").first
    row.get_by_text("予約中").wait_for()
    console.shot(page, "console-broadcasts-1024")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024
    # When they cancel it and confirm
    row.get_by_role("button", name="予約を取り消す").click()
    page.get_by_role("dialog", name="予約の取り消し").get_by_role("button", name="取り消す").click()
    page.get_by_text("予約を取り消しました").wait_for()
    # Then the list shows it cancelled, and nothing was sent to residents
    page.locator("#broadcasts-table tbody tr", has_text="来週の防災訓練").first.get_by_text(
        "予約取消"
    ).wait_for()
    assert local_stack.wait_until_idle(60)
    sent = [
        request
        for request in local_stack.line_requests("/v2/bot/message/multicast")
        if any(message.get("text") == "来週、防災訓練があります。" for message in request["body"]["messages"])
    ]
    assert sent == []
    page.context.close()
