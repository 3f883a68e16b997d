"""template.yaml's resources as the integration suites get them (tests/integration/aws_from_template.py)."""

from __future__ import annotations

import json
import os

import pytest
from aws_lambda_powertools.utilities import parameters
from tests.integration.aws_from_template import TemplateAws, template_aws


def test_the_applications_table_has_the_templates_indexes_and_ttl(aws: TemplateAws) -> None:
    # Given the template's resources in moto
    dynamodb = aws.client("dynamodb")
    name = aws.table("ApplicationsTable")
    # Then the table has both indexes and its TTL attribute, as template.yaml declares
    described = dynamodb.describe_table(TableName=name)["Table"]
    assert {index["IndexName"] for index in described["GlobalSecondaryIndexes"]} == {
        "byUser",
        "byFormReceived",
    }
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "purgeAt"}


def test_the_functions_environment_names_the_provisioned_resources(aws: TemplateAws) -> None:
    # Then every resource variable of the functions points at what moto holds
    assert os.environ["APPLICATIONS_TABLE"] == aws.table("ApplicationsTable")
    assert os.environ["APPLICATIONS_QUEUE_URL"] == aws.queue_url("ApplicationsQueue")
    assert os.environ["PII_KEY_ARN"] == aws.key_arn("PiiKey")
    assert os.environ["EXPORT_BUCKET"] == aws.bucket("ExportBucket")
    assert os.environ["STAFF_TOPIC_ARN"] == aws.topic_arn("StaffNoticesTopic")
    assert os.environ["BROADCAST_SCHEDULE_GROUP"] == aws.schedule_group("BroadcastScheduleGroup")
    assert "AWS_ENDPOINT_URL" not in os.environ
    # And the LINE secret holds the dev credentials
    secret = aws.client("secretsmanager").get_secret_value(SecretId=os.environ["LINE_SECRET_ID"])
    # (the channel id and secret staff enter: the functions issue their own access tokens from them)
    assert json.loads(secret["SecretString"]) == {
        "channelId": "2000000000",
        "channelSecret": "civicline-local-dev-channel-secret",
    }


def test_queues_have_their_dead_letter_queues(aws: TemplateAws) -> None:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url("ApplicationsQueue"), AttributeNames=["RedrivePolicy"]
    )["Attributes"]
    target = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    assert target == aws.queue_arn("ApplicationsDeadLetterQueue")


def test_each_test_gets_an_empty_moto(aws: TemplateAws) -> None:
    # Given the test before wrote nothing that survives: the Users table starts empty
    users = aws.table("UsersTable")
    assert aws.client("dynamodb").scan(TableName=users)["Count"] == 0
    aws.client("dynamodb").put_item(TableName=users, Item={"userId": {"S": "U1"}})


def test_each_test_gets_an_empty_moto_again(aws: TemplateAws) -> None:
    assert aws.client("dynamodb").scan(TableName=aws.table("UsersTable"))["Count"] == 0


def test_the_line_secret_read_in_one_test_is_not_served_in_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a test whose code read the LINE secret (Powertools caches it for 5 minutes)
    with template_aws(monkeypatch) as aws:
        secret_id = aws.environment["LINE_SECRET_ID"]
        parameters.get_secret(secret_id, max_age=300)
        assert parameters.base.DEFAULT_PROVIDERS["secrets"].store
    # Then the next test's code reads it from its own moto: no provider holds it any more
    provider = parameters.base.DEFAULT_PROVIDERS.get("secrets")
    assert provider is None or not provider.store


def test_roles_resolve_to_the_arn_the_functions_are_given(aws: TemplateAws) -> None:
    # IAM is not emulated, but the planner's BROADCAST_SCHEDULER_ROLE_ARN names the template's role
    assert os.environ["BROADCAST_SCHEDULER_ROLE_ARN"] == aws.role_arn("BroadcastSchedulerRole")
