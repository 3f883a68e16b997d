"""The security and privacy settings of template.yaml that moto ignores, asserted on the template itself.

Most tests read the template as CloudFormation sees it (translated by aws-sam-translator) and loop over
every resource of a type, so a resource added later is covered without touching this file.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.support.repo import TEMPLATE_PATH
from tests.unit.policy_evaluation import Request, decide

from civicline.adapters.pii import PURPOSE as PII_PURPOSE
from devstack.resolve import Resolver
from devstack.sam_template import load_sam_template, resources_of_type, translate
from devstack.template_rules import accepts
from tools.privacy_report.template_facts import NON_DATA_ACTIONS

Resource = dict[str, Any]
Statement = dict[str, Any]

ALLOWED_REGIONS = {"ap-northeast-1", "ap-northeast-3"}
DATA_KEY_REFERENCES = ({"Ref": "DataKey"}, {"Fn::GetAtt": ["DataKey", "Arn"]})
PII_KEY_REFERENCES = ({"Ref": "PiiKey"}, {"Fn::GetAtt": ["PiiKey", "Arn"]})
# Audit partitions each role writes (docs/contracts.md)
AUDIT_PREFIXES = {
    "ConversationFunctionRole": ["datarights#*"],
    "ExportFunctionRole": ["watermark#*", "export#*"],
}
# Tables that may go with the stack: everything else holds personal data or administrative records.
# StaffConsoleTable holds recomputable counts and grants that live minutes (the audit keeps the exports).
DISPOSABLE_TABLES = {"IdempotencyTable", "StaffConsoleTable"}
# docs/contracts.md
TABLE_KEYS = {
    "UsersTable": [("userId", "HASH")],
    "ConversationsTable": [("userId", "HASH")],
    "ApplicationsTable": [("applicationId", "HASH")],
    "BroadcastsTable": [("broadcastId", "HASH")],
    "IdempotencyTable": [("id", "HASH")],
    "AuditTable": [("pk", "HASH"), ("sk", "RANGE")],
    "StaffConsoleTable": [("pk", "HASH")],
    "StaffActionsTable": [("pk", "HASH"), ("sk", "RANGE")],
}
TABLE_TTL = {
    "UsersTable": "purgeAt",
    "ConversationsTable": "expiresAt",
    "ApplicationsTable": "purgeAt",
    "BroadcastsTable": "expiresAt",
    "IdempotencyTable": "expiration",
    "StaffConsoleTable": "expiresAt",
}
APPLICATIONS_INDEXES = {
    "byUser": [("userId", "HASH"), ("submittedAt", "RANGE")],
    "byFormReceived": [("formId", "HASH"), ("receivedAt", "RANGE")],
}
ENVIRONMENT_REFERENCES = {
    "USERS_TABLE": "UsersTable",
    "CONVERSATIONS_TABLE": "ConversationsTable",
    "APPLICATIONS_TABLE": "ApplicationsTable",
    "BROADCASTS_TABLE": "BroadcastsTable",
    "IDEMPOTENCY_TABLE": "IdempotencyTable",
    "AUDIT_TABLE": "AuditTable",
    "EVENTS_QUEUE_URL": "EventsQueue",
    "APPLICATIONS_QUEUE_URL": "ApplicationsQueue",
    "BROADCAST_BATCHES_QUEUE_URL": "BroadcastBatchesQueue",
    "EXPORT_BUCKET": "ExportBucket",
    "STAFF_TOPIC_ARN": "StaffNoticesTopic",
    "LINE_SECRET_ID": "LineChannelSecret",
    "STAFF_ACTIONS_TABLE": "StaffActionsTable",
    "BROADCAST_PLANNER_FUNCTION": "BroadcastPlannerFunction",
    "RICHMENU_RELINK_FUNCTION": "RichMenuRelinkFunction",
    "STAFF_USER_POOL_ID": "StaffUserPool",
    "STAFF_USER_POOL_CLIENT_ID": "StaffUserPoolClient",
}
FUNCTION_HANDLERS = {
    "WebhookFunction": ("functions/webhook", "app.lambda_handler"),
    "ConversationFunction": ("functions/conversation", "app.lambda_handler"),
    "IntakeFunction": ("functions/intake", "app.lambda_handler"),
    "BroadcastPlannerFunction": ("functions/broadcast", "planner.handler"),
    "BroadcastPlanWorkerFunction": ("functions/broadcast", "plan_worker.handler"),
    "BroadcastSenderFunction": ("functions/broadcast", "sender.handler"),
    "ExportFunction": ("functions/export", "app.lambda_handler"),
    "DashboardRefreshFunction": ("functions/dashboard_refresh", "app.lambda_handler"),
    "StaffApiFunction": ("functions/staff_api", "app.lambda_handler"),
    "RichMenuRelinkFunction": ("functions/richmenu_relink", "app.lambda_handler"),
}
SECRET_LOOKING_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|CREDENTIAL|PRIVATE", re.IGNORECASE)
SECRET_LOOKING_VALUE = re.compile(r"^[A-Za-z0-9+/=_\-.]{24,}$")


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return load_sam_template(TEMPLATE_PATH)


# ---------------------------------------------------------------- helpers


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def referenced_id(value: Any) -> str | None:
    """The logical id behind a Ref or Fn::GetAtt, else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def role_of(function: Resource) -> str:
    role_id = referenced_id(function["Properties"]["Role"])
    assert role_id is not None, "a function's role must be a role of this template"
    return role_id


