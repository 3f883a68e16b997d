"""Facts read from the translated template: who may do what to which resource, keys, retention.

Everything here takes the template as CloudFormation sees it (aws-sam-translator's output, as
devstack.sam_template gives it), so a resource or statement added later is covered without a change.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Resource = dict[str, Any]
Statement = dict[str, Any]

# Intake seals with the Encryption SDK, which asks KMS for a data key rather than calling kms:Encrypt.
PII_SEAL_ACTION = "kms:GenerateDataKey"
READ_ACTIONS = {
    "AWS::DynamoDB::Table": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"),
    "AWS::S3::Bucket": ("s3:GetObject",),
    "AWS::SQS::Queue": ("sqs:ReceiveMessage",),
}
WRITE_ACTIONS = {
    "AWS::DynamoDB::Table": (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    ),
    "AWS::S3::Bucket": ("s3:PutObject",),
    "AWS::SQS::Queue": ("sqs:SendMessage",),
    "AWS::SNS::Topic": ("sns:Publish",),
}
# Actions with no resource-level permissions that touch no residents' data (Tracing Active needs them).
NON_DATA_ACTIONS = {
    "xray:puttracesegments",
    "xray:puttelemetryrecords",
    "xray:getsamplingrules",
    "xray:getsamplingtargets",
    "cloudwatch:putmetricdata",
}
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resources_of_type(cfn: dict[str, Any], resource_type: str) -> dict[str, Resource]:
    return {k: r for k, r in cfn.get("Resources", {}).items() if r.get("Type") == resource_type}


def referenced_ids(value: Any) -> set[str]:
    """Logical ids a Ref, Fn::GetAtt or Fn::Sub names ("*" for a wildcard string)."""
    if not isinstance(value, dict | list):
        return {"*"} if value == "*" else set()
    if isinstance(value, list):
        return set().union(*(referenced_ids(v) for v in value))
    if "Ref" in value:
        return {str(value["Ref"])}
    if "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return {str(target[0] if isinstance(target, list) else target.split(".", 1)[0])}
    if "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        return {name for name in _SUB_NAME.findall(text) if not name.startswith("AWS")}
    return set().union(*(referenced_ids(v) for v in value.values()))


def allows(statement: Statement, action: str) -> bool:
    """Whether an Allow statement grants `action` (IAM wildcards honoured, case-insensitive)."""
    if statement.get("Effect") != "Allow":
        return False
    return any(fnmatch.fnmatch(action.lower(), str(a).lower()) for a in as_list(statement.get("Action", [])))


def role_statements(cfn: dict[str, Any]) -> Iterator[tuple[str, str, Statement]]:
    """Every identity-policy statement: (role logical id, policy name, statement)."""
    for role_id, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in as_list(policy["PolicyDocument"]["Statement"]):
                yield role_id, str(policy.get("PolicyName", "")), statement
    for policy_type in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy_id, policy in resources_of_type(cfn, policy_type).items():
            props = policy["Properties"]
            roles = as_list(props["RoleName"]) if "RoleName" in props else props.get("Roles", [])
            for role in roles:
                for role_id in referenced_ids(role):
                    for statement in as_list(props["PolicyDocument"]["Statement"]):
                        yield role_id, policy_id, statement


def grants_on(cfn: dict[str, Any], resource_id: str, actions: tuple[str, ...]) -> set[str]:
    """Roles whose identity policies allow any of `actions` on the resource (or on "*")."""
    return {
        role_id
        for role_id, _policy, statement in role_statements(cfn)
        if any(allows(statement, action) for action in actions)
        and ({resource_id, "*"} & referenced_ids(statement.get("Resource", [])))
    }


@dataclass(frozen=True)
class KeyGrants:
    """Who a key's policy lets use it for one action.

    `named`: roles the policy names as principals (no IAM grant needed). `through_iam`: roles the policy
    admits as the account restricted by `aws:PrincipalArn`, which also need an IAM grant. `account`: the
    account as principal without that restriction, so the account's IAM policies decide alone.
    """

    named: frozenset[str]
    through_iam: frozenset[str]
    account: bool


_PRINCIPAL_ARN_OPERATORS = ("ArnEquals", "ArnLike", "StringEquals", "StringLike")


def _principal_arns(statement: Statement) -> set[str]:
    condition = statement.get("Condition", {})
    arns = [condition.get(op, {}).get("aws:PrincipalArn", []) for op in _PRINCIPAL_ARN_OPERATORS]
    return set().union(*(referenced_ids(arn) for arn in arns))


def key_policy_grants(cfn: dict[str, Any], key_id: str, action: str) -> KeyGrants:
    """Who the key's policy allows `action`, and whether IAM must agree."""
    key = cfn["Resources"].get(key_id)
    named: set[str] = set()
    through_iam: set[str] = set()
    account = False
    for statement in as_list((key or {}).get("Properties", {}).get("KeyPolicy", {}).get("Statement", [])):
        if not allows(statement, action):
            continue
        principal = statement.get("Principal", {})
        if principal == "*":
            named.add("*")
            continue
        for aws in as_list(principal.get("AWS", [])):
            ids = referenced_ids(aws)
            text = str(aws.get("Fn::Sub", "")) if isinstance(aws, dict) else str(aws)
            if text.endswith(":root"):
                restricted = _principal_arns(statement)
                through_iam |= restricted
                account |= not restricted
            else:
                named |= ids or {text}
        named |= {f"service:{s}" for s in as_list(principal.get("Service", [])) if isinstance(s, str)}
    return KeyGrants(frozenset(named), frozenset(through_iam), account)


