"""情報保護対策, who can reach the data: region, encryption, keys, transport, privileges, MFA."""

from __future__ import annotations

from typing import Any

from devstack.template_rules import accepts
from tools.privacy_report.check import Check, cited
from tools.privacy_report.template_facts import (
    NON_DATA_ACTIONS,
    PII_SEAL_ACTION,
    as_list,
    at_rest_key,
    function_roles,
    key_rotates,
    pii_key_users,
    referenced_ids,
    resources_of_type,
    role_function,
    role_statements,
)
from tools.privacy_report.test_results import TestResults

JAPAN = {"ap-northeast-1", "ap-northeast-3"}
PROBE_REGIONS = ("ap-northeast-1", "ap-northeast-3", "ap-northeast-2", "us-east-1", "eu-west-1")
ENCRYPTED_TYPES = {
    "AWS::DynamoDB::Table": "テーブル",
    "AWS::SQS::Queue": "キュー",
    "AWS::S3::Bucket": "バケット",
    "AWS::SNS::Topic": "通知トピック",
    "AWS::Logs::LogGroup": "ロググループ",
    "AWS::SecretsManager::Secret": "シークレット",
}


def accepted_regions(cfn: dict[str, Any]) -> set[str]:
    """Probe regions the template's Rules let a stack deploy to (with its default parameters)."""
    return {region for region in PROBE_REGIONS if accepts(cfn, region)}


def region_check(cfn: dict[str, Any], results: TestResults) -> Check:
    accepted = accepted_regions(cfn)
    rules = ", ".join(cfn.get("Rules", {})) or "なし"
    return Check(
        "保存場所を国内（東京・大阪リージョン）に限定",
        bool(accepted) and accepted <= JAPAN,
        (f"テンプレートの規則 {rules}：配備できるリージョン {', '.join(sorted(accepted)) or 'なし'}",),
        cited(results, ["test_the_stack_deploys_only_to_tokyo_or_osaka", "test_samconfig_deploys_to_tokyo"]),
    )


def encryption_check(cfn: dict[str, Any], results: TestResults) -> Check:
    evidence, found = [], True
    for kind, label in ENCRYPTED_TYPES.items():
        resources = resources_of_type(cfn, kind)
        plain = sorted(r for r in resources if at_rest_key(cfn, r) is None)
        found &= not plain
        evidence.append(
            f"{label} {len(resources) - len(plain)}/{len(resources)} がカスタマー管理キーで暗号化"
            + (f"（未暗号化：{', '.join(plain)}）" if plain else "")
        )
    keys = resources_of_type(cfn, "AWS::KMS::Key")
    still = sorted(k for k in keys if not key_rotates(cfn, k))
    found &= not still
    evidence.append(
        f"KMSキー {len(keys)} 個、自動ローテーション" + (f"なし：{', '.join(still)}" if still else "あり")
    )
    return Check(
        "保存時の暗号化（カスタマー管理のKMSキー）",
        found,
        tuple(evidence),
        cited(
            results,
            [
                "test_every_table_is_encrypted_with_the_data_key_and_recoverable",
                "test_every_queue_is_encrypted_with_the_data_key",
                "test_every_topic_is_encrypted_with_the_data_key",
                "test_every_secret_is_encrypted_with_the_data_key",
                "test_every_log_group_is_encrypted_and_expires",
                "test_every_bucket_is_encrypted_with_the_data_key",
                "test_both_keys_are_customer_managed_and_rotate",
            ],
        ),
    )


def field_key_check(
    cfn: dict[str, Any],
    decrypt_functions: tuple[str, ...],
    encrypt_functions: tuple[str, ...],
    results: TestResults,
) -> Check:
    by_role = role_function(cfn)
    roles = function_roles(cfn)
    evidence, found = [], "PiiKey" in cfn["Resources"]
    for action, intended in (("kms:Decrypt", decrypt_functions), (PII_SEAL_ACTION, encrypt_functions)):
        users = {by_role.get(r, r) for r in pii_key_users(cfn, "PiiKey", action)}
        expected = {f for f in intended if f in roles}
        found &= users == expected
        extra = sorted(users - expected)
        evidence.append(
            f"PiiKey の {action}：{', '.join(sorted(users)) or 'なし'}"
            + (f"（想定外：{', '.join(extra)}）" if extra else "")
        )
    return Check(
        "申請者の個人情報の項目暗号化（復号はエクスポート処理のみ）",
        found,
        tuple(evidence),
        cited(
            results,
            [
                "test_only_the_export_role_can_decrypt_applicant_data",
                "test_only_the_intake_role_can_encrypt_applicant_data",
                "tests/integration/intake/test_intake_handler.py::"
                "test_the_pii_decrypts_to_the_answers_only_with_the_pii_key",
            ],
        ),
    )


