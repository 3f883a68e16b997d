"""配信 through the console: the planner's own answers, the console's id, every action audited."""

from __future__ import annotations

import pytest
from tests.support.staff_api_events import answer_json, http_event, staff_claims
from tests.unit.staff_api.staff_api_fakes import StaffApi, report, staff_api

from civicline.models.broadcast.report import BroadcastStatus

EDITOR = staff_claims("editor@example.jp", "editor", sub="sub-editor-1")
VIEWER = staff_claims("viewer@example.jp", "viewer")
REQUEST = {
    "title": "防災訓練",
    "messages": [{"type": "text", "text": "4月1日は防災訓練です"}],
    "segment": {"areas": {"any_of": ["yotsuya"]}, "age": {"min": 20, "max": 64}},
}


def test_an_editors_dry_run_is_the_planners_preview_by_area(api: StaffApi) -> None:
    answer = api.call(http_event("POST", "/staff/api/broadcasts/dry-run", REQUEST, claims=EDITOR))
    assert answer["statusCode"] == 200
    assert answer_json(answer) == {
        "audienceSize": 3,
        "byArea": {"yotsuya": 2, "unanswered": 1},
        "sendDate": "2026-04-01",
    }
    (asked,) = api.fakes.planner.asked
    assert asked["request"]["dry_run"] is True
    assert asked["request"]["segment"]["areas"] == {"any_of": ["yotsuya"], "include_unanswered": False}


def test_a_send_gets_an_id_from_the_console_and_is_audited_under_the_tokens_identity(api: StaffApi) -> None:
    # When an editor sends a broadcast
    answer = api.call(http_event("POST", "/staff/api/broadcasts", REQUEST, claims=EDITOR))
    # Then the planner got the request with an id the console chose, and staff see that id and the status
    body = answer_json(answer)
    (asked,) = api.fakes.planner.asked
    assert body == {"broadcastId": asked["request"]["broadcast_id"], "status": "planned"}
    assert body["broadcastId"].startswith("b-20260401-0900-")
    # And the audit names the token's sub and username, and holds no message text
    (action,) = api.fakes.actions.recorded
    assert (action.actor.sub, action.actor.username) == ("sub-editor-1", "editor@example.jp")
    assert (action.action, action.target) == ("broadcast.send", body["broadcastId"])
    assert "4月1日" not in action.model_dump_json()


def test_a_send_time_ahead_is_scheduled_and_audited_as_a_schedule(api: StaffApi) -> None:
    ahead = {**REQUEST, "send_at": "2026-04-02T09:00:00+09:00"}
    body = answer_json(api.call(http_event("POST", "/staff/api/broadcasts", ahead, claims=EDITOR)))
    assert body["status"] == "scheduled"
    assert api.fakes.actions.recorded[0].action == "broadcast.schedule"


@pytest.mark.parametrize("field", ["broadcast_id", "test_user_ids", "dry_run"])
def test_fields_the_console_decides_cannot_come_from_the_page(api: StaffApi, field: str) -> None:
    answer = api.call(http_event("POST", "/staff/api/broadcasts", {**REQUEST, field: "x"}, claims=EDITOR))
    assert answer["statusCode"] == 400
    assert api.fakes.planner.asked == []


def test_an_invalid_request_names_the_fields_not_their_values(api: StaffApi) -> None:
    bad = {"messages": [{"type": "text", "text": ""}], "segment": {"age": {"min": 200}}}
    answer = api.call(http_event("POST", "/staff/api/broadcasts", bad, claims=EDITOR))
    body = answer_json(answer)
    assert answer["statusCode"] == 400
    assert body["message"] == "配信内容に誤りがあります。項目を確認してください。"
    assert {detail["field"] for detail in body["details"]} == {"messages.0.text.text", "segment.age.min"}
    assert api.fakes.planner.asked == []


def test_a_test_delivery_goes_to_the_configured_staff_accounts_only(api: StaffApi) -> None:
    body = {"messages": [{"type": "text", "text": "テスト"}]}
    answer = api.call(http_event("POST", "/staff/api/broadcasts/test", body, claims=EDITOR))
    assert answer["statusCode"] == 200
    (asked,) = api.fakes.planner.asked
    assert asked["request"]["test_user_ids"] == ["U" + "a" * 32]
    assert answer_json(answer)["recipients"] == 1
    assert api.fakes.actions.recorded[0].action == "broadcast.test"


