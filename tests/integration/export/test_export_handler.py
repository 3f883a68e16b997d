"""The export function against moto: file, link, audit, marks, retention, notices, and no PII in logs."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from tests.integration.emf_metrics import emf_counts
from tests.integration.export.export_stack import (
    SAMPLE,
    STAFF_ARN,
    ExportStack,
)
from tests.unit.applications.applications_fakes import FakeSealer

from civicline.domain.applications.surveys import SurveyIntake
from civicline.models.forms import SurveyResponse
from civicline.models.language import Language

PERSONAL = (SAMPLE.name, "シンジュク タロウ", SAMPLE.address, "1234-5678", "3-1234", SAMPLE.phone)


def _rows(data: bytes, codec: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(codec), newline="")))


def test_staff_export_writes_the_csv_and_returns_a_sigv4_link(stack: ExportStack) -> None:
    # Given three applications stored by intake, the last by a resident who applied in Vietnamese
    records = [stack.add_application() for _ in range(2)]
    records.append(stack.add_application(language=Language.VI))
    # When staff export
    result = stack.staff_export()
    # Then the file holds them, UTF-8 with BOM, Japanese header first
    data = stack.download(result["objectKey"])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data)
    assert rows[0] == [
        "受付番号",
        "受付日時",
        "種別",
        "氏名",
        "フリガナ",
        "郵便番号",
        "住所",
        "電話番号",
        "配達開始号",
        "言語",
    ]
    assert [r[0] for r in rows[1:]] == [r.reception_number for r in records]
    assert rows[1][3:8] == [SAMPLE.name, SAMPLE.kana, SAMPLE.postal_code, SAMPLE.address, "03-1234-5678"]
    assert [r[9] for r in rows[1:]] == ["日本語", "日本語", "ベトナム語"]  # 言語: how staff reply
    # And the link is SigV4 on the regional virtual-hosted endpoint, 15 minutes, with the Japanese name
    url = urlsplit(result["url"])
    query = parse_qs(url.query)
    assert url.scheme == "https"
    assert url.hostname == f"{stack.bucket}.s3.ap-northeast-1.amazonaws.com"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert "/ap-northeast-1/s3/aws4_request" in query["X-Amz-Credential"][0]
    disposition = query["response-content-disposition"][0]
    assert disposition.startswith('attachment; filename="koho_delivery_')
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("''", 1)[1]).startswith("広報新宿の個別配達_")
    # And the object was written with SSE-KMS
    head = stack.s3.head_object(Bucket=stack.bucket, Key=result["objectKey"])
    assert head["ServerSideEncryption"] == "aws:kms"


def test_exported_applications_are_marked_their_guard_removed_and_purge_scheduled(stack: ExportStack) -> None:
    record = stack.add_application()
    guard_key = f"guard#{record.user_id}#{record.form_id}#{record.kind}"
    assert stack.item(guard_key) is not None
    before = time.time()
    result = stack.staff_export()
    item = stack.item(record.application_id)
    assert item is not None
    assert item["status"]["S"] == "exported"
    assert item["exportId"]["S"] == result["exportId"]
    assert "exportedAt" in item
    purge_at = int(item["purgeAt"]["N"])
    assert before + 89 * 86400 < purge_at < time.time() + 91 * 86400
    assert stack.item(guard_key) is None


def test_a_late_export_never_keeps_an_application_past_its_retention_ceiling(stack: ExportStack) -> None:
    # Given an application received 170 days ago, so its ceiling (180 days from intake) is 10 days away
    record = stack.add_application(received_at=datetime.now(UTC) - timedelta(days=170))
    assert record.purge_at is not None
    # When staff export it only now (export's own retention would be 90 days from today)
    stack.staff_export()
    # Then it is marked exported but still purged at the ceiling, not 80 days later
    item = stack.item(record.application_id)
    assert item is not None
    assert item["status"]["S"] == "exported"
    assert int(item["purgeAt"]["N"]) == int(record.purge_at.timestamp())


def test_a_second_export_finds_nothing_new(stack: ExportStack) -> None:
    stack.add_application()
    stack.staff_export()
    again = stack.staff_export()
    assert again["recordCount"] == 0
    assert "url" not in again or again["url"] is None


def test_every_link_is_audited(stack: ExportStack) -> None:
    stack.add_application()
    result = stack.staff_export(encoding="cp932")
    (entry,) = stack.audit_items()
    assert entry["sk"] == result["exportId"]
    assert entry["requestedBy"] == STAFF_ARN
    assert "CloudTrail" in entry["requestedBySource"]
    assert entry["identityVerified"] is False  # self-reported by the CLI: said plainly
    assert entry["invocationId"] == result["invocationId"]
    assert entry["recordCount"] == 1
    assert entry["objectKey"] == result["objectKey"]
    assert entry["expirySeconds"] == 900
    assert entry["expiresAt"] == result["expiresAt"]
    assert entry["window"]["mode"] == "watermark"
    assert entry["encoding"] == "cp932"
    assert "url" not in entry  # a bearer token is never stored


def test_cp932_replaces_and_reports_unencodable_characters(stack: ExportStack) -> None:
    # Given a name with 𠮷 and an address with an emoji, which CP932 cannot hold
    odd = stack.add_application(SAMPLE.model_copy(update={"name": "𠮷田 太郎", "address": "新宿1-2-3🏠"}))
    plain = stack.add_application()
    # When exported as CP932
    result = stack.staff_export(encoding="cp932")
    # Then the file decodes as CP932 with 〓 in their place
    rows = _rows(stack.download(result["objectKey"]), "cp932")
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[odd.reception_number][3] == "〓田 太郎"
    assert by_number[odd.reception_number][6] == "新宿1-2-3〓"
    assert by_number[plain.reception_number][3] == SAMPLE.name
    # And the answer and the audit name the row and column, never the value
    assert result["unencodableTotal"] == 2
    assert {(c["row"], c["column"]) for c in result["unencodable"]} == {(1, "氏名"), (1, "住所")}
    assert "𠮷" not in str(result)
    assert "𠮷" not in str(stack.audit_items())


def test_quoting_survives_the_round_trip(stack: ExportStack) -> None:
    address = '新宿1-2-3, "メゾン新宿"\n201号室'
    stack.add_application(SAMPLE.model_copy(update={"address": address}))
    result = stack.staff_export()
    assert _rows(stack.download(result["objectKey"]))[1][6] == address


def test_link_expiry_is_configurable_within_the_ceiling(stack: ExportStack) -> None:
    stack.add_application()
    result = stack.staff_export(linkExpirySeconds=300)
    assert parse_qs(urlsplit(result["url"]).query)["X-Amz-Expires"] == ["300"]
    refused = stack.staff_export(linkExpirySeconds=7 * 24 * 3600)
    assert refused["error"]["type"] == "InvalidRequest"
    assert refused["error"]["details"][0]["loc"] == "linkExpirySeconds"


def test_scheduled_export_notifies_without_a_link_and_staff_fetch_one(stack: ExportStack) -> None:
    stack.add_application()
    # When the schedule runs
    scheduled = stack.invoke({"trigger": "schedule"})
    # Then no link was issued, and staff got a notice with the count and how to get one
    assert scheduled.get("url") is None
    (notice,) = stack.notices()
    assert scheduled["exportId"] in notice["Message"]
    assert "1 件" in notice["Message"]
    assert "https://" not in notice["Message"]
    # When staff ask for the link / Then they get one, audited as a link of that export
    link = stack.staff_export(exportId=scheduled["exportId"])
    assert link["reissued"] is True
    assert urlsplit(link["url"]).hostname == f"{stack.bucket}.s3.ap-northeast-1.amazonaws.com"
    entries = stack.audit_items()
    assert [e["sk"].startswith(scheduled["exportId"]) for e in entries] == [True, True]
    assert entries[1]["requestedBy"] == STAFF_ARN
    assert entries[0]["requestedBy"] == "EventBridge Scheduler"


def test_range_re_export_includes_exported_ones_and_keeps_the_watermark(stack: ExportStack) -> None:
    # Given one application exported two days ago and one received since
    now = datetime.now(UTC)
    exported = stack.add_application(received_at=now - timedelta(days=2))
    stack.staff_export()
    pending = stack.add_application()
    # When an administrator re-exports the JST days from two days ago to today, with a reason
    jst = timedelta(hours=9)
    result = stack.console_export(
        {
            "from": (now - timedelta(days=2) + jst).date().isoformat(),
            "to": (now + jst).date().isoformat(),
            "reason": "配達漏れの確認",
        }
    )
    # Then both are in the file, and the pending one is left unmarked
    numbers = [row[0] for row in _rows(stack.download(result["objectKey"]))[1:]]
    assert numbers == [exported.reception_number, pending.reception_number]
    item = stack.item(pending.application_id)
    assert item is not None
    assert item["status"]["S"] == "received"
    # And it still comes with the next watermark export
    assert stack.staff_export()["recordCount"] == 1


def test_no_personal_data_in_the_logs(stack: ExportStack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.add_application()
    stack.add_application(SAMPLE.model_copy(update={"name": "𠮷田 太郎"}))
    stack.staff_export(encoding="cp932")
    stack.invoke({"trigger": "schedule"})
    stack.staff_export(linkExpirySeconds=5)  # refused: the error is logged/returned without values
    logs = capsys.readouterr().out
    assert "export done" in logs
    for value in (*PERSONAL, "𠮷", "X-Amz-Signature"):
        assert value not in logs


def test_unknown_form_is_refused(stack: ExportStack) -> None:
    assert stack.invoke({"formId": "nope"})["error"]["type"] == "UnknownForm"


def test_survey_results_are_counts_without_personal_data(stack: ExportStack) -> None:
    # Given survey responses stored as intake stores them (with a free-text comment, sealed)
    surveys = SurveyIntake(stack.applications, FakeSealer())
    for n, satisfaction in enumerate(["5", "5", "2"]):
        surveys.receive(
            SurveyResponse(
                response_id=f"survey-{n}",
                user_id=f"U{n:032x}",
                form_id="koho_survey",
                form_version=1,
                answers={"satisfaction": satisfaction, "articles": "health", "comment": "新宿 太郎 090-1234"},
                submitted_at=datetime.now(UTC),
            )
        )
    # When staff export the survey
    result = stack.staff_export(formId="koho_survey")
    # Then the file holds per-choice counts, no ids, no free text
    data = stack.download(result["objectKey"])
    rows = _rows(data)
    assert rows[0] == ["設問", "選択肢", "件数"]
    assert rows[1] == ["回答数", "", "3"]
    assert ["満足度", "とても満足", "2"] in rows
    assert ["よく読む記事", "健康・医療", "3"] in rows
    text = data.decode("utf-8-sig")
    for personal in ("新宿 太郎", "090", "U0000"):
        assert personal not in text
    assert result["recordCount"] == 3


def test_pii_moved_onto_another_item_is_refused_and_reported(stack: ExportStack) -> None:
    # Given an item whose sealed data was copied from another application (tampering)
    source = stack.add_application()
    target = stack.add_application(SAMPLE.model_copy(update={"name": "別人 花子"}))
    original = stack.item(source.application_id)
    assert original is not None
    stack.dynamodb.update_item(
        TableName=stack.applications_table,
        Key={"applicationId": {"S": target.application_id}},
        UpdateExpression="SET pii = :pii",
        ExpressionAttributeValues={":pii": original["pii"]},
    )
    # When exported / Then only the genuine one is in the file; the other is named, left unexported
    result = stack.staff_export()
    numbers = [row[0] for row in _rows(stack.download(result["objectKey"]))[1:]]
    assert numbers == [source.reception_number]
    assert result["skippedUnreadable"] == 1
    assert result["unreadableReceptionNumbers"] == [target.reception_number]
    item = stack.item(target.application_id)
    assert item is not None
    assert item["status"]["S"] == "received"


def test_an_export_is_counted_in_metrics(stack: ExportStack, capsys: pytest.CaptureFixture[str]) -> None:
    # Given two applications, one of them with a name Shift_JIS cannot hold
    stack.add_application()
    stack.add_application(SAMPLE.model_copy(update={"name": "𠮷野 家子"}))
    # When staff export them in cp932
    result = stack.staff_export(encoding="cp932")
    # Then the records, the KMS calls, the encoding problem and the link are counted
    counts = emf_counts(capsys.readouterr().out)
    assert counts["RecordsExported"] == result["recordCount"] == 2
    assert counts["UnencodableCells"] == result["unencodableTotal"] == 1
    assert counts["LinksIssued"] == 1
    assert 1 <= counts["KmsCalls"] <= 2  # applications sealed together share a data key
    assert counts["UnreadableApplications"] == 0
    # And a refused request is counted as refused
    stack.invoke({"formId": "nope"})
    assert emf_counts(capsys.readouterr().out)["ExportsRefused"] == 1


def test_a_period_asked_without_a_console_grant_is_refused(stack: ExportStack) -> None:
    # Given an application, and someone allowed to invoke the function (the CLI's path)
    stack.add_application()
    # When they ask for a period with a self-reported name
    answer = stack.staff_export(**{"from": "2026-11-01", "to": "2026-11-27"})
    # Then nothing is exported and nothing is audited
    assert answer["error"]["type"] == "RangeNotAllowed"
    assert stack.audit_items() == []
