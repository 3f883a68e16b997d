"""The local stack creates the template's resources in moto with the template's settings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devstack.credentials import DEV_CHANNEL_ID, DEV_CHANNEL_SECRET
from devstack.resolve import Resolver, TemplateError
from devstack.stack import EnvironmentConflictError, LocalStack, function_environment


def test_tables_have_the_templates_keys_indexes_ttl_and_encryption(stack: LocalStack) -> None:
    # Given the fixture template's JobsTable (no TableName)
    dynamodb = stack.boto3_client("dynamodb")
    # When the stack has started
    table = dynamodb.describe_table(TableName="civicline-local-JobsTable")["Table"]
    # Then it has the template's key, index, billing mode, TTL, PITR and KMS encryption
    assert table["KeySchema"] == [{"AttributeName": "jobId", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "byOwner"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["ownerId", "createdAt"]
    ttl = dynamodb.describe_time_to_live(TableName="civicline-local-JobsTable")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "purgeAt"}
    backups = dynamodb.describe_continuous_backups(TableName="civicline-local-JobsTable")
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert table["SSEDescription"]["SSEType"] == "KMS"


def _queue_attributes(stack: LocalStack, logical_id: str) -> dict[str, str]:
    attributes: dict[str, str] = stack.boto3_client("sqs").get_queue_attributes(
        QueueUrl=stack.physical_id(logical_id), AttributeNames=["All"]
    )["Attributes"]
    return attributes


def test_queues_are_named_from_the_template_with_fifo_redrive_and_kms(stack: LocalStack) -> None:
    # Given queues named `${AWS::StackName}-...` with RedrivePolicy pointing at their DLQs
    work = _queue_attributes(stack, "WorkQueue")
    dlq = _queue_attributes(stack, "WorkDeadLetterQueue")
    ordered = _queue_attributes(stack, "OrderedQueue")
    # Then names, visibility, KMS and the redrive policy are the template's, resolved locally
    assert stack.physical_id("WorkQueue").endswith("/civicline-local-work")
    assert work["VisibilityTimeout"] == "60"
    assert work["KmsMasterKeyId"] == stack.physical_id("DataKey")
    assert json.loads(work["RedrivePolicy"]) == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 3}
    assert dlq["MessageRetentionPeriod"] == "1209600"
    assert stack.physical_id("OrderedQueue").endswith("/civicline-local-ordered.fifo")
    assert ordered["FifoQueue"] == "true"
    assert ordered["ContentBasedDeduplication"] == "false"
    assert json.loads(ordered["RedrivePolicy"])["maxReceiveCount"] == 2


def test_keys_have_rotation_alias_and_the_policy_with_resolved_principals(stack: LocalStack) -> None:
    kms = stack.boto3_client("kms")
    key_id = stack.physical_id("DataKey")
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases["alias/civicline-local-data"] == key_id
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    principals = {s["Sid"]: s["Principal"]["AWS"] for s in policy["Statement"]}
    assert principals == {
        "Root": "arn:aws:iam::123456789012:root",
        "Worker": "arn:aws:iam::123456789012:role/civicline-local-WorkerFunctionRole",
    }


def test_bucket_has_encryption_public_access_block_ownership_and_lifecycle(stack: LocalStack) -> None:
    s3 = stack.boto3_client("s3")
    bucket = stack.physical_id("ExportBucket")
    assert bucket == "civicline-local-exportbucket"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert len(block) == 4
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Expiration"] == {"Days": 7}
    assert stack.report.notes == []


def test_the_tls_only_bucket_policy_is_not_applied_so_local_requests_work(stack: LocalStack) -> None:
    # Given a template whose bucket policy denies requests without TLS (moto ignores its condition)
    s3 = stack.boto3_client("s3")
    bucket = stack.physical_id("ExportBucket")
    # Then no policy is set and objects can be written over plain HTTP locally
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="probe.txt", Body=b"ok")
    assert stack.report.not_emulated["AWS::S3::BucketPolicy"] == 1


def test_line_secret_is_seeded_with_the_dev_credentials(stack: LocalStack) -> None:
    secrets = stack.boto3_client("secretsmanager")
    secret = secrets.get_secret_value(SecretId=stack.physical_id("LineSecret"))
    assert secret["Name"] == "civicline-local/line-channel"
    assert json.loads(secret["SecretString"]) == {
        "channelId": DEV_CHANNEL_ID,
        "channelSecret": DEV_CHANNEL_SECRET,
    }


def test_topic_and_schedule_group_exist(stack: LocalStack) -> None:
    topic = stack.boto3_client("sns").get_topic_attributes(TopicArn=stack.physical_id("NoticeTopic"))
    assert topic["Attributes"]["KmsMasterKeyId"] == stack.physical_id("DataKey")
    group = stack.boto3_client("scheduler").get_schedule_group(Name="civicline-local-schedules")
    assert group["Name"] == "civicline-local-schedules"


def test_handlers_get_the_union_of_function_environments_resolved_locally(stack: LocalStack) -> None:
    env = stack.environment
    assert env["JOBS_TABLE"] == "civicline-local-JobsTable"
    assert env["WORK_QUEUE_URL"] == stack.physical_id("WorkQueue")
    assert env["DATA_KEY_ARN"].startswith("arn:aws:kms:ap-northeast-1:123456789012:key/")
    assert env["STAGE_LABEL"] == "dev-ap-northeast-1"  # Fn::If on a condition, then Fn::Sub
    assert env["AWS_ENDPOINT_URL"] == stack.moto_url
    assert env["LINE_API_HOST"] == stack.line_url
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"


def test_unemulated_resources_are_counted_once(stack: LocalStack) -> None:
    assert stack.report.not_emulated["AWS::IAM::Role"] == 3
    line = stack.report.not_emulated_line()
    assert line.startswith("not emulated locally: ")
    assert "AWS::Lambda::Permission" in line


def _function(name: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": variables}}}


def test_conflicting_function_environments_refuse_to_start() -> None:
    # Given two functions that give one variable different values
    cfn = {"Resources": {"A": _function("A", {"TABLE": "one"}), "B": _function("B", {"TABLE": "two"})}}
    # Then the union is refused with a message naming both
    with pytest.raises(EnvironmentConflictError, match=r"TABLE is 'one' in A but 'two' in B"):
        function_environment(cfn, Resolver(cfn))


def test_resolver_handles_sub_literals_join_select_and_unknown_intrinsics() -> None:
    cfn: dict[str, Any] = {"Parameters": {"Env": {"Default": "dev"}}, "Resources": {}}
    resolver = Resolver(cfn)
    assert (
        resolver.resolve({"Fn::Sub": "${!Literal}-${Env}-${AWS::StackName}"})
        == "${Literal}-dev-civicline-local"
    )
    assert resolver.resolve({"Fn::Sub": ["${A}/x", {"A": {"Ref": "Env"}}]}) == "dev/x"
    assert resolver.resolve({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]}) == "a-dev"
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]}) == "b"
    assert resolver.resolve({"K": {"Ref": "AWS::NoValue"}, "L": 1}) == {"L": 1}
    with pytest.raises(TemplateError, match="Fn::ImportValue"):
        resolver.resolve({"Fn::ImportValue": "other-stack-output"})
