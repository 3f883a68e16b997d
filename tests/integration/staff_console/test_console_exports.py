"""Console exports against moto: through ExportFunction with a grant, audited under the signed-in staff,
a grant used once, periods only for administrators with a reason; and no applicant PII in any answer
or log of the console's data routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.integration.export.export_stack import ADMIN, SAMPLE
from tests.integration.staff_console.console_stack import ConsoleStack
from tests.unit.applications.applications_fakes import FakeSealer

from civicline.domain.applications.surveys import SurveyIntake
from civicline.models.export_grant import ExportGrant
from civicline.models.forms import SurveyResponse

PERSONAL = (SAMPLE.name, "シンジュク タロウ", SAMPLE.address, SAMPLE.postal_code, "1234-5678", SAMPLE.phone)
TYPED_OPINION = "四谷の田中花子です。電話は080-9999-0000"


def test_a_console_export_is_audited_under_the_signed_in_staff(console: ConsoleStack) -> None:
    # Given two waiting applications and their counts on the page
    console.exports.add_application()
    console.exports.add_application()
    console.refresh()
    assert console.call("GET", "/staff/api/applications", roles=("exporter",))[1][0]["waiting"] == 2
    # When an exporter signed in to the console asks for the file
    status, link = console.call(
        "POST", "/staff/api/exports", roles=("exporter",), body={"formId": "koho_delivery"}
    )
    # Then the link holds both, and the audit names the token's staff as verified
    assert status == 200
    assert link["rows"] == 2
    assert "X-Amz-Signature" in link["url"]
    (entry,) = console.exports.audit_items()
    assert entry["sk"] == link["exportId"]
    assert (entry["requestedBy"], entry["requestedBySub"], entry["identityVerified"]) == (
        "staff@example.jp",
        "5f3c-sub",
        True,
    )
    assert "Cognito" in entry["requestedBySource"]
    # And the page's waiting count dropped at once (the export started a refresh)
    status, forms = console.call("GET", "/staff/api/applications", roles=("exporter",))
    assert (forms[0]["waiting"], forms[0]["exported"]) == (0, 2)


def test_a_grant_is_used_once(console: ConsoleStack) -> None:
    # Given a grant issued by the console, and an application
    console.exports.add_application()
    grant_id = console.exports.grant()
    # When it is used, then used again
    first = console.exports.invoke({"grantId": grant_id})
    again = console.exports.invoke({"grantId": grant_id})
    # Then the first export ran and the second was refused before anything was read
    assert first["recordCount"] == 1
    assert again["error"]["type"] == "GrantRefused"
    assert len(console.exports.audit_items()) == 1


def test_an_expired_grant_is_refused(console: ConsoleStack) -> None:
    # Given a grant whose five minutes are over (TTL has not removed it yet: TTL is not immediate)
    now = datetime.now(UTC)
    expired = ExportGrant.model_validate(
        {
            "grantId": "0" * 32,
            "staff": ADMIN.model_dump(by_alias=True, mode="json"),
            "formId": "koho_delivery",
            "createdAt": now - timedelta(minutes=10),
            "expiresAt": now - timedelta(minutes=5),
        }
    )
    console.exports.grants.issue(expired)
    # When it is presented / Then it is refused
    assert console.exports.invoke({"grantId": expired.grant_id})["error"]["type"] == "GrantRefused"


def test_an_administrator_re_exports_a_period_with_the_reason_recorded(console: ConsoleStack) -> None:
    # Given an application exported already
    console.exports.add_application()
    console.exports.staff_export()
    today = (datetime.now(UTC) + timedelta(hours=9)).date()
    ask = {
        "formId": "koho_delivery",
        "from": (today - timedelta(days=1)).isoformat(),
        "to": today.isoformat(),
        "reason": "配達先の確認（区民相談）",
    }
    # When an exporter tries, then an administrator
    assert console.call("POST", "/staff/api/exports/range", roles=("exporter",), body=ask)[0] == 403
    status, link = console.call("POST", "/staff/api/exports/range", roles=("admin",), body=ask)
    # Then the administrator's period holds the exported application, audited with the reason
    assert (status, link["rows"]) == (200, 1)
    entry = next(e for e in console.exports.audit_items() if e["sk"] == link["exportId"])
    assert (entry["window"]["mode"], entry["reason"], entry["identityVerified"]) == (
        "range",
        "配達先の確認（区民相談）",
        True,
    )


def test_no_applicant_pii_in_any_answer_or_log_of_the_console(
    console: ConsoleStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given applications with names, addresses and phones, and survey responses with a typed opinion
    console.seed_residents(20)
    console.exports.add_application()
    console.exports.add_application(SAMPLE.model_copy(update={"name": "𠮷田 太郎"}))
    surveys = SurveyIntake(console.exports.applications, FakeSealer())
    for n, satisfaction in enumerate(["5", "2"]):
        surveys.receive(
            SurveyResponse(
                response_id=f"survey-{n}",
                user_id=f"U{n:032x}",
                form_id="koho_survey",
                form_version=1,
                answers={"satisfaction": satisfaction, "comment": TYPED_OPINION},
                submitted_at=datetime.now(UTC),
            )
        )
    console.refresh()
    today = (datetime.now(UTC) + timedelta(hours=9)).date().isoformat()
    # When an administrator uses every data route of the console
    answers = [
        console.call("GET", "/staff/api/dashboard", roles=("admin",)),
        console.call("GET", "/staff/api/applications", roles=("admin",)),
        console.call("GET", "/staff/api/surveys/koho_survey/results", roles=("admin",)),
        console.call("POST", "/staff/api/exports", roles=("admin",), body={"formId": "koho_delivery"}),
        console.call(
            "POST",
            "/staff/api/exports/range",
            roles=("admin",),
            body={"formId": "koho_delivery", "from": today, "to": today, "reason": "確認"},
        ),
        console.call("POST", "/staff/api/dashboard/refresh", roles=("admin",)),
    ]
    # Then no answer and no log line holds an applicant's data or a typed answer; logs hold no link
    text = json.dumps(answers, ensure_ascii=False)
    logs = capsys.readouterr().out
    for value in (*PERSONAL, "𠮷", TYPED_OPINION, "田中花子", "080-9999-0000", "住民1"):
        assert value not in text, value
        assert value not in logs, value
    assert "X-Amz-Signature" not in logs
    assert [status for status, _ in answers][:5] == [200, 200, 200, 200, 200]
    survey = answers[2][1]
    assert survey["responses"] == 2
