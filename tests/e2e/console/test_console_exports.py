"""申請・エクスポート in the browser: an exporter downloads the waiting applications by a short link."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.e2e.console.conftest import Console
from tests.e2e.console.residents import apply_for_delivery, table_named

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

FORM = "koho_delivery"
LOCAL_EXPORT_LAG_SECONDS = 3  # tests/e2e/console/conftest.py shortens the export's safety lag to this


def _reception_numbers(stack: LocalStackProcess, user_ids: set[str]) -> set[str]:
    items = stack.boto3_client("dynamodb").scan(TableName=table_named(stack, "ApplicationsTable"))["Items"]
    return {
        item["receptionNumber"]["S"]
        for item in items
        if item.get("userId", {}).get("S") in user_ids
        and item.get("recordType", {}).get("S") == "application"
    }


def test_an_exporter_downloads_the_waiting_applications_through_the_page(
    console: Console, local_stack: LocalStackProcess, tmp_path: Path
) -> None:
    # Given two residents applied for 広報新宿 個別配達 in chat (fictional people)
    applicants = {
        apply_for_delivery(
            local_stack,
            "試験　一郎",
            "しけん いちろう",
            postal="〒１６９－００７３",
            rest="１－２－３　試験荘１０１",
            phone="090-1234-5678",
        ),
        apply_for_delivery(
            local_stack,
            "見本　花子",
            "みほん はなこ",
            postal="〒１６０－０００４",
            rest="４－５－６",
            phone="080-2345-6789",
        ),
    }
    assert local_stack.wait_until_idle(60)
    numbers = _reception_numbers(local_stack, applicants)
    assert len(numbers) == 2
    time.sleep(LOCAL_EXPORT_LAG_SECONDS + 1)  # the export takes what is older than its safety lag
    console.refreshed_dashboard()  # the counts per form come from the dashboard's snapshot
    # When an exporter opens 申請・エクスポート
    page = console.sign_in("exporter")
    console.open(page, "申請・エクスポート")
    waiting = int(page.locator(f"[data-waiting={FORM}]").inner_text().replace(",", ""))
    assert waiting >= 2
    console.shot(page, "console-exports")
    # And clicks ダウンロード: the page asks for a 15-minute link and the browser follows it
    with page.expect_download() as download_info:
        page.locator(f"[data-download={FORM}]").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    # Then the file is the waiting applications, one row each, theirs among them
    rows = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == waiting
    assert numbers <= {row["受付番号"] for row in rows}
    assert saved.suffix == ".csv"
    page.get_by_text("件の CSV を用意しました").wait_for()
    # And a second ダウンロード finds nothing new: each application is exported once
    page.locator(f"[data-download={FORM}]").click()
    page.get_by_text("出力する新しい申請はありませんでした").wait_for()
    page.context.close()


def test_an_exporter_sees_survey_results_as_charts_of_counts(console: Console) -> None:
    console.refreshed_dashboard()
    page = console.sign_in("exporter")
    console.open(page, "申請・エクスポート")
    page.get_by_role("button", name="広報新宿 読者アンケート").click()
    page.get_by_role("heading", name="集計: 広報新宿 読者アンケート").wait_for()
    assert page.locator("#survey-results figure.chart").count() >= 1
    console.shot(page, "console-exports-surveys")
    page.context.close()
