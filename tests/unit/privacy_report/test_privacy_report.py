"""The council's report (make privacy-report) tells the truth about the system, and turns red when it changes.

Each test changes one thing the report reads — the translated template, a copy of an adapter, the
test results — and asserts that the matching line of the report turns ✗ or red.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.support.repo import REPO_ROOT, TEMPLATE_PATH

from civicline.models.personal_data import ADAPTER_TABLES, BOOKKEEPING, PERSONAL_DATA
from devstack.sam_template import translate
from tools.privacy_report.check import Check
from tools.privacy_report.dataflow import dot_source
from tools.privacy_report.records import uncatalogued
from tools.privacy_report.render import render_html
from tools.privacy_report.report import ADAPTERS_DIR, Report, Sources, build
from tools.privacy_report.stored_attributes import scan_adapters

SEED_FIELDS = (
    "LINE ID",
    "LINEプロフィール名",
    "LINEアイコン",
    "生年",
    "性別",
    "居住地域",
    "配信を希望する情報ジャンル",
    "アンケートの回答",
    "氏名",
    "郵便番号",
    "住所",
    "電話番号",
)
UPDATE = "tests/unit/test_template.py::test_every_table_is_encrypted_with_the_data_key_and_recoverable"


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return translate(TEMPLATE_PATH)


@pytest.fixture
def cfn(translated: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(translated)


@pytest.fixture
def no_results(tmp_path: Path) -> Sources:
    return Sources(results_dir=tmp_path / "no-results")


def report_of(cfn: dict[str, Any], sources: Sources) -> Report:
    return build(cfn, sources, diagram=False)


def check(report: Report, title_start: str) -> Check:
    return report.check(title_start)


def widen_pii_decrypt_in_iam(cfn: dict[str, Any], role_id: str) -> None:
    policy = cfn["Resources"][role_id]["Properties"]["Policies"][0]
    policy["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": ["PiiKey", "Arn"]}}
    )


def admit_to_pii_decrypt(cfn: dict[str, Any], role_id: str) -> None:
    statements = cfn["Resources"]["PiiKey"]["Properties"]["KeyPolicy"]["Statement"]
    decrypt = next(s for s in statements if s["Action"] == "kms:Decrypt")
    condition = decrypt["Condition"]["ArnEquals"]
    condition["aws:PrincipalArn"] = [condition["aws:PrincipalArn"], {"Fn::GetAtt": [role_id, "Arn"]}]


def test_the_report_lists_every_field_of_the_seed_and_the_residents_language(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the system as it is / When the report is built
    report = report_of(cfn, no_results)

    # Then every field the ward's original dossier listed is a 記録項目, and so is what came since
    labels = " ".join(row.field.label for row in report.rows)
    for seed in (*SEED_FIELDS, "利用言語"):
        assert seed in labels, seed


def test_the_catalogue_names_every_attribute_the_adapters_store() -> None:
    # Given the DynamoDB adapters as they are / When their source is scanned
    scans = scan_adapters(ADAPTERS_DIR)

    # Then every module is assigned to its tables and every attribute it writes is catalogued
    assert set(scans) == set(ADAPTER_TABLES)
    assert uncatalogued(scans, PERSONAL_DATA, BOOKKEEPING, ADAPTER_TABLES) == []


def test_the_scan_finds_the_profile_and_settings_the_residents_adapter_writes() -> None:
    # Given the residents' adapter (Users table), which names some attributes through loops and lookups
    residents = scan_adapters(ADAPTERS_DIR)["residents"]

    # Then the scan still sees every one of them
    for attribute in (
        "userId",
        "displayName",
        "pictureUrl",
        "language",
        "birthYear",
        "gender",
        "area",
        "genres",
    ):
        assert attribute in residents.attributes, attribute


def test_an_attribute_added_to_an_adapter_shows_in_red(
    cfn: dict[str, Any], tmp_path: Path, no_results: Sources
) -> None:
    # Given a copy of the adapters where the residents' adapter also stores the resident's phone number
    adapters = tmp_path / "dynamodb"
    shutil.copytree(ADAPTERS_DIR, adapters)
    residents = adapters / "residents.py"
    source = residents.read_text(encoding="utf-8")
    residents.write_text(
        source.replace(
            '"lifecycleAt = :at",', '"lifecycleAt = :at",\n            "phoneNumber = :phone",', 1
        ),
        encoding="utf-8",
    )
    # and the guard of the Applications adapter keeps the applicant's name
    applications = adapters / "applications.py"
    source = applications.read_text(encoding="utf-8")
    applications.write_text(
        source.replace(
            '"recordType": "guard",', '"recordType": "guard",\n            "applicantName": "",', 1
        ),
        encoding="utf-8",
    )

    # When the report is built from that code
    report = report_of(cfn, Sources(adapters_dir=adapters, results_dir=no_results.results_dir))

    # Then both attributes are reported as stored without being catalogued, in red, and the line is ✗
    missing = {(m.module, m.attribute) for m in report.uncatalogued}
    assert missing == {("residents", "phoneNumber"), ("applications", "applicantName")}
    assert not check(report, "収集する項目").ok
    html = render_html(report)
    assert '<tr class="red"><td>residents.py</td><td><code>phoneNumber</code>' in html


def test_an_adapter_module_the_catalogue_does_not_know_shows_in_red(
    cfn: dict[str, Any], tmp_path: Path, no_results: Sources
) -> None:
    # Given a new adapter module nobody assigned to a table
    adapters = tmp_path / "dynamodb"
    shutil.copytree(ADAPTERS_DIR, adapters)
    (adapters / "notes.py").write_text('ITEM = {"userId": "", "note": ""}\n', encoding="utf-8")

    # When the report is built / Then the module is reported as unknown
    report = report_of(cfn, Sources(adapters_dir=adapters, results_dir=no_results.results_dir))
    assert [m.module for m in report.uncatalogued] == ["notes"]
    assert not check(report, "収集する項目").ok


def test_dropping_point_in_time_recovery_turns_the_backup_line_red(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the template of today: the backup line holds
    assert check(report_of(cfn, no_results), "バックアップ（ポイント").ok

    # When the Users table loses point-in-time recovery
    del cfn["Resources"]["UsersTable"]["Properties"]["PointInTimeRecoverySpecification"]
    backup = check(report_of(cfn, no_results), "バックアップ（ポイント")

    # Then the line turns ✗ and names the table
    assert not backup.ok
    assert "UsersTable" in " ".join(backup.evidence)


def test_a_role_widened_to_decrypt_the_pii_key_turns_the_field_key_line_red(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the template of today: only the export can read the applicants' sealed answers
    report = report_of(cfn, no_results)
    assert check(report, "申請者の個人情報の項目暗号化").ok
    sealed = next(row for row in report.rows if row.field.sealed)
    assert sealed.plaintext_readers == ("ExportFunction",)

    # When the key policy also admits the conversation worker's role and its IAM policy allows decrypt
    widen_pii_decrypt_in_iam(cfn, "ConversationFunctionRole")
    admit_to_pii_decrypt(cfn, "ConversationFunctionRole")
    report = report_of(cfn, no_results)

    # Then the line turns ✗ naming the function, and the field shows it among the plaintext readers
    field_key = check(report, "申請者の個人情報の項目暗号化")
    assert not field_key.ok
    assert "ConversationFunction" in " ".join(field_key.evidence)
    sealed = next(row for row in report.rows if row.field.sealed)
    assert sealed.plaintext_readers == ("ConversationFunction", "ExportFunction")


def test_an_iam_grant_the_pii_key_policy_does_not_admit_reads_nothing(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the PII key's policy, which admits the account only as the export role (aws:PrincipalArn)
    # When the conversation worker's IAM policy alone allows decrypt with the PII key
    widen_pii_decrypt_in_iam(cfn, "ConversationFunctionRole")

    # Then KMS would still refuse it: the line holds and only the export reads the sealed answers
    report = report_of(cfn, no_results)
    assert check(report, "申請者の個人情報の項目暗号化").ok
    sealed = next(row for row in report.rows if row.field.sealed)
    assert sealed.plaintext_readers == ("ExportFunction",)


def test_a_data_action_on_every_resource_turns_least_privilege_red(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # When a role may read every table
    policy = cfn["Resources"]["WebhookFunctionRole"]["Properties"]["Policies"][0]
    policy["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}
    )

    # Then least privilege is ✗ and the Users table lists the webhook among its readers
    report = report_of(cfn, no_results)
    assert not check(report, "最小権限").ok
    users = next(row for row in report.rows if row.field.id == "display_name")
    assert "WebhookFunction" in users.readers


def test_a_region_outside_japan_turns_the_region_line_red(cfn: dict[str, Any], no_results: Sources) -> None:
    # Given today's rule: Tokyo and Osaka only
    assert check(report_of(cfn, no_results), "保存場所を国内").ok

    # When the rule also lets the stack into Seoul
    assertion = cfn["Rules"]["JapaneseRegionsOnly"]["Assertions"][0]["Assert"]
    assertion["Fn::Contains"][0].append("ap-northeast-2")

    # Then the region line is ✗
    region = check(report_of(cfn, no_results), "保存場所を国内")
    assert not region.ok
    assert "ap-northeast-2" in " ".join(region.evidence)


def test_mfa_is_green_only_while_the_staff_user_pool_requires_it(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the template's staff user pool (issue 11): MFA required
    assert check(report_of(cfn, no_results), "職員の多要素認証").ok

    # When its MFA is made optional, then the line is ✗
    cfn["Resources"]["StaffUserPool"]["Properties"]["MfaConfiguration"] = "OPTIONAL"
    assert not check(report_of(cfn, no_results), "職員の多要素認証").ok

    # And without a staff pool at all (staff on CLIs with IAM only) it is ✗ too
    del cfn["Resources"]["StaffUserPool"]
    assert not check(report_of(cfn, no_results), "職員の多要素認証").ok


def test_a_failed_test_in_the_last_run_turns_its_line_red(cfn: dict[str, Any], tmp_path: Path) -> None:
    # Given a last run where the table-encryption test failed
    results = tmp_path / "results"
    results.mkdir()
    classname, name = UPDATE.removesuffix(".py").replace(".py::", "::").split("::")
    (results / "unit.xml").write_text(
        '<?xml version="1.0"?><testsuites><testsuite name="pytest" timestamp="2026-11-29T10:00:00">'
        f'<testcase classname="{classname.replace("/", ".")}" name="{name}"><failure message="x"/></testcase>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )

    # When the report is built / Then the encryption line is ✗ and shows the failed test
    report = report_of(cfn, Sources(results_dir=results))
    encryption = check(report, "保存時の暗号化")
    assert not encryption.ok
    assert any(t.name == name and t.outcome.value == "failed" for t in encryption.tests)
    # and a test of another line that was not run shows as not run
    assert check(report, "保存場所を国内").tests[0].outcome.value == "not run"


def test_the_page_is_japanese_with_all_five_sections(cfn: dict[str, Any], no_results: Sources) -> None:
    html = render_html(report_of(cfn, no_results))

    assert '<html lang="ja">' in html
    for heading in ("1. 記録項目", "2. 電算処理", "3. 外部結合", "4. 業務委託・運用", "5. 情報保護対策"):
        assert heading in html
    assert "size: A4" in html  # printable on the ward's paper


def test_the_diagram_is_drawn_from_the_template(cfn: dict[str, Any], no_results: Sources) -> None:
    report = report_of(cfn, no_results)

    dot = dot_source(cfn, report.functions, {f.store for f in PERSONAL_DATA})

    # Then LINE's webhook, the queues and the stores appear as the template connects them
    assert 'LINE -> WebhookFunction [label="Webhook"]' in dot
    assert "EventsQueue -> ConversationFunction" in dot
    assert "IntakeFunction -> ApplicationsTable" in dot
    assert "ExportFunction -> LINE" not in dot  # the export never talks to LINE


def test_every_test_the_report_names_exists(cfn: dict[str, Any], no_results: Sources) -> None:
    # Given every test the report cites as proof (catalogue and checklist)
    report = report_of(cfn, no_results)
    cited = {t.node_id for row in report.rows for t in row.tests}
    cited |= {t.node_id for c in report.checks for t in c.tests}

    # Then each is a test function in the file it names (a renamed test would read "not run" forever)
    for node_id in sorted(cited):
        path, name = node_id.split("::")
        source = (REPO_ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, node_id


def test_production_code_never_imports_the_report() -> None:
    # The report is the ward's and developers' tool: nothing deployed may depend on it.
    imports_the_report = re.compile(r"^\s*(from|import)\s+(tools\.)?privacy_report\b", re.MULTILINE)
    for folder in ("layers", "functions", "staff"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            assert not imports_the_report.search(path.read_text(encoding="utf-8")), path


def test_a_bucket_that_accepts_plain_http_turns_the_transport_line_red(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given today's export bucket, which refuses anything but TLS
    assert check(report_of(cfn, no_results), "通信の暗号化").ok

    # When its policy loses the TLS-only statement
    statements = cfn["Resources"]["ExportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    statements[:] = [s for s in statements if s.get("Sid") != "DenyInsecureTransport"]

    # Then the line is ✗ and names the bucket
    transport = check(report_of(cfn, no_results), "通信の暗号化")
    assert not transport.ok
    assert "ExportBucket" in " ".join(transport.evidence)


def test_queued_applications_show_how_long_a_failed_one_waits(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the applications queue, whose failures wait in a dead-letter queue for 14 days
    row = next(r for r in report_of(cfn, no_results).rows if r.field.store == "ApplicationsQueue")
    assert "ApplicationsDeadLetterQueue に最長14日" in row.retention

    # When the template leaves the dead-letter queue's retention to SQS
    cfn["Resources"]["ApplicationsDeadLetterQueue"]["Properties"].pop("MessageRetentionPeriod")

    # Then the report shows SQS's default of 4 days
    row = next(r for r in report_of(cfn, no_results).rows if r.field.store == "ApplicationsQueue")
    assert "ApplicationsDeadLetterQueue に最長4日" in row.retention


def test_the_backup_plan_line_holds_until_the_tables_leave_the_selection(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the template of today: a daily plan copies the Users and Applications tables
    backup = check(report_of(cfn, no_results), "バックアップ計画")
    assert backup.ok
    assert "UsersTable" in " ".join(backup.evidence)
    assert "14 日" in " ".join(backup.evidence)

    # When the selection no longer names any table
    cfn["Resources"]["BackupPersonalDataTables"]["Properties"]["BackupSelection"]["Resources"] = []

    # Then the line turns ✗
    assert not check(report_of(cfn, no_results), "バックアップ計画").ok


def test_an_audit_trail_created_only_when_a_bucket_is_named_is_not_counted_by_default(
    cfn: dict[str, Any], no_results: Sources
) -> None:
    # Given the trail, created only when the ward names its bucket (empty by default)
    trail = check(report_of(cfn, no_results), "操作の証跡")

    # Then the line is ✗ and says what creates the trail
    assert not trail.ok
    assert "AuditTrailBucketName" in " ".join(trail.evidence)

    # When the template's default names a bucket / Then the deployed stack has the trail and the line holds
    cfn["Parameters"]["AuditTrailBucketName"]["Default"] = "shinjuku-audit-logs"
    assert check(report_of(cfn, no_results), "操作の証跡").ok
