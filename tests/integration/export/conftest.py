"""Fixtures of the export integration tests: moto with the export's resources, the handler as in Lambda."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from tests.integration.export.export_stack import (
    APPLICATIONS_TABLE,
    AUDIT_TABLE,
    EXPORT_BUCKET,
    REGION,
    ExportStack,
    build_stack,
    clear_caches,
)


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[ExportStack]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "civicline",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "APPLICATIONS_TABLE": APPLICATIONS_TABLE,
        "AUDIT_TABLE": AUDIT_TABLE,
        "EXPORT_BUCKET": EXPORT_BUCKET,
        # No lag: the tests control receivedAt themselves (the concurrency test sets its own).
        "EXPORT_SAFETY_LAG_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("EXPORT_LINK_EXPIRY_SECONDS", raising=False)
    with mock_aws():
        clear_caches()
        built, topic_arn = build_stack(boto3)
        monkeypatch.setenv("PII_KEY_ARN", built.pii_key_arn)
        monkeypatch.setenv("STAFF_TOPIC_ARN", topic_arn)
        built.handler.tuning.cache_clear()
        yield built
    clear_caches()
