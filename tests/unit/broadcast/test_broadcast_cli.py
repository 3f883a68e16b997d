"""The staff CLI's tables: Japanese labels, areas by name, statuses in words."""

from __future__ import annotations

from typing import Any

import pytest

from staff import broadcast_cli
from staff.broadcast_cli import format_preview, format_report


def test_dry_run_shows_the_audience_by_area_name() -> None:
    text = format_preview(
        {"audienceSize": 3, "sendDate": "2026-12-01", "byArea": {"yotsuya": 2, "unanswered": 1}}
    )
    assert "配信対象（人）" in text
    assert "地域 四谷" in text
    assert "地域 未回答" in text
    assert "yotsuya" not in text


def test_dry_run_shows_each_language_the_version_it_receives_and_the_languages_without_one() -> None:
    text = format_preview(
        {
            "audienceSize": 10,
            "sendDate": "2026-12-01",
            "byArea": {"okubo": 10},
            "byLanguage": {"ja": 5, "en": 3, "vi": 2},
            "byVersion": {"ja": 5, "en": 3, "ja-easy": 2},
            "languagesWithoutVersion": ["zh-Hans", "ko", "vi", "ne", "my"],
            "fallbackVersion": "ja-easy",
        }
    )
    rows = {
        line.split()[1]: line.split(maxsplit=2)[-1] for line in text.splitlines() if line.startswith("  言語")
    }
    assert rows == {"日本語": "5（日本語版）", "英語": "3（英語版）", "ベトナム語": "2（やさしい日本語版）"}
    assert "送る版 やさしい日本語" in text
    assert "版のない言語" in text
    assert (
        "中国語（簡体字）、韓国語、ベトナム語、ネパール語、ミャンマー語（やさしい日本語版を送ります）" in text
    )


def test_report_shows_the_audience_per_version_and_which_version_a_failed_batch_carried() -> None:
    report = {
        "broadcastId": "b-3",
        "status": "partially_failed",
        "sendDate": "2026-12-01",
        "planningComplete": True,
        "audienceSize": 600,
        "audienceByVersion": {"ja": 500, "ne": 100},
        "batchesPlanned": 2,
        "batchesSent": 1,
        "recipientsSent": 500,
        "batchesFailed": 1,
        "recipientsFailed": 100,
        "retries": 0,
        "alreadyAccepted": 0,
        "failures": [{"batchNumber": 1, "status": 400, "message": "invalid", "language": "ne"}],
    }
    text = format_report(report)
    assert "うち ネパール語版" in text
    assert "失敗バッチ 1（ネパール語版）" in text


def test_report_translates_status_and_lists_failed_batches() -> None:
    report = {
        "broadcastId": "b-1",
        "title": "お知らせ",
        "status": "partially_failed",
        "sendDate": "2026-12-01",
        "planningComplete": True,
        "audienceSize": 1000,
        "batchesPlanned": 2,
        "batchesSent": 1,
        "recipientsSent": 500,
        "batchesFailed": 1,
        "recipientsFailed": 500,
        "retries": 3,
        "alreadyAccepted": 0,
        "failures": [{"batchNumber": 2, "status": 400, "message": "The request body has 1 error(s)"}],
    }
    text = format_report(report)
    assert "一部失敗" in text
    assert "失敗バッチ 2" in text
    assert "HTTP 400" in text


def test_report_shows_when_line_accepted_the_first_and_the_last_batch_on_the_wards_clock() -> None:
    report = {
        "broadcastId": "b-2",
        "status": "done",
        "sendDate": "2026-12-01",
        "planningComplete": True,
        "audienceSize": 1_000_000,
        "batchesPlanned": 2000,
        "batchesSent": 2000,
        "recipientsSent": 1_000_000,
        "batchesFailed": 0,
        "recipientsFailed": 0,
        "retries": 0,
        "alreadyAccepted": 0,
        "firstBatchAcceptedAt": "2026-12-01T00:00:00.812000Z",
        "lastBatchAcceptedAt": "2026-12-01T00:00:11.204000+00:00",
    }
    rows = {line.split()[0]: line.split(maxsplit=1)[-1] for line in format_report(report).splitlines()}
    assert rows["最初のバッチ受付"] == "2026-12-01 09:00:00.812"
    assert rows["最後のバッチ受付"] == "2026-12-01 09:00:11.204"


def test_cancel_asks_the_planner_to_cancel_and_prints_the_cancelled_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a planner that answers a cancel with the broadcast's report
    asked: list[dict[str, Any]] = []

    def planner(client: Any, function: str, event: dict[str, Any]) -> dict[str, Any]:
        asked.append(event)
        return {
            "broadcastId": "b-later",
            "status": "cancelled",
            "sendDate": "2031-04-01",
            "sendAt": "2031-04-01T09:30:00+09:00",
            "planningComplete": False,
            **dict.fromkeys(
                ("audienceSize", "batchesPlanned", "batchesSent", "recipientsSent", "batchesFailed"), 0
            ),
            **dict.fromkeys(("recipientsFailed", "retries", "alreadyAccepted"), 0),
        }

    monkeypatch.setattr(broadcast_cli, "invoke", planner)
    monkeypatch.setattr(broadcast_cli.staff_invoke, "lambda_client", lambda endpoint: object())
    # When staff cancel it from the command line
    assert broadcast_cli.main(["cancel", "b-later"]) == 0
    # Then the planner got the cancel event, and the report says 取消済み
    assert asked == [{"cancel": "b-later"}]
    out = capsys.readouterr().out
    assert "cancelled b-later" in out
    assert "取消済み" in out
