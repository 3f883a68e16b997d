"""情報保護対策, how long data lives and who notices: logs, retention, erasure, backups, alarms, audit."""

from __future__ import annotations

from typing import Any

from civicline.models.personal_data import Erasure, PersonalDataField
from privacy_report.check import Check, cited
from privacy_report.records import FieldRow, Uncatalogued
from privacy_report.template_facts import (
    point_in_time_recovery,
    referenced_ids,
    resources_of_type,
)
from privacy_report.test_results import TestResults


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


def backup_plan_check(cfn: dict[str, Any]) -> Check:
    plans = resources_of_type(cfn, "AWS::Backup::BackupPlan")
    return Check(
        "バックアップ計画（AWS Backup、別保管）",
        bool(plans),
        (f"バックアップ計画：{', '.join(plans)}" if plans else "AWS Backup の計画がテンプレートにない",),
        (),
    )


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


def audit_trail_check(cfn: dict[str, Any]) -> Check:
    trails = resources_of_type(cfn, "AWS::CloudTrail::Trail")
    return Check(
        "操作の証跡（CloudTrail）",
        bool(trails),
        (
            f"証跡：{', '.join(trails)}"
            if trails
            else "テンプレートに証跡がない（AWSの既定のイベント履歴90日のみ）。"
            "エクスポートのリンク発行と登録情報の確認・削除は監査テーブルに記録",
        ),
        (),
    )


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