def role_statements(cfn: dict[str, Any]) -> Iterator[tuple[str, Statement]]:
    """Every identity-policy statement in the template, with the role it applies to."""
    for role_id, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in as_list(policy["PolicyDocument"]["Statement"]):
                yield role_id, statement
    for policy_type in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in resources_of_type(cfn, policy_type).values():
            props = policy["Properties"]
            roles = as_list(props["RoleName"]) if "RoleName" in props else props.get("Roles", [])
            for role in roles:
                attached_to = referenced_id(role)
                assert attached_to is not None, "policies must attach to roles of this template"
                for statement in as_list(props["PolicyDocument"]["Statement"]):
                    yield attached_to, statement


def allows(statement: Statement, action: str) -> bool:
    """Whether an Allow statement grants `action` (IAM wildcards honoured, case-insensitive)."""
    if statement.get("Effect") != "Allow":
        return False
    return any(fnmatch.fnmatch(action.lower(), granted.lower()) for granted in as_list(statement["Action"]))


def principal_ids(statement: Statement) -> list[Any]:
    principal = statement["Principal"]
    if principal == "*":
        return ["*"]
    return as_list(principal.get("AWS", [])) + as_list(principal.get("Service", []))


# ---------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("region", "accepted"),
    [
        ("ap-northeast-1", True),
        ("ap-northeast-3", True),
        ("ap-northeast-2", False),
        ("ap-southeast-1", False),
        ("us-east-1", False),
        ("eu-west-1", False),
    ],
)
def test_the_stack_deploys_only_to_tokyo_or_osaka(cfn: dict[str, Any], region: str, accepted: bool) -> None:
    # Given the template's Rules (CloudFormation checks them before creating anything)
    # When a deploy targets `region`
    # Then only Tokyo and Osaka pass
    assert accepts(cfn, region) is accepted


def test_samconfig_deploys_to_tokyo(sam: dict[str, Any]) -> None:
    import tomllib

    from tests.support.repo import REPO_ROOT

    # Given samconfig.toml
    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    # Then the default deploy goes to an allowed region with a change set to confirm
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["region"] in ALLOWED_REGIONS
    assert deploy["confirm_changeset"] is True


# ---------------------------------------------------------------- encryption at rest with the data key


def test_every_table_is_encrypted_with_the_data_key_and_recoverable(cfn: dict[str, Any]) -> None:
    tables = resources_of_type(cfn, "AWS::DynamoDB::Table")
    assert set(tables) == set(TABLE_KEYS)
    for table_id, table in tables.items():
        props = table["Properties"]
        sse = props["SSESpecification"]
        assert sse["SSEEnabled"] is True, table_id
        assert sse["SSEType"] == "KMS", table_id
        assert sse["KMSMasterKeyId"] in DATA_KEY_REFERENCES, table_id
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, table_id
        assert props["BillingMode"] == "PAY_PER_REQUEST", table_id


def test_every_queue_is_encrypted_with_the_data_key(cfn: dict[str, Any]) -> None:
    for queue_id, queue in resources_of_type(cfn, "AWS::SQS::Queue").items():
        assert queue["Properties"].get("KmsMasterKeyId") in DATA_KEY_REFERENCES, queue_id


def test_every_topic_is_encrypted_with_the_data_key(cfn: dict[str, Any]) -> None:
    for topic_id, topic in resources_of_type(cfn, "AWS::SNS::Topic").items():
        assert topic["Properties"].get("KmsMasterKeyId") in DATA_KEY_REFERENCES, topic_id


def test_every_secret_is_encrypted_with_the_data_key(cfn: dict[str, Any]) -> None:
    for secret_id, secret in resources_of_type(cfn, "AWS::SecretsManager::Secret").items():
        assert secret["Properties"].get("KmsKeyId") in DATA_KEY_REFERENCES, secret_id
        assert "SecretString" not in secret["Properties"], (
            f"{secret_id} must not carry a value in the template"
        )


def test_every_log_group_is_encrypted_and_expires(cfn: dict[str, Any]) -> None:
    log_groups = resources_of_type(cfn, "AWS::Logs::LogGroup")
    assert log_groups
    for group_id, group in log_groups.items():
        assert group["Properties"].get("KmsKeyId") in DATA_KEY_REFERENCES, group_id
        assert "RetentionInDays" in group["Properties"], group_id


