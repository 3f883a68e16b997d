"""The export bucket's policy, evaluated against the requests `adapters/s3_export.py` really makes.

moto applies no bucket policy, so an export that works locally can still be refused by S3: the policy
once denied every multipart upload (parts carry no encryption header, S3 authorises them as PutObject).
The requests are read from the adapter's source (each S3 call and the literal arguments that become
headers, named through botocore's own S3 model), so a new call or header is checked here too.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import botocore.session
import pytest
from tests.support.repo import TEMPLATE_PATH
from tests.unit.policy_evaluation import Decision, Request, Statement, decide

from civicline.adapters import s3_export
from devstack.resolve import ACCOUNT_ID, Resolver
from devstack.sam_template import resources_of_type, translate

ACCOUNT_ROOT = f"arn:aws:iam::{ACCOUNT_ID}:root"
OBJECT_KEY = "koho_delivery/2026/11/29/export.csv"
# How S3 authorises each operation (the IAM action it checks).
S3_ACTIONS = {
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "PutObject": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "HeadObject": "s3:GetObject",
    "GetObject": "s3:GetObject",
}
EXPORT_OPERATIONS = set(S3_ACTIONS)


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def resolver(cfn: dict[str, Any]) -> Resolver:
    return Resolver(cfn)


@pytest.fixture(scope="module")
def bucket_policy(cfn: dict[str, Any], resolver: Resolver) -> list[Statement]:
    (policy,) = [
        p
        for p in resources_of_type(cfn, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "ExportBucket"}
    ]
    statements: list[Statement] = resolver.resolve(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def role_arn(resolver: Resolver, role_id: str) -> str:
    return str(resolver.get_att(role_id, "Arn"))


def identity_statements(cfn: dict[str, Any], resolver: Resolver, role_id: str) -> list[Statement]:
    role = cfn["Resources"][role_id]["Properties"]
    statements = [s for policy in role.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]
    return list(resolver.resolve(statements))


def object_arn(resolver: Resolver) -> str:
    return f"{resolver.get_att('ExportBucket', 'Arn')}/{OBJECT_KEY}"


# ---------------------------------------------------------------- the adapter's requests


def _literal(node: ast.expr) -> Any:
    return node.value if isinstance(node, ast.Constant) else "<computed>"


def adapter_requests() -> list[tuple[str, dict[str, str]]]:
    """(S3 operation, request headers) for every S3 call in s3_export.py, from its source."""
    model = botocore.session.get_session().get_service_model("s3")
    operations = {model.operation_model(name).name: name for name in model.operation_names}
    by_method = {botocore.xform_name(name): name for name in operations}
    found: list[tuple[str, dict[str, str]]] = []
    for node in ast.walk(ast.parse(inspect.getsource(s3_export))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method == "generate_presigned_url":  # the link: a GetObject signed now, sent by staff later
            method = str(_literal(node.args[0]))
        if method not in by_method:
            continue
        operation = by_method[method]
        members = model.operation_model(operation).input_shape.members
        headers = {
            members[k.arg].serialization["name"].lower(): str(_literal(k.value))
            for k in node.keywords
            if k.arg in members and members[k.arg].serialization.get("location") == "header"
        }
        found.append((operation, headers))
    return found


def request_for(operation: str, headers: dict[str, str], principal: str, resource: str) -> Request:
    context: dict[str, str | list[str]] = {"aws:SecureTransport": "true"}
    context |= {f"s3:{name}": value for name, value in headers.items() if name.startswith("x-amz-")}
    return Request(principal=principal, action=S3_ACTIONS[operation], resource=resource, context=context)


def test_the_adapter_makes_exactly_the_requests_checked_here() -> None:
    # Given s3_export.py's source
    operations = {operation for operation, _ in adapter_requests()}
    # Then its S3 calls are the upload (single or multipart), the abort, the existence check and the link
    assert operations == EXPORT_OPERATIONS


def test_exports_of_any_size_are_accepted_by_the_bucket_policy(
    cfn: dict[str, Any], resolver: Resolver, bucket_policy: list[Statement]
) -> None:
    # Given the export role and its identity policy
    export_role = "ExportFunctionRole"
    principal = role_arn(resolver, export_role)
    identity = identity_statements(cfn, resolver, export_role)
    # When it makes each request of a small export (PutObject) and of a large one (multipart: parts
    # carry no encryption header), checks a file and presigns a link
    decisions: dict[str, Decision] = {
        operation: decide(
            request_for(operation, headers, principal, object_arn(resolver)),
            identity,
            bucket_policy,
            ACCOUNT_ROOT,
        )
        for operation, headers in adapter_requests()
    }
    # Then S3 allows every one of them
    refused = {op: d for op, d in decisions.items() if not d.allowed}
    assert not refused, f"the export bucket would refuse: {refused}"


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"x-amz-server-side-encryption": "AES256"}, True),
        (
            {
                "x-amz-server-side-encryption": "aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id": "other",
            },
            True,
        ),
        ({"x-amz-server-side-encryption": "aws:kms"}, False),
        ({}, False),  # the bucket's default encryption (SSE-KMS with the data key) applies
    ],
)
def test_files_are_stored_only_with_kms_and_the_data_key(
    resolver: Resolver, bucket_policy: list[Statement], headers: dict[str, str], refused: bool
) -> None:
    # Given a writer whose own policy allows everything
    anyone = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    principal = f"arn:aws:iam::{ACCOUNT_ID}:role/ward-admin"
    # When it stores a file with these encryption headers
    decision = decide(
        request_for("PutObject", headers, principal, object_arn(resolver)),
        anyone,
        bucket_policy,
        ACCOUNT_ROOT,
    )
    # Then only SSE-KMS with the data key (named or by default) is accepted
    assert decision.allowed is not refused
    if refused:
        assert decision.denied_by


def test_only_the_export_role_can_read_export_files(
    cfn: dict[str, Any], resolver: Resolver, bucket_policy: list[Statement]
) -> None:
    # Given an administrator whose IAM policy allows every S3 action, and the export role
    anyone = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    admin = f"arn:aws:iam::{ACCOUNT_ID}:role/ward-admin"
    export_role = role_arn(resolver, "ExportFunctionRole")
    export_identity = identity_statements(cfn, resolver, "ExportFunctionRole")
    read = request_for("GetObject", {}, admin, object_arn(resolver))
    # When each downloads an export file (a presigned link acts as the role that signed it)
    by_admin = decide(read, anyone, bucket_policy, ACCOUNT_ROOT)
    by_link = decide(
        Request(export_role, read.action, read.resource, read.context),
        export_identity,
        bucket_policy,
        ACCOUNT_ROOT,
    )
    # Then the administrator is refused and the export role's link works
    assert not by_admin.allowed
    assert by_admin.denied_by
    assert by_link.allowed
    # And nobody reads over plain HTTP
    plain = Request(export_role, read.action, read.resource, {"aws:SecureTransport": "false"})
    assert not decide(plain, export_identity, bucket_policy, ACCOUNT_ROOT).allowed
