"""Fixtures of the conversation worker's integration tests: moto tables and secret, the fake LINE."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from tests.integration.conversation.conversation_stack import PRIVACY_URL, REGION, TABLES, Stack

from devstack.fake_line import FakeLine
from devtools.lambda_support import load_function_module

DEV_ACCESS_TOKEN = "civicline-dev-access-token"


@pytest.fixture(scope="session")
def fake_line() -> Iterator[FakeLine]:
    fake = FakeLine(host="127.0.0.1", port=0, channel_access_token=DEV_ACCESS_TOKEN).start()
    yield fake
    fake.stop()


def _clear_caches() -> None:
    from aws_lambda_powertools.utilities import parameters

    from civicline.adapters.dynamodb import dynamodb_resource
    from civicline.adapters.line import client
    from civicline.models.environment import environment

    environment.cache_clear()
    client._api_client.cache_clear()
    dynamodb_resource.cache_clear()
    parameters.clear_caches()


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, fake_line: FakeLine) -> Iterator[Stack]:
    fake_line.reset(users=True)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "civicline",
        "POWERTOOLS_METRICS_NAMESPACE": "CivicLineTest",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "LINE_API_HOST": fake_line.url,
        "PRIVACY_NOTICE_URL": PRIVACY_URL,
        "AUDIT_TABLE": "civicline-audit",
        "UNFOLLOWED_RETENTION_DAYS": "7",
        "APPLICATIONS_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/civicline-applications",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name=REGION)
        for variable, (table_name, key) in TABLES.items():
            dynamodb.create_table(
                TableName=table_name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            monkeypatch.setenv(variable, table_name)
        secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="civicline/line",
            SecretString=json.dumps(
                {"channelSecret": "civicline-dev-channel-secret", "channelAccessToken": DEV_ACCESS_TOKEN}
            ),
        )
        monkeypatch.setenv("LINE_SECRET_ID", secret["ARN"])
        _clear_caches()
        module = load_function_module("conversation")
        yield Stack(
            handler=module.lambda_handler,
            fake=fake_line,
            users_table=dynamodb.Table(TABLES["USERS_TABLE"][0]),
            conversations_table=dynamodb.Table(TABLES["CONVERSATIONS_TABLE"][0]),
        )
    _clear_caches()