def test_every_bucket_is_encrypted_with_the_data_key(cfn: dict[str, Any]) -> None:
    buckets = resources_of_type(cfn, "AWS::S3::Bucket")
    assert buckets
    for bucket_id, bucket in buckets.items():
        (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        default = rule["ServerSideEncryptionByDefault"]
        assert default["SSEAlgorithm"] == "aws:kms", bucket_id
        assert default["KMSMasterKeyID"] in DATA_KEY_REFERENCES, bucket_id
        assert rule["BucketKeyEnabled"] is True, bucket_id


def test_both_keys_are_customer_managed_and_rotate(cfn: dict[str, Any]) -> None:
    keys = resources_of_type(cfn, "AWS::KMS::Key")
    assert set(keys) == {"DataKey", "PiiKey"}
    for key_id, key in keys.items():
        assert key["Properties"]["EnableKeyRotation"] is True, key_id


def test_the_account_can_always_administer_both_keys(cfn: dict[str, Any]) -> None:
    for key_id, key in resources_of_type(cfn, "AWS::KMS::Key").items():
        statements = as_list(key["Properties"]["KeyPolicy"]["Statement"])
        root_statements = [
            s
            for s in statements
            if any(":root" in str(p) for p in principal_ids(s)) and s["Effect"] == "Allow"
        ]
        assert any(allows(s, "kms:PutKeyPolicy") for s in root_statements), key_id
        assert any(allows(s, "kms:ScheduleKeyDeletion") for s in root_statements), key_id


def test_keys_outlive_the_stack_so_retained_data_stays_readable(cfn: dict[str, Any]) -> None:
    # Given the keys (ApplicationsTable's PII fields are encrypted with PiiKey, every table with DataKey)
    for key_id, key in resources_of_type(cfn, "AWS::KMS::Key").items():
        # Then deleting or replacing the stack never schedules a key's deletion, while a first deploy
        # that fails (and encrypted nothing yet) takes its new keys with it
        assert key.get("DeletionPolicy") == "RetainExceptOnCreate", key_id
        assert key.get("UpdateReplacePolicy") == "Retain", key_id


def test_a_failed_first_deploy_can_always_roll_back(cfn: dict[str, Any]) -> None:
    # Given resources CloudFormation cannot delete while their deletion protection is on
    for logical_id, resource in cfn["Resources"].items():
        if resource["Properties"].get("DeletionProtectionEnabled") is not True:
            continue
        # Then they are retained outright: a policy that deletes them on a failed create would leave the
        # stack in ROLLBACK_FAILED instead
        assert resource.get("DeletionPolicy") == "Retain", logical_id


def test_lambda_environments_are_encrypted_with_the_data_key(cfn: dict[str, Any]) -> None:
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        assert function["Properties"].get("KmsKeyArn") in DATA_KEY_REFERENCES, function_id


def test_nothing_uses_an_aws_managed_key(cfn: dict[str, Any]) -> None:
    # Given the whole translated template as text
    # Then no property names an aws/... managed key (they cannot be restricted or audited per use)
    assert "alias/aws/" not in repr(cfn["Resources"])


# ---------------------------------------------------------------- tables per contracts.md


def test_tables_have_the_keys_and_ttl_of_the_contract(cfn: dict[str, Any]) -> None:
    for table_id, table in resources_of_type(cfn, "AWS::DynamoDB::Table").items():
        props = table["Properties"]
        key_schema = [(k["AttributeName"], k["KeyType"]) for k in props["KeySchema"]]
        assert key_schema == TABLE_KEYS[table_id], table_id
        ttl = props.get("TimeToLiveSpecification")
        if table_id in TABLE_TTL:
            assert ttl == {"AttributeName": TABLE_TTL[table_id], "Enabled": True}, table_id
        else:
            assert ttl is None, table_id


def test_applications_table_has_the_indexes_of_the_contract(cfn: dict[str, Any]) -> None:
    props = cfn["Resources"]["ApplicationsTable"]["Properties"]
    indexes = {
        index["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]]
        for index in props["GlobalSecondaryIndexes"]
    }
    assert indexes == APPLICATIONS_INDEXES


def test_tables_holding_personal_data_survive_stack_deletion_and_replacement(cfn: dict[str, Any]) -> None:
    for table_id, table in resources_of_type(cfn, "AWS::DynamoDB::Table").items():
        if table_id in DISPOSABLE_TABLES:
            continue
        assert table.get("DeletionPolicy") == "Retain", table_id
        assert table.get("UpdateReplacePolicy") == "Retain", table_id
        assert table["Properties"].get("DeletionProtectionEnabled") is True, table_id


# ---------------------------------------------------------------- queues


def dead_letter_targets(cfn: dict[str, Any]) -> dict[str, str]:
    """source queue id -> its dead-letter queue id"""
    return {
        queue_id: str(referenced_id(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]))
        for queue_id, queue in resources_of_type(cfn, "AWS::SQS::Queue").items()
        if "RedrivePolicy" in queue["Properties"]
    }


def test_every_queue_has_a_dead_letter_queue_or_is_one(cfn: dict[str, Any]) -> None:
    queues = resources_of_type(cfn, "AWS::SQS::Queue")
    targets = dead_letter_targets(cfn)
    dead_letter_queues = set(targets.values())
    for queue_id in queues:
        assert queue_id in targets or queue_id in dead_letter_queues, f"{queue_id} has no dead-letter queue"
    for source_id, dlq_id in targets.items():
        source, dlq = queues[source_id]["Properties"], queues[dlq_id]["Properties"]
        assert dlq_id not in targets, f"{dlq_id} is a dead-letter queue with a dead-letter queue"
        assert source.get("FifoQueue", False) == dlq.get("FifoQueue", False), (
            f"{dlq_id} must match {source_id}"
        )
        assert 1 <= source["RedrivePolicy"]["maxReceiveCount"] <= 10, source_id
        assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600, dlq_id


def test_events_queue_is_a_high_throughput_fifo_deduplicated_by_event_id(cfn: dict[str, Any]) -> None:
    events = cfn["Resources"]["EventsQueue"]["Properties"]
    assert events["FifoQueue"] is True
    assert events["QueueName"] == {"Fn::Sub": "${AWS::StackName}-events.fifo"}
    # The webhook sets the dedup id (LINE's webhookEventId); content-based dedup would drop equal bodies.
    assert events["ContentBasedDeduplication"] is False
    assert events["DeduplicationScope"] == "messageGroup"
    assert events["FifoThroughputLimit"] == "perMessageGroupId"


def sqs_event_source_mappings(cfn: dict[str, Any]) -> Iterator[tuple[str, Resource, Resource]]:
    """(mapping id, source queue, consumer function) for every SQS event source."""
    resources = cfn["Resources"]
    for mapping_id, mapping in resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").items():
        source = resources.get(str(referenced_id(mapping["Properties"]["EventSourceArn"])))
        if source is None or source["Type"] != "AWS::SQS::Queue":
            continue
        function = resources[str(referenced_id(mapping["Properties"]["FunctionName"]))]
        yield mapping_id, source, function


def test_visibility_timeout_is_at_least_six_times_the_consumers_timeout(cfn: dict[str, Any]) -> None:
    mappings = list(sqs_event_source_mappings(cfn))
    assert len(mappings) == 3
    for mapping_id, queue, function in mappings:
        timeout = function["Properties"]["Timeout"]
        window = cfn["Resources"][mapping_id]["Properties"].get("MaximumBatchingWindowInSeconds", 0)
        visibility = queue["Properties"]["VisibilityTimeout"]
        assert isinstance(timeout, int), f"{mapping_id}: write the consumer's Timeout as a number"
        assert isinstance(visibility, int), f"{mapping_id}: write VisibilityTimeout as a number"
        assert visibility >= 6 * timeout + window, mapping_id


def test_every_sqs_consumer_reports_partial_batch_failures(cfn: dict[str, Any]) -> None:
    for mapping_id, _, _ in sqs_event_source_mappings(cfn):
        props = cfn["Resources"][mapping_id]["Properties"]
        assert props.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], mapping_id