def test_a_test_delivery_carries_every_language_version_to_the_staff_accounts(api: StaffApi) -> None:
    # Given an editor's Japanese message with English and Vietnamese versions
    body = {
        "messages": [{"type": "text", "text": "テスト"}],
        "translations": {"en": [{"type": "text", "text": "Test"}], "vi": [{"type": "text", "text": "Thử"}]},
    }
    # When they send a test delivery
    answer = api.call(http_event("POST", "/staff/api/broadcasts/test", body, claims=EDITOR))
    # Then the planner is asked for every version, to the test accounts only (as the CLI's test_user_ids)
    assert answer["statusCode"] == 200
    (asked,) = api.fakes.planner.asked
    assert sorted(asked["request"]["translations"]) == ["en", "vi"]
    assert asked["request"]["test_user_ids"] == ["U" + "a" * 32]


def test_a_broadcast_with_language_versions_and_a_language_condition_reaches_the_planner_as_written(
    api: StaffApi,
) -> None:
    body = {
        **REQUEST,
        "translations": {"en": [{"type": "text", "text": "Disaster drill on 1 April"}]},
        "segment": {"languages": {"any_of": ["en", "ja"]}},
    }
    answer = api.call(http_event("POST", "/staff/api/broadcasts/dry-run", body, claims=EDITOR))
    assert answer["statusCode"] == 200
    (asked,) = api.fakes.planner.asked
    assert asked["request"]["translations"]["en"][0]["text"] == "Disaster drill on 1 April"
    assert sorted(asked["request"]["segment"]["languages"]["any_of"]) == ["en", "ja"]


def test_without_test_recipients_a_test_delivery_says_whom_to_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    api = staff_api(monkeypatch, test_recipients="")
    body = {"messages": [{"type": "text", "text": "テスト"}]}
    answer = api.call(http_event("POST", "/staff/api/broadcasts/test", body, claims=EDITOR))
    assert answer["statusCode"] == 409
    assert "StaffTestRecipients" in answer_json(answer)["message"]


def test_cancelling_a_schedule_is_the_planners_cancel_and_is_audited(api: StaffApi) -> None:
    answer = api.call(http_event("DELETE", "/staff/api/broadcasts/b-1/schedule", claims=EDITOR))
    assert answer_json(answer) == {"broadcastId": "b-1", "status": "cancelled"}
    assert api.fakes.planner.asked == [{"cancel": "b-1"}]
    assert api.fakes.actions.recorded[0].action == "broadcast.cancel"


def test_a_broadcast_that_already_started_cannot_be_cancelled(api: StaffApi) -> None:
    api.fakes.planner.refusal = {"type": "NotCancellable", "message": "broadcast b-1 is sending"}
    answer = api.call(http_event("DELETE", "/staff/api/broadcasts/b-1/schedule", claims=EDITOR))
    assert answer["statusCode"] == 409
    assert answer_json(answer)["message"].startswith("予約中の配信だけを取り消せます")
    assert api.fakes.actions.recorded == []


def test_a_viewer_sees_the_list_newest_first_with_progress(api: StaffApi) -> None:
    api.fakes.reports.reports = {"b-1": report("b-1"), "b-2": report("b-2", BroadcastStatus.SCHEDULED)}
    answer = answer_json(api.call(http_event("GET", "/staff/api/broadcasts", claims=VIEWER)))
    assert [b["broadcastId"] for b in answer] == ["b-1", "b-2"]
    assert {"batchesPlanned", "batchesCompleted", "recipientsSent", "status"} <= set(answer[0])


def test_a_report_of_an_unknown_broadcast_is_a_japanese_404(api: StaffApi) -> None:
    answer = api.call(http_event("GET", "/staff/api/broadcasts/b-none", claims=VIEWER))
    assert answer["statusCode"] == 404
    assert answer_json(answer) == {"message": "その配信は見つかりません。"}
