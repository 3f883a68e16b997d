"""Fixtures of the broadcast integration tests: moto (Users, Broadcasts, broadcast-batches + DLQ, the
LINE secret), the fake LINE, and the planner and sender handlers driven like Lambda drives them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from tests.integration.broadcast.broadcast_stack import DEV_ACCESS_TOKEN, REGION, BroadcastStack, clear_caches

from devstack.fake_line import FakeLine


@pytest.fixture(scope="session")
def fake_line() -> Iterator[FakeLine]:
    fake = FakeLine(host="127.0.0.1", port=0, channel_access_token=DEV_ACCESS_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, fake_line: FakeLine) -> Iterator[BroadcastStack]:
    fake_line.reset(users=True)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "civicline",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "LINE_API_HOST": fake_line.url,
        "USERS_TABLE": "civicline-users",
        "BROADCASTS_TABLE": "civicline-broadcasts",
        "BROADCAST_MULTICAST_RATE": "200",
        "BROADCAST_SCAN_SEGMENTS": "3",
        "BROADCAST_PLAN_WORKERS": "1",  # moto's transactions are not thread-safe
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        for table_name, key in (("civicline-users", "userId"), ("civicline-broadcasts", "broadcastId")):
            dynamodb.create_table(
                TableName=table_name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        sqs = boto3.client("sqs", region_name=REGION)
        dlq = sqs.create_queue(QueueName="civicline-broadcast-batches-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        queue = sqs.create_queue(
            QueueName="civicline-broadcast-batches",
            Attributes={
                "VisibilityTimeout": "0",  # a failed batch is visible again at once: tests need not wait
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
            },
        )["QueueUrl"]
        monkeypatch.setenv("BROADCAST_BATCHES_QUEUE_URL", queue)
        secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="civicline/line",
            SecretString=json.dumps(
                {"channelSecret": "civicline-dev-channel-secret", "channelAccessToken": DEV_ACCESS_TOKEN}
            ),
        )
        monkeypatch.setenv("LINE_SECRET_ID", secret["ARN"])
        clear_caches()
        yield BroadcastStack(fake=fake_line, dynamodb=dynamodb, sqs=sqs, queue_url=queue, dlq_url=dlq)
    clear_caches()