def pii_key_users(cfn: dict[str, Any], key_id: str, action: str) -> set[str]:
    """Roles that can use the key for `action`: named by its policy, or admitted by it and granted by IAM."""
    grants = key_policy_grants(cfn, key_id, action)
    by_iam = grants_on(cfn, key_id, (action,))
    return set(grants.named) | (by_iam if grants.account else by_iam & grants.through_iam)


def function_roles(cfn: dict[str, Any]) -> dict[str, str]:
    """Lambda function logical id -> its role's logical id."""
    roles = {}
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        ids = referenced_ids(function["Properties"].get("Role"))
        roles[function_id] = next(iter(ids)) if ids else "?"
    return roles


def role_function(cfn: dict[str, Any]) -> dict[str, str]:
    """Role logical id -> the function that runs with it (or the role itself)."""
    return {role: function for function, role in function_roles(cfn).items()}


def parameter_default(cfn: dict[str, Any], value: Any) -> Any:
    """A literal, or the default of the parameter a Ref names."""
    if isinstance(value, dict) and "Ref" in value:
        return cfn.get("Parameters", {}).get(value["Ref"], {}).get("Default")
    return value


def condition_holds_by_default(cfn: dict[str, Any], name: str) -> bool | None:
    """Whether a template Condition is true with every parameter at its default (None: not decidable)."""

    def value(expression: Any) -> Any:
        if not isinstance(expression, dict):
            return expression
        ((function, args),) = expression.items()
        if function == "Ref":
            return cfn.get("Parameters", {}).get(args, {}).get("Default", None)
        if function == "Condition":
            return condition_holds_by_default(cfn, args)
        values = [value(a) for a in args]
        if None in values:
            return None
        operations = {
            "Fn::Equals": lambda v: str(v[0]) == str(v[1]),
            "Fn::Not": lambda v: not v[0],
            "Fn::And": all,
            "Fn::Or": any,
        }
        return operations[function](values) if function in operations else None

    result = value(cfn.get("Conditions", {}).get(name))
    return result if isinstance(result, bool) else None


@dataclass(frozen=True)
class Retention:
    text: str  # Japanese, for the council
    bounded: bool


def table_retention(cfn: dict[str, Any], table_id: str) -> Retention:
    table = cfn["Resources"].get(table_id, {}).get("Properties", {})
    ttl = table.get("TimeToLiveSpecification") or {}
    if ttl.get("Enabled") in (True, "true"):
        return Retention(f"TTL（属性 {ttl.get('AttributeName')}）", True)
    return Retention("TTLなし（無期限）", False)


def point_in_time_recovery(cfn: dict[str, Any], table_id: str) -> bool:
    spec = cfn["Resources"].get(table_id, {}).get("Properties", {}).get("PointInTimeRecoverySpecification")
    return bool(spec and spec.get("PointInTimeRecoveryEnabled") in (True, "true"))


def at_rest_key(cfn: dict[str, Any], resource_id: str) -> str | None:
    """The KMS key (logical id) a store is encrypted with, or None when it has no customer key."""
    resource = cfn["Resources"].get(resource_id)
    if resource is None:
        return None
    props = resource.get("Properties", {})
    kind = resource["Type"]
    if kind == "AWS::DynamoDB::Table":
        sse = props.get("SSESpecification") or {}
        value = sse.get("KMSMasterKeyId") if sse.get("SSEEnabled") in (True, "true") else None
    elif kind in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
        value = props.get("KmsMasterKeyId")
    elif kind == "AWS::S3::Bucket":
        rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        value = next(
            (
                r["ServerSideEncryptionByDefault"].get("KMSMasterKeyID")
                for r in rules
                if r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") == "aws:kms"
            ),
            None,
        )
    elif kind in ("AWS::Logs::LogGroup", "AWS::SecretsManager::Secret"):
        value = props.get("KmsKeyId")
    else:
        value = None
    ids = referenced_ids(value) if value is not None else set()
    keys = {i for i in ids if cfn["Resources"].get(i, {}).get("Type") == "AWS::KMS::Key"}
    return next(iter(keys)) if keys else None


def key_rotates(cfn: dict[str, Any], key_id: str) -> bool:
    return cfn["Resources"].get(key_id, {}).get("Properties", {}).get("EnableKeyRotation") in (True, "true")
