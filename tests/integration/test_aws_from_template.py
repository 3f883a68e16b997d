"""template.yaml's resources as the integration suites get them (tests/integration/aws_from_template.py)."""

from __future__ import annotations

import base64
import json
import os

import pytest
from aws_lambda_powertools.utilities import parameters
from tests.integration.aws_from_template import TemplateAws, template_aws

from devstack.cognito import DEV_STAFF_PASSWORD, DEV_STAFF_USERS, seed_dev_staff


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


def test_the_staff_pool_is_made_as_the_template_declares_it(aws: TemplateAws) -> None:
    # Given the template's staff user pool in moto
    cognito = aws.client("cognito-idp")
    pool_id = aws.user_pool("StaffUserPool")
    # Then MFA is required with TOTP, only administrators create users, and the four roles are groups
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    assert groups == {"admin", "editor", "exporter", "viewer"}
    # And the console's client has no secret and revokes its tokens
    client = cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=aws.user_pool_client("StaffUserPoolClient")
    )["UserPoolClient"]
    assert "ClientSecret" not in client
    assert client["EnableTokenRevocation"] is True
    # And the console function is told this pool and client
    assert os.environ["STAFF_USER_POOL_ID"] == pool_id
    assert os.environ["STAFF_USER_POOL_CLIENT_ID"] == client["ClientId"]


def test_the_dev_staff_sign_in_with_the_documented_password_and_their_group(aws: TemplateAws) -> None:
    # Given the pool seeded as `make local` seeds it
    cognito = aws.client("cognito-idp")
    seed_dev_staff(cognito, aws.user_pool("StaffUserPool"))
    client_id = aws.user_pool_client("StaffUserPoolClient")
    for username, group in DEV_STAFF_USERS.items():
        # When each signs in with the password the README gives
        result = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": DEV_STAFF_PASSWORD},
        )["AuthenticationResult"]
        # Then the ID token names them and their role (moto asks for no TOTP code: README says so)
        payload = result["IdToken"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert (claims["cognito:username"], claims["cognito:groups"]) == (username, [group])
        # And a revoked refresh token no longer refreshes (RevokeToken, taught to moto by devstack)
        cognito.revoke_token(Token=result["RefreshToken"], ClientId=client_id)
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            cognito.initiate_auth(
                ClientId=client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
            )
