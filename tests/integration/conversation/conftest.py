"""Fixtures of the conversation worker's integration tests: template.yaml's resources, the fake LINE."""

from __future__ import annotations

import boto3
import pytest
from tests.integration.aws_from_template import TemplateAws
from tests.integration.conversation.conversation_stack import PRIVACY_URL, REGION, Stack
from tests.support.lambda_runtime import load_function_module

from devstack.fake_line import FakeLine


@pytest.fixture
def aws_overrides(fake_line: FakeLine) -> dict[str, str]:
    return {
        "LINE_API_HOST": fake_line.url,
        # Not the template's defaults: the greeting's link and the purge date then prove the worker
        # reads these variables rather than falling back on a value of its own.
        "PRIVACY_NOTICE_URL": PRIVACY_URL,
        "UNFOLLOWED_RETENTION_DAYS": "7",
    }


@pytest.fixture
def stack(aws: TemplateAws, fake_line: FakeLine) -> Stack:
    fake_line.reset(users=True)
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    return Stack(
        handler=load_function_module("conversation").lambda_handler,
        fake=fake_line,
        aws=aws,
        users_table=dynamodb.Table(aws.table("UsersTable")),
        conversations_table=dynamodb.Table(aws.table("ConversationsTable")),
    )
