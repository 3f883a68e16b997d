"""情報保護対策, how long data lives and who notices: logs, retention, erasure, backups, alarms, audit."""

from __future__ import annotations

from typing import Any

from civicline.models.personal_data import Erasure, PersonalDataField
from tools.privacy_report.check import Check, cited
from tools.privacy_report.records import FieldRow, Uncatalogued
from tools.privacy_report.template_facts import (
    as_list,
    condition_holds_by_default,
    parameter_default,
    point_in_time_recovery,
    referenced_ids,
    resources_of_type,
)
from tools.privacy_report.test_results import TestResults

OPERATIONS_TESTS = "tests/unit/test_template_operations.py::"


def log_hygiene_check(cfn: dict[str, Any], rows: list[FieldRow], results: TestResults) -> Check:
    functions = resources_of_type(cfn, "AWS::Lambda::Function")
    leaky = sorted(
        f
        for f, r in functions.items()
        if any(
            r["Properties"].get("Environment", {}).get("Variables", {}).get(v) != "false"
            for v in ("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "POWERTOOLS_TRACER_CAPTURE_ERROR")
        )
    )
    log_tests = [t.node_id for row in rows for t in row.tests if "log" in t.name]
    return Check(
        "ログ・トレースに個人情報を残さない",
        not leaky,
        (
            "全関数でトレースへの応答・エラーの記録を無効化"
            if not leaky
            else f"トレースが応答・エラーを記録しうる関数：{', '.join(leaky)}",
            "各処理のログを実際に検査するテストで確認（下記）",
        ),
        cited(
            results,
            [
                "test_every_function_traces_without_recording_responses_or_errors",
                "test_webhook_access_log_records_no_request_content",
                *log_tests,
            ],
        ),
    )


def retention_check(cfn: dict[str, Any], rows: list[FieldRow], results: TestResults) -> Check:
    unbounded = sorted({f"{r.field.label}（{r.field.store}）" for r in rows if not r.retention_bounded})
    logs = resources_of_type(cfn, "AWS::Logs::LogGroup")
    forever = sorted(g for g, r in logs.items() if "RetentionInDays" not in r["Properties"])
    evidence = [
        f"保存期間の定めがない記録項目：{'、'.join(unbounded)}" if unbounded else "全記録項目に保存期間"
    ]
    evidence.append(f"ロググループ {len(logs) - len(forever)}/{len(logs)} に保存期間")
    return Check(
        "保存期間（TTL・ライフサイクル・ログの保存日数）",
        not unbounded and not forever,
        tuple(evidence),
        cited(
            results,
            [
                "test_tables_have_the_keys_and_ttl_of_the_contract",
                "test_every_log_group_is_encrypted_and_expires",
                "test_every_bucket_expires_its_objects",
                "test_export_links_are_short_lived",
            ],
        ),
    )


def erasure_check(catalogue: tuple[PersonalDataField, ...], results: TestResults) -> Check:
    # The audit record of a request is kept on purpose (pseudonymous); anything else kept is a gap.
    kept = [f for f in catalogue if f.erasure is Erasure.KEPT and f.store != "AuditTable"]
    evidence = (
        [f"本人の削除請求で消えない項目：{'、'.join(f'{f.label}（{f.store}）' for f in kept)}"]
        if kept
        else ["監査記録（仮名化）を除く全項目が削除または本人との結び付きの解除の対象"]
    )
    return Check(
        "本人の請求による削除（登録情報の削除）",
        not kept,
        tuple(evidence),
        cited(results, [t for f in catalogue for t in f.tests if "test_data_rights" in t]),
    )


def backup_check(
    cfn: dict[str, Any], catalogue: tuple[PersonalDataField, ...], results: TestResults
) -> Check:
    tables = sorted(
        {
            f.store
            for f in catalogue
            if cfn["Resources"].get(f.store, {}).get("Type") == "AWS::DynamoDB::Table"
        }
    )
    missing = [t for t in tables if not point_in_time_recovery(cfn, t)]
    return Check(
        "バックアップ（ポイントインタイムリカバリ、35日間）",
        not missing,
        (
            f"個人情報を持つテーブル {len(tables) - len(missing)}/{len(tables)} でPITR有効"
            + (f"（無効：{', '.join(missing)}）" if missing else ""),
        ),
        cited(results, ["test_every_table_is_encrypted_with_the_data_key_and_recoverable"]),
    )


def backup_plan_check(
    cfn: dict[str, Any], catalogue: tuple[PersonalDataField, ...], results: TestResults
) -> Check:
    plans = resources_of_type(cfn, "AWS::Backup::BackupPlan")
    tests = cited(
        results,
        [
            OPERATIONS_TESTS + "test_tables_holding_personal_data_are_backed_up_for_a_bounded_time",
            OPERATIONS_TESTS + "test_a_failed_backup_tells_staff",
            OPERATIONS_TESTS + "test_the_restore_runbook_exists_for_every_backed_up_table",
        ],
    )
    if not plans:
        return Check(
            "バックアップ計画（AWS Backup、別保管）", False, ("AWS Backup の計画がテンプレートにない",), tests
        )
    stores = {f.store for f in catalogue}
    evidence, found = [], True
    for plan_id, plan in plans.items():
        selected = sorted(
            set().union(
                *(
                    referenced_ids(s["Properties"]["BackupSelection"].get("Resources", []))
                    for s in resources_of_type(cfn, "AWS::Backup::BackupSelection").values()
                    if plan_id in referenced_ids(s["Properties"].get("BackupPlanId"))
                )
            )
            & stores
        )
        for rule in plan["Properties"]["BackupPlan"].get("BackupPlanRule", []):
            delete_after = rule.get("Lifecycle", {}).get("DeleteAfterDays")
            days = parameter_default(cfn, delete_after)
            parameter = (
                f"（パラメータ {delete_after['Ref']} の既定値）" if isinstance(delete_after, dict) else ""
            )
            vaults = sorted(referenced_ids(rule.get("TargetBackupVault")))
            keys = sorted(filter(None, (_vault_key(cfn, v) for v in vaults)))
            found &= bool(selected) and days is not None and bool(keys)
            evidence.append(
                f"{plan_id}（{rule.get('RuleName', '')}）：{', '.join(selected) or '対象テーブルなし'} を"
                f"保持 {days if days is not None else '無期限'} 日{parameter}、"
                f"保管庫 {', '.join(vaults)} は {', '.join(keys) or 'カスタマー管理キーなし'} で暗号化"
            )
    notified = any(
        "aws.backup" in as_list(r["Properties"].get("EventPattern", {}).get("source", []))
        for r in resources_of_type(cfn, "AWS::Events::Rule").values()
    )
    evidence.append(
        "失敗したバックアップは職員に通知" if notified else "バックアップの失敗を知らせる規則なし"
    )
    return Check("バックアップ計画（AWS Backup、別保管）", found and notified, tuple(evidence), tests)


def _vault_key(cfn: dict[str, Any], vault_id: str) -> str | None:
    vault = cfn["Resources"].get(vault_id, {})
    keys = referenced_ids(vault.get("Properties", {}).get("EncryptionKeyArn"))
    kms_keys = resources_of_type(cfn, "AWS::KMS::Key")
    return next((k for k in sorted(keys) if k in kms_keys), None)


def alarm_check(cfn: dict[str, Any], results: TestResults) -> Check:
    dead_letters = {
        next(iter(referenced_ids(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])))
        for q in resources_of_type(cfn, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in q.get("Properties", {})
    }
    watched = set()
    for alarm in resources_of_type(cfn, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if props.get("AlarmActions"):
            for dimension in props.get("Dimensions", []):
                watched |= referenced_ids(dimension.get("Value"))
    unwatched = sorted(dead_letters - watched)
    return Check(
        "障害の警報（処理に失敗し続けた住民のイベント・申請・配信を職員に通知）",
        bool(dead_letters) and not unwatched,
        (
            f"デッドレターキュー {len(dead_letters) - len(unwatched)}/{len(dead_letters)} に職員への警報"
            + (f"（警報なし：{', '.join(unwatched)}）" if unwatched else ""),
        ),
        cited(results, ["test_every_queue_has_a_dead_letter_queue_or_is_one"]),
    )


def audit_trail_check(cfn: dict[str, Any], results: TestResults) -> Check:
    """A trail under a Condition counts as what a deployment with the default parameters gets.

    The report describes the template as deployed with its defaults: a trail that exists only when a
    parameter is set is ✗, and the evidence says what creates it (or that the organisation's trail must).
    """
    tests = cited(
        results, [OPERATIONS_TESTS + "test_the_audit_trail_records_who_exported_and_every_use_of_the_keys"]
    )
    trails = resources_of_type(cfn, "AWS::CloudTrail::Trail")
    always = sorted(t for t, r in trails.items() if "Condition" not in r)
    by_default = sorted(
        t for t, r in trails.items() if "Condition" in r and condition_holds_by_default(cfn, r["Condition"])
    )
    optional = {t: r["Condition"] for t, r in trails.items() if t not in always and t not in by_default}
    evidence = [f"証跡 {t}：常に作成" for t in always] + [
        f"証跡 {t}：既定のパラメータで作成" for t in by_default
    ]
    for trail_id, condition in sorted(optional.items()):
        parameters = sorted(_parameters_of(cfn.get("Conditions", {}).get(condition)))
        evidence.append(
            f"証跡 {trail_id}：条件 {condition} が成り立つとき"
            f"（パラメータ {', '.join(parameters)} を指定したとき）のみ作成。既定値では作成されない："
            "指定しない場合は組織の証跡にエクスポート関数の呼び出しとKMSの操作を記録させること"
        )
    if not trails:
        evidence.append("テンプレートに証跡がない")
    evidence.append(
        "KMSの操作（PiiKeyの復号を含む）は証跡がなくてもCloudTrailのイベント履歴に90日。"
        "エクスポートのリンク発行と登録情報の確認・削除は監査テーブルに記録"
    )
    return Check("操作の証跡（CloudTrail）", bool(always or by_default), tuple(evidence), tests)


def _parameters_of(expression: Any) -> set[str]:
    if isinstance(expression, list):
        return set().union(*(_parameters_of(e) for e in expression))
    if not isinstance(expression, dict):
        return set()
    if "Ref" in expression:
        return {str(expression["Ref"])}
    return set().union(*(_parameters_of(v) for v in expression.values()))


def catalogue_check(missing: list[Uncatalogued], results: TestResults) -> Check:
    return Check(
        "収集する項目は記録項目の一覧どおり（それ以外を保存しない）",
        not missing,
        (
            f"一覧にない保存属性 {len(missing)} 件（記録項目の表の末尾、赤字）"
            if missing
            else "DynamoDBアダプタが書く全属性が記録項目または管理用の属性として登録済み",
        ),
        cited(
            results,
            [
                "tests/unit/privacy_report/test_privacy_report.py::"
                "test_the_catalogue_names_every_attribute_the_adapters_store"
            ],
        ),
    )
