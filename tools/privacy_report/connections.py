"""Sections 2–4: the functions (電算処理), the connections (外部結合) and what operators can read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civicline.models.personal_data import PersonalDataField
from tools.privacy_report.template_facts import (
    PII_SEAL_ACTION,
    READ_ACTIONS,
    WRITE_ACTIONS,
    function_roles,
    grants_on,
    key_policy_grants,
    parameter_default,
    pii_key_users,
    referenced_ids,
    resources_of_type,
    role_function,
)

AWS_SERVICES = {
    "AWS::DynamoDB::Table": "Amazon DynamoDB（記録の保存）",
    "AWS::SQS::Queue": "Amazon SQS（処理待ちの受け渡し）",
    "AWS::S3::Bucket": "Amazon S3（エクスポートファイル）",
    "AWS::SNS::Topic": "Amazon SNS（職員への通知）",
    "AWS::KMS::Key": "AWS KMS（暗号鍵）",
    "AWS::SecretsManager::Secret": "AWS Secrets Manager（LINEの認証情報）",
    "AWS::Logs::LogGroup": "Amazon CloudWatch Logs（処理のログ）",
    "AWS::Lambda::Function": "AWS Lambda（処理の実行）",
    "AWS::ApiGatewayV2::Api": "Amazon API Gateway（Webhookの受け口）",
    "AWS::Scheduler::Schedule": "Amazon EventBridge Scheduler（定時実行）",
    "AWS::CloudWatch::Alarm": "Amazon CloudWatch（警報）",
    "AWS::Cognito::UserPool": "Amazon Cognito（職員の認証）",
}


@dataclass(frozen=True)
class FunctionLine:
    function: str
    description: str
    triggers: tuple[str, ...]
    reads: tuple[str, ...]  # stores holding personal data
    writes: tuple[str, ...]
    pii_key: str  # "暗号化" / "復号" / ""
    talks_to_line: bool


@dataclass(frozen=True)
class Connection:
    name: str
    direction: str
    carries: str
    how: str


@dataclass(frozen=True)
class RoleAccess:
    who: str
    reads: str
    cannot: str


def _triggers(cfn: dict[str, Any], function_id: str) -> list[str]:
    triggers = []
    for mapping in resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        if function_id in referenced_ids(props.get("FunctionName")):
            triggers += [f"キュー {q}" for q in sorted(referenced_ids(props.get("EventSourceArn")))]
    for permission in resources_of_type(cfn, "AWS::Lambda::Permission").values():
        props = permission["Properties"]
        if function_id in referenced_ids(props.get("FunctionName")) and "apigateway" in str(
            props.get("Principal")
        ):
            triggers.append("HTTP API（LINEのWebhook）")
    for schedule in resources_of_type(cfn, "AWS::Scheduler::Schedule").values():
        props = schedule["Properties"]
        if function_id in referenced_ids(props.get("Target", {}).get("Arn")):
            expression = parameter_default(cfn, props.get("ScheduleExpression"))
            triggers.append(f"定時実行 {expression}（{props.get('ScheduleExpressionTimezone', 'UTC')}）")
    by_role = role_function(cfn)
    for role in grants_on(cfn, function_id, ("lambda:InvokeFunction",)):
        if role not in by_role:
            triggers.append(f"予約実行（{role}）")
    if not any(t.startswith(("キュー", "HTTP")) for t in triggers):
        triggers.append("職員のCLIから直接実行（IAM認証）")
    return triggers


def function_lines(cfn: dict[str, Any], catalogue: tuple[PersonalDataField, ...]) -> list[FunctionLine]:
    stores = sorted({f.store for f in catalogue if f.store in cfn["Resources"]})
    roles = function_roles(cfn)
    encrypt = pii_key_users(cfn, "PiiKey", PII_SEAL_ACTION)
    decrypt = pii_key_users(cfn, "PiiKey", "kms:Decrypt")
    lines = []
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        role = roles[function_id]
        props = function["Properties"]

        def can(store: str, table: dict[str, tuple[str, ...]], role: str = role) -> bool:
            actions = table.get(cfn["Resources"][store]["Type"], ())
            return role in grants_on(cfn, store, actions)

        key_use = [label for label, users in (("暗号化", encrypt), ("復号", decrypt)) if role in users]
        lines.append(
            FunctionLine(
                function=function_id,
                description=str(props.get("Description", "（説明なし）")),
                triggers=tuple(_triggers(cfn, function_id)),
                reads=tuple(s for s in stores if can(s, READ_ACTIONS)),
                writes=tuple(s for s in stores if can(s, WRITE_ACTIONS)),
                pii_key="・".join(key_use),
                talks_to_line="LINE_API_HOST" in props.get("Environment", {}).get("Variables", {}),
            )
        )
    return lines


def _labels(catalogue: tuple[PersonalDataField, ...], *sources: str) -> str:
    return "、".join(f.label for f in catalogue if f.source.startswith(sources))


def connections(
    cfn: dict[str, Any], catalogue: tuple[PersonalDataField, ...], functions: list[FunctionLine]
) -> list[Connection]:
    found = []
    for api_id, api in resources_of_type(cfn, "AWS::ApiGatewayV2::Api").items():
        paths = api["Properties"].get("Body", {}).get("paths", {})
        routes = [f"{method.upper()} {path}" for path, methods in paths.items() for method in methods]
        found.append(
            Connection(
                "LINEプラットフォーム（Webhook）",
                "受信",
                _labels(catalogue, "LINE", "住民の入力", "住民の回答"),
                f"{api_id} {', '.join(routes)}：HTTPS、LINEの署名（X-Line-Signature）を関数で検証",
            )
        )
    line_host = cfn.get("Parameters", {}).get("LineApiHost", {}).get("Default", "")
    senders = [f.function for f in functions if f.talks_to_line]
    if senders:
        found.append(
            Connection(
                "LINE Messaging API（返信・プッシュ・一斉配信）",
                "送信",
                "LINE ID（宛先）と区からのメッセージ本文",
                f"{line_host}：HTTPS、チャネルアクセストークン（Secrets Manager）。"
                f"送信元：{', '.join(senders)}",
            )
        )
    direct = [f.function for f in functions if any("職員" in t for t in f.triggers)]
    pools = resources_of_type(cfn, "AWS::Cognito::UserPool")
    found.append(
        Connection(
            "職員のCLI（配信・エクスポート）" + ("・職員用画面" if pools else ""),
            "双方向",
            "配信の依頼・件数、エクスポートのリンク（氏名・住所等は含まない）",
            f"AWSのIAM認証で関数を直接実行：{', '.join(direct)}"
            + (f"。ユーザープール {', '.join(pools)}" if pools else "。職員用画面（ユーザープール）は未導入"),
        )
    )
    export = cfn["Resources"].get("ExportFunction", {}).get("Properties", {})
    expiry = export.get("Environment", {}).get("Variables", {}).get("EXPORT_LINK_EXPIRY_SECONDS")
    parameter = cfn.get("Parameters", {}).get(expiry.get("Ref", "") if isinstance(expiry, dict) else "", {})
    if export:
        audited = "ExportFunctionRole" in grants_on(cfn, "AuditTable", ("dynamodb:PutItem",))
        found.append(
            Connection(
                "エクスポートのダウンロードリンク",
                "送信",
                "申請者の氏名・フリガナ・郵便番号・住所・電話番号（CSV）",
                f"署名付きURL（SigV4）、有効期限 {parameter.get('Default', '?')} 秒"
                f"（上限 {parameter.get('MaxValue', '?')} 秒）"
                + ("、発行ごとに監査テーブルへ記録" if audited else "、監査記録なし"),
            )
        )
    subscriptions = resources_of_type(cfn, "AWS::SNS::Subscription")
    for topic_id in resources_of_type(cfn, "AWS::SNS::Topic"):
        found.append(
            Connection(
                f"職員への通知（{topic_id}）",
                "送信",
                "エクスポート完了・処理の失敗の知らせ（件数・ID、個人情報を含まない）",
                "メール購読（StaffNoticeEmail を設定した場合）" if subscriptions else "購読先は運用で設定",
            )
        )
    types = sorted({r["Type"] for r in cfn["Resources"].values()} & AWS_SERVICES.keys())
    found.append(
        Connection(
            "AWSのサービス（同一アカウント・国内リージョン）",
            "内部",
            "上記のすべて（保存時はKMSで暗号化）",
            "、".join(AWS_SERVICES[t] for t in types),
        )
    )
    return found


def operator_access(cfn: dict[str, Any], functions: list[FunctionLine]) -> list[RoleAccess]:
    """What each role, and the account's administrators, can read."""
    rows = []
    data_key_admin = key_policy_grants(cfn, "DataKey", "kms:Decrypt").account
    pii_admin = key_policy_grants(cfn, "PiiKey", "kms:Decrypt").account
    rows.append(
        RoleAccess(
            "AWSアカウントの管理者（運用者）",
            "テーブル・キュー・ファイルの内容（DataKeyの利用をIAMで許可された場合）"
            if data_key_admin
            else "DataKeyで暗号化された記録は読めない",
            "申請者の氏名・住所等（PiiKeyで封印）は復号できない（キーポリシーが許可しない）"
            if not pii_admin
            else "PiiKeyの復号もIAMで許可しうる",
        )
    )
    for line in functions:
        readable = "、".join(line.reads) or "個人情報を持つ記録は読まない"
        rows.append(
            RoleAccess(
                f"{line.function} のロール",
                readable + (f"（PiiKeyで{line.pii_key}）" if line.pii_key else ""),
                "" if "復号" in line.pii_key else "申請者の氏名・住所等の平文",
            )
        )
    return rows