def test_broadcast_sender_poller_never_outruns_its_reserved_concurrency(cfn: dict[str, Any]) -> None:
    # Given the sender's reserved concurrency (a parameter, reserved unless switched off)
    sender = cfn["Resources"]["BroadcastSenderFunction"]["Properties"]
    concurrency = {"Ref": "BroadcastSenderConcurrency"}
    assert sender["ReservedConcurrentExecutions"] == {
        "Fn::If": ["ReservesBroadcastSenderConcurrency", concurrency, {"Ref": "AWS::NoValue"}]
    }
    # Then its SQS poller is capped at the same value, so throttles never push batches to the DLQ
    mapping = cfn["Resources"]["BroadcastSenderFunctionBatches"]["Properties"]
    assert mapping["ScalingConfig"]["MaximumConcurrency"] == concurrency
    assert mapping["BatchSize"] == 1


def test_the_senders_reservation_can_be_switched_off_for_a_new_account(cfn: dict[str, Any]) -> None:
    # Given a new account whose Lambda concurrency quota is still 10 (any reservation fails the deploy)
    sender = cfn["Resources"]["BroadcastSenderFunction"]["Properties"]
    condition, reserved, otherwise = sender["ReservedConcurrentExecutions"]["Fn::If"]
    # Then a parameter decides whether the senders reserve concurrency, and "false" sets none at all
    assert reserved == {"Ref": "BroadcastSenderConcurrency"}
    assert otherwise == {"Ref": "AWS::NoValue"}
    assert cfn["Conditions"][condition] == {
        "Fn::Equals": [{"Ref": "ReserveBroadcastSenderConcurrency"}, "true"]
    }
    switch = cfn["Parameters"]["ReserveBroadcastSenderConcurrency"]
    assert switch["AllowedValues"] == ["true", "false"]


