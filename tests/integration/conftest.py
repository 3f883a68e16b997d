"""Fixtures every integration suite shares: template.yaml's resources in moto, and the fake LINE.

A suite sets its own environment on top of the template's by overriding `aws_overrides` in its
conftest (for instance LINE_API_HOST of the fake LINE); `aws` then provisions a fresh moto per test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.integration.aws_from_template import TemplateAws, template_aws

from devstack.credentials import DEV_CHANNEL_ACCESS_TOKEN
from devstack.fake_line import FakeLine


@pytest.fixture(scope="session")
def fake_line() -> Iterator[FakeLine]:
    """One fake LINE for the session; a suite's stack fixture resets it for each test."""
    fake = FakeLine(host="127.0.0.1", port=0, channel_access_token=DEV_CHANNEL_ACCESS_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def aws_overrides() -> dict[str, str]:
    """The suite's own environment variables on top of the template's (none unless a suite says so)."""
    return {}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, aws_overrides: dict[str, str]) -> Iterator[TemplateAws]:
    """template.yaml's resources in a new moto, the functions' environment resolved to them."""
    with template_aws(monkeypatch, aws_overrides) as resources:
        yield resources
