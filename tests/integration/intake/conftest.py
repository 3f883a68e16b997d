"""Fixtures of the intake integration tests: moto, the fake LINE, the handler driven like Lambda."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from tests.integration.intake.intake_stack import (
    APPLICATIONS_TABLE,
    DEV_ACCESS_TOKEN,
    IDEMPOTENCY_TABLE,
    REGION,
    IntakeStack,
    clear_caches,
    create_tables,
)

from devstack.fake_line import FakeLine


@pytest.fixture(scope="session")
def fake_line() -> Iterator[FakeLine]:
    fake = FakeLine(host="127.0.0.1", port=0, channel_access_token=DEV_ACCESS_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, fake_line: FakeLine) -> Iterator[IntakeStack]:
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
        "APPLICATIONS_TABLE": APPLICATIONS_TABLE,
        "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_tables(dynamodb)
        key_arn = boto3.client("kms", region_name=REGION).create_key(Description="pii")["KeyMetadata"]["Arn"]
        monkeypatch.setenv("PII_KEY_ARN", key_arn)
        secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="civicline/line",
            SecretString=json.dumps(
                {"channelSecret": "civicline-dev-channel-secret", "channelAccessToken": DEV_ACCESS_TOKEN}
            ),
        )
        monkeypatch.setenv("LINE_SECRET_ID", secret["ARN"])
        clear_caches()
        yield IntakeStack(fake=fake_line, dynamodb=dynamodb, pii_key_arn=key_arn)
    clear_caches()