# ---------------------------------------------------------------- export bucket


def bucket_policy_statements(cfn: dict[str, Any], bucket_id: str) -> list[Statement]:
    return [
        statement
        for policy in resources_of_type(cfn, "AWS::S3::BucketPolicy").values()
        if referenced_id(policy["Properties"]["Bucket"]) == bucket_id
        for statement in as_list(policy["Properties"]["PolicyDocument"]["Statement"])
    ]


def test_every_bucket_blocks_public_access_and_acls(cfn: dict[str, Any]) -> None:
    for bucket_id, bucket in resources_of_type(cfn, "AWS::S3::Bucket").items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, bucket_id
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], bucket_id


def test_every_bucket_refuses_plain_http(cfn: dict[str, Any]) -> None:
    for bucket_id in resources_of_type(cfn, "AWS::S3::Bucket"):
        assert any(
            s["Effect"] == "Deny"
            and s["Principal"] == "*"
            and allows({**s, "Effect": "Allow"}, "s3:GetObject")
            and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in bucket_policy_statements(cfn, bucket_id)
        ), bucket_id


@pytest.mark.parametrize(
    ("encryption", "refused"),
    [("AES256", True), ("aws:kms", False), (None, False)],  # None: a multipart part, or the default
)
def test_every_bucket_refuses_objects_not_encrypted_with_kms(
    cfn: dict[str, Any], encryption: str | None, refused: bool
) -> None:
    resolver = Resolver(cfn)
    anyone = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    context: dict[str, str | list[str]] = {"aws:SecureTransport": "true"}
    if encryption:
        context["s3:x-amz-server-side-encryption"] = encryption
    for bucket_id in resources_of_type(cfn, "AWS::S3::Bucket"):
        # Given a writer whose IAM policy allows everything
        request = Request(
            principal="arn:aws:iam::123456789012:role/writer",
            action="s3:PutObject",
            resource=f"{resolver.get_att(bucket_id, 'Arn')}/file.csv",
            context=context,
        )
        # When it stores an object with (or without) an encryption header
        statements = resolver.resolve(bucket_policy_statements(cfn, bucket_id))
        decision = decide(request, anyone, statements, "arn:aws:iam::123456789012:root")
        # Then only a header other than aws:kms is refused (no header: the bucket's SSE-KMS default)
        assert decision.allowed is not refused, (bucket_id, decision)


def test_every_bucket_expires_its_objects(cfn: dict[str, Any], sam: dict[str, Any]) -> None:
    for bucket_id, bucket in resources_of_type(cfn, "AWS::S3::Bucket").items():
        rules = [
            r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"] if r["Status"] == "Enabled"
        ]
        assert any("ExpirationInDays" in r for r in rules), bucket_id
        assert any("AbortIncompleteMultipartUpload" in r for r in rules), bucket_id
        assert any("NoncurrentVersionExpiration" in r for r in rules), bucket_id
    # The export files' lifetime is a parameter of at most a month (default a week).
    expiry = sam["Parameters"]["ExportObjectExpirationDays"]
    assert expiry["Default"] == 7
    assert expiry["MaxValue"] <= 30


def test_export_links_are_short_lived(sam: dict[str, Any]) -> None:
    expiry = sam["Parameters"]["ExportLinkExpirySeconds"]
    assert expiry["Default"] == 900
    assert expiry["MaxValue"] <= 3600


# ---------------------------------------------------------------- functions


def test_every_function_runs_python312_on_arm64_with_the_layer(cfn: dict[str, Any]) -> None:
    layers = resources_of_type(cfn, "AWS::Lambda::LayerVersion")
    (layer_id,) = layers
    assert layers[layer_id]["Properties"]["CompatibleArchitectures"] == ["arm64"]
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        props = function["Properties"]
        assert props["Runtime"] == "python3.12", function_id
        assert props["Architectures"] == ["arm64"], function_id
        assert {"Ref": layer_id} in props["Layers"], function_id


def test_functions_match_the_contract(cfn: dict[str, Any]) -> None:
    functions = resources_of_type(cfn, "AWS::Lambda::Function")
    assert set(functions) == set(FUNCTION_HANDLERS)
    for function_id, (code_dir, handler) in FUNCTION_HANDLERS.items():
        props = functions[function_id]["Properties"]
        assert props["Code"]["S3Key"] == code_dir, function_id
        assert props["Handler"] == handler, function_id


def test_every_function_traces_without_recording_responses_or_errors(cfn: dict[str, Any]) -> None:
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        props = function["Properties"]
        variables = props["Environment"]["Variables"]
        assert props["TracingConfig"] == {"Mode": "Active"}, function_id
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false", function_id
        assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false", function_id