def least_privilege_check(cfn: dict[str, Any], results: TestResults) -> Check:
    problems = []
    roles = list(function_roles(cfn).values())
    if len(roles) != len(set(roles)):
        problems.append("複数の関数が同じロールを共有")
    for role_id, policy, statement in role_statements(cfn):
        actions = [str(a) for a in as_list(statement.get("Action", []))]
        if any("*" in a for a in actions):
            problems.append(f"{role_id}（{policy}）がワイルドカードの操作 {', '.join(actions)} を許可")
        if statement.get("Effect") == "Allow" and "*" in referenced_ids(statement.get("Resource", [])):
            data = sorted({a.lower() for a in actions} - NON_DATA_ACTIONS)
            if data:
                problems.append(f"{role_id}（{policy}）が全リソースに {', '.join(data)} を許可")
    for role_id, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        if role["Properties"].get("ManagedPolicyArns"):
            problems.append(f"{role_id} にAWS管理ポリシー")
    evidence = problems or [
        f"関数ごとに専用ロール {len(roles)} 個、ワイルドカード・全リソースへのデータ操作なし"
    ]
    return Check(
        "最小権限（関数ごとのIAMロール）",
        not problems,
        tuple(evidence),
        cited(
            results,
            [
                "test_every_function_has_a_role_of_its_own",
                "test_no_role_grants_data_actions_on_every_resource",
                "test_no_role_grants_wildcard_actions_or_managed_policies",
                "test_data_key_use_by_functions_goes_through_aws_services",
            ],
        ),
    )


def _denies_plain_http(cfn: dict[str, Any], policy_type: str, target_key: str, target_id: str) -> bool:
    for policy in resources_of_type(cfn, policy_type).values():
        props = policy["Properties"]
        if target_id not in referenced_ids(props.get(target_key)):
            continue
        for statement in as_list(props["PolicyDocument"]["Statement"]):
            condition = statement.get("Condition", {}).get("Bool", {})
            if statement.get("Effect") == "Deny" and str(condition.get("aws:SecureTransport")) == "false":
                return True
    return False


def transport_check(cfn: dict[str, Any], results: TestResults) -> Check:
    targets = [
        (bucket, "AWS::S3::BucketPolicy", "Bucket") for bucket in resources_of_type(cfn, "AWS::S3::Bucket")
    ] + [(topic, "AWS::SNS::TopicPolicy", "Topics") for topic in resources_of_type(cfn, "AWS::SNS::Topic")]
    plain = sorted(t for t, policy_type, key in targets if not _denies_plain_http(cfn, policy_type, key, t))
    return Check(
        "通信の暗号化（TLSでない接続を拒否）",
        not plain,
        (
            f"バケット・通知トピック {len(targets) - len(plain)}/{len(targets)} がTLSでない接続を拒否"
            + (f"（拒否しない：{', '.join(plain)}）" if plain else ""),
            "LINEとの通信・AWSのAPIはHTTPS",
        ),
        cited(results, ["test_every_bucket_refuses_plain_http"]),
    )


def mfa_check(cfn: dict[str, Any], results: TestResults) -> Check:
    pools = resources_of_type(cfn, "AWS::Cognito::UserPool")
    if not pools:
        return Check(
            "職員の多要素認証（MFA）",
            False,
            ("職員用のユーザープール（Cognito）がテンプレートにない：職員はAWSのIAM認証情報でCLIを実行",),
            (),
        )
    weak = sorted(p for p, r in pools.items() if r["Properties"].get("MfaConfiguration") != "ON")
    return Check(
        "職員の多要素認証（MFA）",
        not weak,
        (f"ユーザープール {', '.join(pools)}：MFA " + (f"必須でない {', '.join(weak)}" if weak else "必須"),),
        (),
    )
