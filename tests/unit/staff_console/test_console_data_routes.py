"""The console's counts and exports over HTTP: who may see or do what, what they get, and what never
leaves (applicant PII, typed answers, anything a request claims about who is asking)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.unit.staff_console.console_fakes import NOW, Console, console

from civicline.models.dashboard import DashboardSnapshot, FormApplications, Friends
from civicline.models.survey_results import ChoiceCount, QuestionResults, SurveyResults

SNAPSHOT = DashboardSnapshot(
    friends=Friends(active=950, blocked=50),
    settings_done=700,
    by_area={"yotsuya": 80, "unanswered": 95},
    by_gender={"female": 400},
    by_decade={"1980": 120},
    by_genre={"bousai": 300},
    applications_waiting=(
        FormApplications(form_id="koho_delivery", title="広報新宿の個別配達", waiting=3, exported=12),
    ),
    as_of=NOW - timedelta(minutes=30),
)
RESULTS = SurveyResults(
    form_id="koho_survey",
    title="広報新宿アンケート",
    responses=2,
    questions=(
        QuestionResults(
            step_id="satisfaction", label="満足度", choices=(ChoiceCount(value="5", label="満足", count=2),)
        ),
    ),
    as_of=NOW,
)


@pytest.fixture
def staff_console(monkeypatch: pytest.MonkeyPatch) -> Console:
    made = console(monkeypatch)
    made.snapshots.stored = SNAPSHOT
    made.snapshots.surveys["koho_survey"] = RESULTS
    return made


@pytest.mark.parametrize("role", ["admin", "editor", "exporter", "viewer"])
def test_every_role_sees_the_dashboard_from_the_snapshot_with_its_time_and_labels(
    staff_console: Console, role: str
) -> None:
    # When staff of any role open ホーム
    status, body = staff_console.call("GET", "/staff/api/dashboard", roles=(role,))
    # Then they get the snapshot's counts, camelCase, with when they were taken and the Japanese labels
    assert status == 200
    assert body["friends"] == {"active": 950, "blocked": 50}
    assert body["settingsDone"] == 700
    assert body["byArea"]["yotsuya"] == 80
    assert body["applicationsWaiting"] == [
        {"formId": "koho_delivery", "title": "広報新宿の個別配達", "waiting": 3, "exported": 12}
    ]
    assert body["asOf"].startswith("2026-11-29T08:30")
    assert body["labels"]["areas"]["yotsuya"] == "四谷"
    assert body["labels"]["genres"]["bousai"] == "防災・安全"


def test_before_the_first_refresh_the_dashboard_says_so_with_no_as_of(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a stack whose snapshot was never taken
    # When staff open ホーム
    status, body = console(monkeypatch).call("GET", "/staff/api/dashboard", roles=("viewer",))
    # Then they see zeros and no `asOf` (the page says the counts are not taken yet)
    assert status == 200
    assert body["asOf"] is None
    assert body["friends"] == {"active": 0, "blocked": 0}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/staff/api/applications", None),
        ("POST", "/staff/api/exports", {"formId": "koho_delivery"}),
        ("GET", "/staff/api/surveys/koho_survey/results", None),
    ],
)
@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_are_refused_applications_exports_and_survey_results(
    staff_console: Console, role: str, method: str, path: str, body: object
) -> None:
    # When a viewer or an editor forges a request for what the exporter role holds
    status, answer = staff_console.call(method, path, roles=(role,), body=body)
    # Then the API refuses with the role it needs, and no grant was issued
    assert status == 403
    assert answer["message"] == "この操作を行う権限がありません（必要な役割: 申請担当）。"
    assert staff_console.grants.grants == {}
    assert staff_console.functions.grants_seen == []


def test_without_verified_claims_nothing_is_answered(staff_console: Console) -> None:
    # When a request arrives without the authorizer's claims
    status, _ = staff_console.call("GET", "/staff/api/dashboard", roles=None)
    # Then it is refused as not signed in
    assert status == 401


def test_an_exporter_sees_per_form_counts_only(staff_console: Console) -> None:
    status, body = staff_console.call("GET", "/staff/api/applications", roles=("exporter",))
    assert status == 200
    assert body == [{"formId": "koho_delivery", "title": "広報新宿の個別配達", "waiting": 3, "exported": 12}]


def test_an_exporter_gets_a_link_through_a_grant_naming_the_signed_in_staff(staff_console: Console) -> None:
    # When an exporter asks for the waiting applications' file
    status, body = staff_console.call(
        "POST",
        "/staff/api/exports",
        roles=("exporter",),
        body={"formId": "koho_delivery", "encoding": "cp932"},
    )
    # Then they get the link, its expiry and the row count
    assert status == 200
    assert body == {
        "exportId": "20261129T090000Z-0a1b2c3d",
        "url": "https://bucket.s3.ap-northeast-1.amazonaws.com/k.csv?X-Amz-Expires=900",
        "expiresAt": "2026-11-29T09:15:00Z",
        "rows": 2,
    }
    # And ExportFunction was started with a grant naming the token's subject and username, for 5 minutes
    (grant_id,) = staff_console.functions.grants_seen
    grant = staff_console.grants.grants[grant_id]
    assert (grant.staff.sub, grant.staff.username) == ("5f3c-sub", "staff@example.jp")
    assert (grant.form_id, grant.encoding.value, grant.from_) == ("koho_delivery", "cp932", None)
    assert grant.expires_at - grant.created_at == timedelta(minutes=5)
    # And the counts are refreshed so the waiting number drops on the page
    assert staff_console.functions.refreshes == 1
    # And the console's audit log lists it under the signed-in staff
    (action,) = staff_console.api.fakes.actions.recorded
    assert (action.action, action.target, action.actor.username) == (
        "export.link",
        "koho_delivery",
        "staff@example.jp",
    )
    assert action.detail == {"exportId": "20261129T090000Z-0a1b2c3d", "rows": 2}


def test_a_request_cannot_name_who_is_asking(staff_console: Console) -> None:
    # When the body claims another requester
    status, body = staff_console.call(
        "POST",
        "/staff/api/exports",
        roles=("exporter",),
        body={"formId": "koho_delivery", "requestedBy": {"arn": "arn:aws:iam::1:user/someone-else"}},
    )
    # Then it is refused as malformed: identity comes from the token only
    assert status == 400
    assert "someone-else" not in body["message"]
    assert staff_console.functions.grants_seen == []


def test_a_period_is_re_exported_for_an_administrator_with_the_reason_in_the_grant(
    staff_console: Console,
) -> None:
    ask = {"formId": "koho_delivery", "from": "2026-11-01", "to": "2026-11-27", "reason": "配達漏れの確認"}
    status, _ = staff_console.call("POST", "/staff/api/exports/range", roles=("admin",), body=ask)
    assert status == 200
    (grant,) = staff_console.grants.grants.values()
    assert (grant.from_, grant.to, grant.reason) == (date(2026, 11, 1), date(2026, 11, 27), "配達漏れの確認")


@pytest.mark.parametrize(
    ("role", "ask", "expected"),
    [
        ("exporter", {"from": "2026-11-01", "to": "2026-11-27", "reason": "確認"}, 403),
        ("admin", {"from": "2026-11-01", "to": "2026-11-27"}, 400),  # no reason
        ("admin", {"from": "2026-11-01", "to": "2026-11-27", "reason": "   "}, 403),  # blank reason
        ("admin", {"from": "2025-11-01", "to": "2026-11-27", "reason": "確認"}, 403),  # 392 days
    ],
)
def test_a_period_is_refused_without_an_administrator_a_reason_or_within_a_year(
    staff_console: Console, role: str, ask: dict[str, str], expected: int
) -> None:
    status, body = staff_console.call(
        "POST", "/staff/api/exports/range", roles=(role,), body={"formId": "koho_delivery", **ask}
    )
    assert status == expected
    assert body["message"]
    assert staff_console.grants.grants == {}


def test_an_export_refused_by_the_function_reaches_staff_as_a_japanese_message(
    staff_console: Console,
) -> None:
    # Given another export of the form running
    staff_console.functions.answer = {"error": {"type": "ExportInProgress", "message": "another export runs"}}
    # When an exporter asks
    status, body = staff_console.call(
        "POST", "/staff/api/exports", roles=("exporter",), body={"formId": "koho_delivery"}
    )
    # Then they are told to wait, in Japanese
    assert status == 409
    assert body == {"message": "同じ様式のエクスポートが実行中です。少し待ってからもう一度お試しください。"}


def test_a_survey_form_is_not_exported_as_applications(staff_console: Console) -> None:
    status, _ = staff_console.call(
        "POST", "/staff/api/exports", roles=("exporter",), body={"formId": "koho_survey"}
    )
    assert status == 404


def test_survey_results_are_counts_per_choice(staff_console: Console) -> None:
    status, body = staff_console.call("GET", "/staff/api/surveys/koho_survey/results", roles=("exporter",))
    assert status == 200
    assert body["questions"] == [
        {
            "stepId": "satisfaction",
            "label": "満足度",
            "choices": [{"value": "5", "label": "満足", "count": 2}],
        }
    ]
    assert (
        staff_console.call("GET", "/staff/api/surveys/koho_delivery/results", roles=("exporter",))[0] == 404
    )


def test_an_exporter_is_offered_the_survey_forms_and_no_application_form(staff_console: Console) -> None:
    status, body = staff_console.call("GET", "/staff/api/surveys", roles=("exporter",))
    assert status == 200
    assert body == [{"formId": "koho_survey", "title": "広報新宿 読者アンケート"}]
    assert staff_console.call("GET", "/staff/api/surveys", roles=("viewer",))[0] == 403


def test_a_refresh_is_started_at_most_once_a_minute(staff_console: Console) -> None:
    # Given a snapshot 30 minutes old: a refresh starts (asynchronously) and the old `asOf` comes back
    status, body = staff_console.call("POST", "/staff/api/dashboard/refresh", roles=("viewer",))
    assert (status, staff_console.functions.refreshes) == (202, 1)
    assert body["asOf"].startswith("2026-11-29T08:30")
    # When the snapshot is seconds old
    staff_console.snapshots.stored = SNAPSHOT.model_copy(update={"as_of": NOW - timedelta(seconds=10)})
    status, _ = staff_console.call("POST", "/staff/api/dashboard/refresh", roles=("viewer",))
    # Then no second Users scan is started
    assert (status, staff_console.functions.refreshes) == (429, 1)


def test_an_exporter_gets_a_new_link_to_the_daily_exports_file_by_its_id(staff_console: Console) -> None:
    # Given the daily export's notice naming its id
    ask = {"formId": "koho_delivery", "exportId": "20261129T000000Z-0a1b2c3d"}
    # When an exporter asks for its file
    status, _ = staff_console.call("POST", "/staff/api/exports", roles=("exporter",), body=ask)
    # Then ExportFunction is asked for a link to that export, under the exporter's name
    assert status == 200
    (grant,) = staff_console.grants.grants.values()
    assert (grant.export_id, grant.staff.username) == ("20261129T000000Z-0a1b2c3d", "staff@example.jp")