def test_every_function_logs_to_its_own_encrypted_log_group(cfn: dict[str, Any]) -> None:
    log_groups = resources_of_type(cfn, "AWS::Logs::LogGroup")
    seen: set[str] = set()
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        group_id = referenced_id(function["Properties"]["LoggingConfig"]["LogGroup"])
        assert group_id in log_groups, function_id
        assert group_id not in seen, f"{function_id} shares its log group"
        seen.add(group_id)


def test_no_function_environment_holds_a_secret(cfn: dict[str, Any]) -> None:
    secrets = resources_of_type(cfn, "AWS::SecretsManager::Secret")
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        for name, value in function["Properties"]["Environment"]["Variables"].items():
            where = f"{function_id}.{name}"
            # Dynamic references would resolve the secret into the (readable) configuration.
            assert "{{resolve:" not in repr(value), where
            if SECRET_LOOKING_NAME.search(name):
                assert referenced_id(value) in secrets, f"{where} must reference a Secrets Manager secret"
            if isinstance(value, str):
                assert not SECRET_LOOKING_VALUE.match(value), f"{where} looks like a credential"


def test_environment_variables_agree_across_functions_and_with_the_contract(cfn: dict[str, Any]) -> None:
    seen: dict[str, Any] = {}
    for function_id, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        for name, value in function["Properties"]["Environment"]["Variables"].items():
            assert seen.setdefault(name, value) == value, (
                f"{function_id}.{name} conflicts with another function"
            )
            if name in ENVIRONMENT_REFERENCES:
                assert referenced_id(value) == ENVIRONMENT_REFERENCES[name], f"{function_id}.{name}"
    assert seen["POWERTOOLS_SERVICE_NAME"] == "civicline"
    assert seen["PII_KEY_ARN"] in PII_KEY_REFERENCES


def test_webhook_access_log_records_no_request_content(cfn: dict[str, Any]) -> None:
    for stage_id, stage in resources_of_type(cfn, "AWS::ApiGatewayV2::Stage").items():
        log_format = stage["Properties"]["AccessLogSettings"]["Format"]
        for variable in ("$context.requestBody", "$request.body", "$request.header", "$context.authorizer"):
            assert variable not in log_format, stage_id
        assert referenced_id(stage["Properties"]["AccessLogSettings"]["DestinationArn"]) in resources_of_type(
            cfn, "AWS::Logs::LogGroup"
        )
        assert "ThrottlingRateLimit" in stage["Properties"]["DefaultRouteSettings"], stage_id


# ---------------------------------------------------------------- least privilege


def test_every_function_has_a_role_of_its_own(cfn: dict[str, Any]) -> None:
    roles = [role_of(f) for f in resources_of_type(cfn, "AWS::Lambda::Function").values()]
    assert len(roles) == len(set(roles))
    for role_id in roles:
        assert cfn["Resources"][role_id]["Type"] == "AWS::IAM::Role"


def test_no_role_grants_data_actions_on_every_resource(cfn: dict[str, Any]) -> None:
    for role_id, statement in role_statements(cfn):
        if statement["Effect"] != "Allow" or "*" not in as_list(statement.get("Resource")):
            continue
        actions = {a.lower() for a in as_list(statement["Action"])}
        assert actions <= NON_DATA_ACTIONS, f"{role_id} grants {sorted(actions - NON_DATA_ACTIONS)} on *"


def test_no_role_grants_wildcard_actions_or_managed_policies(cfn: dict[str, Any]) -> None:
    for role_id, statement in role_statements(cfn):
        for action in as_list(statement.get("Action", [])):
            assert "*" not in action, f"{role_id} grants {action}"
        assert "NotAction" not in statement, role_id
        assert "NotResource" not in statement, role_id
    for role_id, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        # AWS managed policies (basic execution, SQS polling, X-Ray) grant their actions on "*".
        assert not role["Properties"].get("ManagedPolicyArns"), role_id


def pii_key_grants(cfn: dict[str, Any], action: str) -> tuple[set[str], set[str]]:
    """Roles granted `action` on the PII key: (by identity policies, by the key policy)."""
    by_iam = {
        role_id
        for role_id, statement in role_statements(cfn)
        if allows(statement, action)
        and any(r in PII_KEY_REFERENCES or r == "*" for r in as_list(statement["Resource"]))
    }
    key_policy = cfn["Resources"]["PiiKey"]["Properties"]["KeyPolicy"]
    by_key = {
        principal
        for statement in as_list(key_policy["Statement"])
        if allows(statement, action)
        for principal in key_policy_principals(statement)
    }
    return by_iam, by_key


def key_policy_principals(statement: Statement) -> set[str]:
    """Who a key policy statement admits: the role an `aws:PrincipalArn` condition names, else its principals.

    The account root as principal delegates to IAM (any role whose policies allow it); narrowed by
    ArnEquals aws:PrincipalArn it admits that role only.
    """
    narrowed = statement.get("Condition", {}).get("ArnEquals", {}).get("aws:PrincipalArn")
    if narrowed is not None:
        return {str(referenced_id(arn) or arn) for arn in as_list(narrowed)}
    return {str(referenced_id(p) or p) for p in principal_ids(statement)}


