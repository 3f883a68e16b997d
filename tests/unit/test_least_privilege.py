"""Each role grants exactly what its function's code (or the platform acting for it) calls, and no more.

How the calls are known, decided: a list per role, written by reading the code, each grant naming the
call that needs it (`module:method` for our adapters, `library:` / `platform:` for what Powertools, the
Encryption SDK or Lambda itself call with the function's role). An AST scan of the whole import graph
was tried and rejected: it works per module, not per code path, so it over-grants (functions/broadcast
holds the planner and the sender, and intake imports the Applications adapter that the conversation
worker queries) and cannot tell which table a call reaches. What the scan does well is notice a new call:
every boto3 call in civicline/adapters must be claimed by a grant below (or listed as granted to no
one), so adding one fails here until its grant is reviewed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore
import botocore.session
import pytest
from tests.support.repo import REPO_ROOT, TEMPLATE_PATH

from devstack.sam_template import resources_of_type, translate

LAYER = REPO_ROOT / "layers" / "civicline"
SERVICES = ("dynamodb", "sqs", "s3", "sns", "scheduler", "secretsmanager", "kms", "lambda")
# The Encryption SDK's entry points, as our adapters call them (they reach KMS with the role).
SDK_CALLS = {"encrypt", "decrypt"}


@dataclass(frozen=True)
class Grant:
    action: str
    resource: str  # logical id, with the suffix the policy names (/index/<name>, /*, /backup/*)
    by: str  # who calls: "<module>:<method>" of our code, or "library:..." / "platform:..."


def _ddb(module: str, method: str) -> str:
    return f"civicline.adapters.dynamodb.{module}:{method}"


BROADCASTS_TRANSACTION = _ddb("broadcasts_table", "transact_write_items")


def lambda_runtime(log_group: str) -> tuple[Grant, ...]:
    return (
        Grant("logs:CreateLogStream", log_group, "platform:lambda logs"),
        Grant("logs:PutLogEvents", log_group, "platform:lambda logs"),
        Grant("xray:PutTraceSegments", "*", "platform:active tracing"),
        Grant("xray:PutTelemetryRecords", "*", "platform:active tracing"),
        # Decrypting the environment, and the services below encrypting with the data key.
        Grant("kms:Decrypt", "DataKey", "platform:kms via services"),
        Grant("kms:GenerateDataKey", "DataKey", "platform:kms via services"),
    )


def sqs_event_source(queue: str) -> tuple[Grant, ...]:
    return tuple(
        Grant(f"sqs:{action}", queue, "platform:event source mapping")
        for action in ("ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes")
    )


def idempotency() -> tuple[Grant, ...]:
    return tuple(
        Grant(f"dynamodb:{action}", "IdempotencyTable", "library:powertools idempotency")
        for action in ("GetItem", "PutItem", "UpdateItem", "DeleteItem")
    )


LINE_SECRET = Grant("secretsmanager:GetSecretValue", "LineChannelSecret", "library:powertools parameters")

ROLE_GRANTS: dict[str, tuple[Grant, ...]] = {
    "WebhookFunctionRole": (
        *lambda_runtime("WebhookLogGroup"),
        LINE_SECRET,
        Grant("sqs:SendMessage", "EventsQueue", "civicline.adapters.sqs.events_queue:send_message_batch"),
    ),
    "ConversationFunctionRole": (
        *lambda_runtime("ConversationLogGroup"),
        *sqs_event_source("EventsQueue"),
        *idempotency(),
        LINE_SECRET,
        Grant("dynamodb:GetItem", "UsersTable", _ddb("residents", "get_item")),
        Grant("dynamodb:UpdateItem", "UsersTable", _ddb("residents", "update_item")),
        Grant("dynamodb:DeleteItem", "UsersTable", _ddb("data_rights", "delete_item")),
        Grant("dynamodb:GetItem", "ConversationsTable", _ddb("conversations", "get_item")),
        Grant("dynamodb:PutItem", "ConversationsTable", _ddb("conversations", "put_item")),
        Grant("dynamodb:DeleteItem", "ConversationsTable", _ddb("conversations", "delete_item")),
        Grant("dynamodb:Query", "ApplicationsTable/index/byUser", _ddb("applications", "query")),
        Grant("dynamodb:Query", "ApplicationsTable/index/byUser", _ddb("data_rights", "query")),
        Grant("dynamodb:UpdateItem", "ApplicationsTable", _ddb("data_rights", "update_item")),
        Grant("dynamodb:DeleteItem", "ApplicationsTable", _ddb("data_rights", "delete_item")),
        Grant("dynamodb:PutItem", "AuditTable", _ddb("data_rights_audit", "put_item")),
        Grant(
            "sqs:SendMessage", "ApplicationsQueue", "civicline.adapters.sqs.applications_queue:send_message"
        ),
    ),
    "IntakeFunctionRole": (
        *lambda_runtime("IntakeLogGroup"),
        *sqs_event_source("ApplicationsQueue"),
        *idempotency(),
        LINE_SECRET,
        Grant("dynamodb:GetItem", "ApplicationsTable", _ddb("applications", "get_item")),
        Grant("dynamodb:PutItem", "ApplicationsTable", _ddb("applications", "transact_write_items")),
        Grant("dynamodb:PutItem", "ApplicationsTable", _ddb("applications", "put_item")),
        Grant("dynamodb:UpdateItem", "ApplicationsTable", _ddb("applications", "update_item")),
        Grant("kms:GenerateDataKey", "PiiKey", "civicline.adapters.pii:encrypt"),
    ),
    "BroadcastPlannerFunctionRole": (
        *lambda_runtime("BroadcastPlannerLogGroup"),
        Grant("dynamodb:Scan", "UsersTable", _ddb("audience", "scan")),
        # Users' item count sizes the fan-out (how many planning workers).
        Grant("dynamodb:DescribeTable", "UsersTable", _ddb("audience", "describe_table")),
        Grant("dynamodb:GetItem", "BroadcastsTable", _ddb("broadcasts_table", "get_item")),
        # Every stream's checkpoint at once (plan state, the report while planning goes on).
        Grant("dynamodb:BatchGetItem", "BroadcastsTable", _ddb("broadcast_checkpoints", "batch_get_item")),
        # The record and the request, created together; checkpoints are written under their lease on
        # the same item (no transaction), so no ConditionCheckItem.
        Grant("dynamodb:PutItem", "BroadcastsTable", BROADCASTS_TRANSACTION),
        Grant("dynamodb:UpdateItem", "BroadcastsTable", _ddb("broadcasts_table", "update_item")),
        Grant(
            "lambda:InvokeFunction",
            "BroadcastPlanWorkerFunction",
            "civicline.adapters.planning_workers:invoke",
        ),
        Grant(
            "sqs:SendMessage",
            "BroadcastBatchesQueue",
            "civicline.adapters.sqs.broadcast_batches:send_message",
        ),
        Grant(
            "scheduler:CreateSchedule",
            "BroadcastScheduleGroup/*",
            "civicline.adapters.broadcast_schedules:create_schedule",
        ),
        # Staff cancel a scheduled broadcast (the console, `staff.broadcast_cli cancel`).
        Grant(
            "scheduler:DeleteSchedule",
            "BroadcastScheduleGroup/*",
            "civicline.adapters.broadcast_schedules:delete_schedule",
        ),
        Grant(
            "iam:PassRole", "BroadcastSchedulerRole", "civicline.adapters.broadcast_schedules:create_schedule"
        ),
        Grant("sns:Publish", "StaffNoticesTopic", "platform:lambda asynchronous dead-letter target"),
    ),
    # One scan segment (then the tail, if it is the last done): leases, checkpoints and the closing
    # counts are UpdateItem; it creates nothing (no PutItem), starts no one, describes nothing.
    "BroadcastPlanWorkerFunctionRole": (
        *lambda_runtime("BroadcastPlanWorkerLogGroup"),
        Grant("dynamodb:Scan", "UsersTable", _ddb("audience", "scan")),
        Grant("dynamodb:GetItem", "BroadcastsTable", _ddb("broadcasts_table", "get_item")),
        Grant("dynamodb:BatchGetItem", "BroadcastsTable", _ddb("broadcast_checkpoints", "batch_get_item")),
        Grant("dynamodb:UpdateItem", "BroadcastsTable", _ddb("broadcasts_table", "update_item")),
        Grant(
            "sqs:SendMessage",
            "BroadcastBatchesQueue",
            "civicline.adapters.sqs.broadcast_batches:send_message",
        ),
        Grant("sns:Publish", "StaffNoticesTopic", "platform:lambda asynchronous dead-letter target"),
    ),
    "BroadcastSenderFunctionRole": (
        *lambda_runtime("BroadcastSenderLogGroup"),
        *sqs_event_source("BroadcastBatchesQueue"),
        LINE_SECRET,
        Grant("dynamodb:GetItem", "BroadcastsTable", _ddb("broadcasts_table", "get_item")),
        Grant("dynamodb:UpdateItem", "BroadcastsTable", _ddb("broadcasts_table", "update_item")),
        Grant("dynamodb:UpdateItem", "BroadcastsTable", BROADCASTS_TRANSACTION),
        Grant("dynamodb:UpdateItem", "BroadcastsTable", _ddb("send_slots", "update_item")),
    ),
    "ExportFunctionRole": (
        *lambda_runtime("ExportLogGroup"),
        Grant("dynamodb:Query", "ApplicationsTable/index/byFormReceived", _ddb("export_source", "query")),
        Grant("dynamodb:UpdateItem", "ApplicationsTable", _ddb("export_source", "transact_write_items")),
        Grant("dynamodb:DeleteItem", "ApplicationsTable", _ddb("export_source", "transact_write_items")),
        Grant("dynamodb:GetItem", "AuditTable", _ddb("export_audit", "get_item")),
        Grant("dynamodb:Query", "AuditTable", _ddb("export_audit", "query")),
        Grant("dynamodb:PutItem", "AuditTable", _ddb("export_audit", "put_item")),
        Grant("dynamodb:PutItem", "AuditTable", _ddb("export_audit", "transact_write_items")),
        *(
            Grant("s3:PutObject", "ExportBucket/*", f"civicline.adapters.s3_export:{method}")
            for method in (
                "put_object",
                "create_multipart_upload",
                "upload_part",
                "complete_multipart_upload",
            )
        ),
        Grant(
            "s3:AbortMultipartUpload", "ExportBucket/*", "civicline.adapters.s3_export:abort_multipart_upload"
        ),
        Grant("s3:GetObject", "ExportBucket/*", "civicline.adapters.s3_export:generate_presigned_url"),
        Grant("s3:GetObject", "ExportBucket/*", "civicline.adapters.s3_export:head_object"),
        Grant("sns:Publish", "StaffNoticesTopic", "civicline.adapters.staff_notice:publish"),
        Grant("kms:Decrypt", "PiiKey", "civicline.adapters.pii:decrypt"),
        # The staff console's export grant, read and removed at once (grant#* keys only).
        Grant("dynamodb:DeleteItem", "StaffConsoleTable", _ddb("export_grants", "delete_item")),
    ),
    # Counts for the staff console: it reads settings, statuses and choices, writes the snapshot only.
    "DashboardRefreshFunctionRole": (
        *lambda_runtime("DashboardRefreshLogGroup"),
        Grant("dynamodb:Scan", "UsersTable", _ddb("resident_census", "scan")),
        Grant(
            "dynamodb:Query", "ApplicationsTable/index/byFormReceived", _ddb("application_counts", "query")
        ),
        # Survey choices, read as the survey export reads them (export_source.survey_responses).
        Grant("dynamodb:Query", "ApplicationsTable/index/byFormReceived", _ddb("export_source", "query")),
        Grant("dynamodb:Scan", "BroadcastsTable", _ddb("broadcast_digest", "scan")),
        Grant("dynamodb:PutItem", "StaffConsoleTable", _ddb("console_snapshots", "put_item")),
    ),
    # The staff console: it asks the planner (never plans, scans residents or sends itself), reads the
    # broadcasts' reports, records and lists staff actions, lists export and data-rights audit records
    # (LeadingKeys), and issues a LINE token for the rich-menu switch. Sign-in calls are Cognito's public
    # operations (no grant).
    "StaffApiFunctionRole": (
        *lambda_runtime("StaffApiLogGroup"),
        LINE_SECRET,
        Grant(
            "lambda:InvokeFunction", "BroadcastPlannerFunction", "civicline.adapters.planner_function:invoke"
        ),
        Grant("dynamodb:GetItem", "BroadcastsTable", _ddb("broadcasts_table", "get_item")),
        Grant("dynamodb:BatchGetItem", "BroadcastsTable", _ddb("broadcast_checkpoints", "batch_get_item")),
        Grant("dynamodb:Query", "BroadcastsTable/index/byCreated", _ddb("broadcasts_table", "query")),
        Grant("dynamodb:PutItem", "StaffActionsTable", _ddb("staff_actions", "put_item")),
        Grant("dynamodb:Query", "StaffActionsTable", _ddb("staff_actions", "query")),
        Grant("dynamodb:Query", "AuditTable", _ddb("data_rights_audit", "query")),
        # Counts from the snapshot (snapshot#* only): no resident table is granted to the console.
        Grant("dynamodb:GetItem", "StaffConsoleTable", _ddb("console_snapshots", "get_item")),
        # Export grants (grant#* only), then ExportFunction with the grant's id; the counts' refresh.
        Grant("dynamodb:PutItem", "StaffConsoleTable", _ddb("export_grants", "put_item")),
        Grant("lambda:InvokeFunction", "ExportFunction", "civicline.adapters.staff_lambdas:invoke"),
        Grant("lambda:InvokeFunction", "DashboardRefreshFunction", "civicline.adapters.staff_lambdas:invoke"),
        # The residents of other languages are relinked after a switch by RichMenuRelinkFunction, started
        # asynchronously: the console itself never scans Users.
        Grant("lambda:InvokeFunction", "RichMenuRelinkFunction", "civicline.adapters.relink_function:invoke"),
    ),
    # After a rich-menu switch (the console's, or `make richmenu MODE=… USERS_TABLE=…` with the operator's
    # own credentials): the only role that scans Users for languages; it links on LINE and audits.
    "RichMenuRelinkFunctionRole": (
        *lambda_runtime("RichMenuRelinkLogGroup"),
        LINE_SECRET,
        Grant("dynamodb:Scan", "UsersTable", _ddb("resident_languages", "scan")),
        Grant("dynamodb:PutItem", "StaffActionsTable", _ddb("staff_actions", "put_item")),
        Grant("sns:Publish", "StaffNoticesTopic", "platform:lambda asynchronous dead-letter target"),
    ),
    "BroadcastSchedulerRole": (
        Grant("lambda:InvokeFunction", "BroadcastPlannerFunction", "platform:eventbridge scheduler"),
    ),
    "ExportSchedulerRole": (
        Grant("lambda:InvokeFunction", "ExportFunction", "platform:eventbridge scheduler"),
    ),
    "DashboardRefreshSchedulerRole": (
        Grant("lambda:InvokeFunction", "DashboardRefreshFunction", "platform:eventbridge scheduler"),
    ),
    "BackupRole": (
        *(
            Grant(f"dynamodb:{action}", table, "platform:aws backup")
            for action in ("DescribeTable", "CreateBackup", "StartAwsBackupJob", "ListTagsOfResource")
            for table in ("UsersTable", "ApplicationsTable")
        ),
        *(
            Grant(f"dynamodb:{action}", f"{table}/backup/*", "platform:aws backup")
            for action in ("DescribeBackup", "DeleteBackup")
            for table in ("UsersTable", "ApplicationsTable")
        ),
        Grant("backup:DescribeBackupVault", "BackupVault", "platform:aws backup"),
        Grant("backup:CopyIntoBackupVault", "BackupVault", "platform:aws backup"),
        *(
            Grant(f"kms:{action}", "DataKey", "platform:aws backup")
            for action in ("Decrypt", "GenerateDataKey", "DescribeKey", "CreateGrant")
        ),
    ),
}
# boto3 calls in the adapters that no function role makes: a person's own IAM identity makes them.
GRANTED_TO_NO_ONE: dict[str, str] = {}


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(TEMPLATE_PATH)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resource_name(value: Any) -> str:
    """The logical id a policy resource names, with its suffix: `${ApplicationsTable.Arn}/index/byUser`."""
    if value == "*":
        return "*"
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    if isinstance(value, dict) and "Fn::Sub" in value:
        template = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        logical = [
            m.split(".")[0] for m in re.findall(r"\$\{([^}]+)\}", template) if not m.startswith("AWS::")
        ]
        return f"{logical[-1]}{template.rsplit('}', 1)[1]}"
    raise AssertionError(f"cannot name resource {value!r}")


def role_statements(cfn: dict[str, Any], role_id: str) -> Iterator[dict[str, Any]]:
    role = cfn["Resources"][role_id]["Properties"]
    for policy in role.get("Policies", []):
        yield from _as_list(policy["PolicyDocument"]["Statement"])
    for policy in resources_of_type(cfn, "AWS::IAM::RolePolicy").values():
        if policy["Properties"]["RoleName"] == {"Ref": role_id}:
            yield from _as_list(policy["Properties"]["PolicyDocument"]["Statement"])


def granted(cfn: dict[str, Any], role_id: str) -> set[tuple[str, str]]:
    return {
        (action, resource_name(resource))
        for statement in role_statements(cfn, role_id)
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
    }


def adapter_calls() -> set[str]:
    """`module:method` of every AWS SDK call in civicline/adapters (boto3, and the Encryption SDK's)."""
    session = botocore.session.get_session()
    operations = (
        {
            botocore.xform_name(name)
            for service in SERVICES
            for name in session.get_service_model(service).operation_names
        }
        | {"generate_presigned_url"}
        | SDK_CALLS
    )
    found: set[str] = set()
    for path in sorted((LAYER / "civicline" / "adapters").rglob("*.py")):
        module = ".".join(path.relative_to(LAYER).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in operations
            ):
                found.add(f"{module}:{node.func.attr}")
    return found


def test_every_role_is_reviewed(cfn: dict[str, Any]) -> None:
    # Given every role of the template
    roles = set(resources_of_type(cfn, "AWS::IAM::Role"))
    # Then each has its reviewed list of calls here (a new role gets one before it lands)
    assert not roles - set(ROLE_GRANTS), f"roles without a reviewed list: {sorted(roles - set(ROLE_GRANTS))}"
    assert not set(ROLE_GRANTS) - roles, f"reviewed lists of roles gone: {sorted(set(ROLE_GRANTS) - roles)}"


@pytest.mark.parametrize("role_id", sorted(ROLE_GRANTS))
def test_each_role_grants_exactly_what_its_code_calls(cfn: dict[str, Any], role_id: str) -> None:
    # Given the calls the role's function makes (read from the code, above)
    needed = {(grant.action, grant.resource) for grant in ROLE_GRANTS[role_id]}
    # When the role's policies are read from the translated template
    has = granted(cfn, role_id)
    # Then nothing is missing and nothing is granted that no code calls
    assert not needed - has, f"{role_id} lacks {sorted(needed - has)}"
    assert not has - needed, f"{role_id} grants what no code calls: {sorted(has - needed)}"


def test_every_aws_call_in_the_adapters_is_claimed_by_a_grant() -> None:
    # Given every AWS call our adapters make, found in their source
    calls = adapter_calls()
    # And the calls the grants above were reviewed for
    claimed = {grant.by for grants in ROLE_GRANTS.values() for grant in grants if ":" in grant.by}
    claimed = {by for by in claimed if not by.startswith(("platform:", "library:"))}
    # Then they are the same: a new call needs its grant reviewed, and no grant stands for a call that went
    assert calls - claimed - set(GRANTED_TO_NO_ONE) == set(), "calls no role was reviewed for"
    assert claimed - calls == set(), "grants claimed by calls that no longer exist"