def test_only_the_export_role_can_decrypt_applicant_data(cfn: dict[str, Any]) -> None:
    export_role = role_of(cfn["Resources"]["ExportFunction"])
    for action in ("kms:Decrypt", "kms:ReEncryptFrom", "kms:CreateGrant"):
        by_iam, by_key = pii_key_grants(cfn, action)
        expected = {export_role} if action == "kms:Decrypt" else set()
        assert by_iam == expected, action
        assert by_key == expected, action


def test_only_the_intake_role_can_encrypt_applicant_data(cfn: dict[str, Any]) -> None:
    intake_role = role_of(cfn["Resources"]["IntakeFunction"])
    by_iam, by_key = pii_key_grants(cfn, "kms:GenerateDataKey")
    assert by_iam == {intake_role}
    assert by_key == {intake_role}
    # The Encryption SDK seals with a data key: nobody needs kms:Encrypt on the PII key.
    assert pii_key_grants(cfn, "kms:Encrypt") == (set(), set())


def test_pii_key_statements_name_roles_through_the_account_and_the_purpose(cfn: dict[str, Any]) -> None:
    # Given the PII key's policy and the roles' statements on it
    key_policy = cfn["Resources"]["PiiKey"]["Properties"]["KeyPolicy"]
    root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    key_statements = [s for s in as_list(key_policy["Statement"]) if s["Sid"] != "AccountAdministersOnly"]
    role_statements_on_key = [
        s for _, s in role_statements(cfn) if any(r in PII_KEY_REFERENCES for r in as_list(s["Resource"]))
    ]
    assert key_statements
    assert role_statements_on_key
    for statement in key_statements:
        # Then no statement names a role of this stack as principal (IAM may not know it yet when the
        # key is created): the account is the principal, narrowed by aws:PrincipalArn
        assert statement["Principal"] == {"AWS": root}, statement["Sid"]
        assert "aws:PrincipalArn" in statement["Condition"]["ArnEquals"], statement["Sid"]
    for statement in key_statements + role_statements_on_key:
        # And the key opens and seals applicant PII only (intake's encryption context, adapters/pii.py)
        assert statement["Condition"]["StringEquals"]["kms:EncryptionContext:purpose"] == PII_PURPOSE


def test_aws_services_use_the_data_key_for_this_account_only(cfn: dict[str, Any]) -> None:
    # Given the data key's statements for AWS services
    key_policy = cfn["Resources"]["DataKey"]["Properties"]["KeyPolicy"]
    for statement in as_list(key_policy["Statement"]):
        if "Service" not in statement["Principal"]:
            continue
        # Then each is bound to this account's resources (no confused deputy across accounts)
        conditions = repr(statement.get("Condition", {}))
        assert (
            "aws:SourceAccount" in conditions
            or "aws:SourceArn" in conditions
            or "${AWS::AccountId}" in conditions
        ), statement["Sid"]


def test_audit_writes_are_limited_to_each_functions_own_records(cfn: dict[str, Any]) -> None:
    # Given every statement that lets a role write the audit table
    writes = [
        (role_id, s)
        for role_id, s in role_statements(cfn)
        if any(referenced_id(r) == "AuditTable" for r in as_list(s.get("Resource")))
        and any(allows(s, a) for a in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"))
    ]
    assert {role_id for role_id, _ in writes} == {"ConversationFunctionRole", "ExportFunctionRole"}
    for role_id, statement in writes:
        # Then each names the partition keys it may write (data rights, or watermarks and exports)
        prefixes = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        assert prefixes == AUDIT_PREFIXES[role_id], role_id


def test_data_key_use_by_functions_goes_through_aws_services(cfn: dict[str, Any]) -> None:
    for role_id, statement in role_statements(cfn):
        if any(r in DATA_KEY_REFERENCES for r in as_list(statement.get("Resource"))):
            assert "kms:ViaService" in statement["Condition"]["StringEquals"], role_id


def test_the_broadcast_scheduler_can_invoke_only_the_planner(cfn: dict[str, Any]) -> None:
    statements = [s for role_id, s in role_statements(cfn) if role_id == "BroadcastSchedulerRole"]
    assert statements
    for statement in statements:
        assert as_list(statement["Action"]) == ["lambda:InvokeFunction"]
        assert as_list(statement["Resource"]) == [{"Fn::GetAtt": ["BroadcastPlannerFunction", "Arn"]}]
    # And only the planner may hand that role to the scheduler.
    passers = {role_id for role_id, s in role_statements(cfn) if allows(s, "iam:PassRole")}
    assert passers == {role_of(cfn["Resources"]["BroadcastPlannerFunction"])}


def test_the_scheduler_assumes_roles_only_for_this_account(cfn: dict[str, Any]) -> None:
    scheduler_roles = 0
    for role_id, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        for statement in as_list(role["Properties"]["AssumeRolePolicyDocument"]["Statement"]):
            if "scheduler.amazonaws.com" in principal_ids(statement):
                scheduler_roles += 1
                condition = statement.get("Condition", {}).get("StringEquals", {})
                assert condition.get("aws:SourceAccount") == {"Ref": "AWS::AccountId"}, role_id
    assert scheduler_roles >= 2  # scheduled broadcasts and the daily export


def test_the_privacy_notice_url_is_a_required_parameter_without_a_default(cfn: dict[str, Any]) -> None:
    # The greeting links it: a deployment names the ward's own notice; the ward's home page is no notice.
    parameter = cfn["Parameters"]["PrivacyNoticeUrl"]
    assert "Default" not in parameter
    assert parameter["AllowedPattern"] == r"^https://\S+$"


# ---------------------------------------------------------------- staff console (issue 11)

STAFF_ROLES = {"admin", "editor", "exporter", "viewer"}
SIGN_IN_PATH = "/staff/api/auth/{proxy+}"
TOKEN_UNIT_MINUTES = {"seconds": 1 / 60, "minutes": 1, "hours": 60, "days": 24 * 60}


def staff_pool(cfn: dict[str, Any]) -> Resource:
    (pool,) = resources_of_type(cfn, "AWS::Cognito::UserPool").values()
    return pool


def validity_minutes(client: dict[str, Any], token: str) -> float:
    # Cognito's defaults when no unit is given: hours for access/ID tokens, days for refresh tokens.
    default_unit = "days" if token == "RefreshToken" else "hours"
    unit = client.get("TokenValidityUnits", {}).get(token, default_unit)
    return float(client[f"{token[: -len('Token')]}TokenValidity"]) * TOKEN_UNIT_MINUTES[unit]


def test_only_administrators_create_staff_accounts_and_every_sign_in_needs_a_totp_code(
    cfn: dict[str, Any],
) -> None:
    pool = staff_pool(cfn)["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "admin_only", "Priority": 1}]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))


def test_staff_tokens_are_short_lived_revocable_and_never_reveal_who_has_an_account(
    cfn: dict[str, Any],
) -> None:
    (client,) = [c["Properties"] for c in resources_of_type(cfn, "AWS::Cognito::UserPoolClient").values()]
    assert validity_minutes(client, "AccessToken") <= 15
    assert validity_minutes(client, "IdToken") <= 15
    assert validity_minutes(client, "RefreshToken") <= 24 * 60
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["GenerateSecret"] is False
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]


def test_the_staff_roles_are_the_pools_four_groups(cfn: dict[str, Any]) -> None:
    groups = resources_of_type(cfn, "AWS::Cognito::UserPoolGroup").values()
    assert {g["Properties"]["GroupName"] for g in groups} == STAFF_ROLES


def staff_routes(cfn: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    (api,) = resources_of_type(cfn, "AWS::ApiGatewayV2::Api").values()
    return {
        (path, method): operation
        for path, operations in api["Properties"]["Body"]["paths"].items()
        if path.startswith("/staff")
        for method, operation in operations.items()
    }


def test_every_staff_api_route_but_sign_in_needs_a_token_of_the_staff_pool(cfn: dict[str, Any]) -> None:
    # Given the HTTP API's routes under /staff/api, as API Gateway receives them
    routes = staff_routes(cfn)
    api_routes = {key: op for key, op in routes.items() if key[0].startswith("/staff/api")}
    assert {method for _, method in api_routes} >= {"get", "post", "put", "delete"}
    # Then every one but sign-in is behind the JWT authorizer, and none is ANY (it would lose to a
    # method's greedy route, `GET /staff/{proxy+}`, which has no authorizer)
    for (path, method), operation in api_routes.items():
        assert method != "x-amazon-apigateway-any-method", path
        if path == SIGN_IN_PATH:
            assert not operation.get("security"), (path, method)
        else:
            assert operation.get("security") == [{"StaffJwt": []}], (path, method)
    # And the authorizer takes only tokens this stack's pool issued for the console's client
    (api,) = resources_of_type(cfn, "AWS::ApiGatewayV2::Api").values()
    scheme = api["Properties"]["Body"]["components"]["securitySchemes"]["StaffJwt"]
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "jwt"
    assert authorizer["jwtConfiguration"]["audience"] == [{"Ref": "StaffUserPoolClient"}]
    assert authorizer["jwtConfiguration"]["issuer"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${StaffUserPool}"
    }


def test_the_console_page_routes_only_read_files(cfn: dict[str, Any]) -> None:
    page_routes = {key for key in staff_routes(cfn) if not key[0].startswith("/staff/api")}
    assert page_routes == {("/staff", "get"), ("/staff/{proxy+}", "get")}
