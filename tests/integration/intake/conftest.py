"""Fixtures of the intake integration tests: template.yaml's resources, the fake LINE, the handler."""

from __future__ import annotations

import pytest
from tests.integration.aws_from_template import TemplateAws
from tests.integration.intake.intake_stack import IntakeStack

from devstack.fake_line import FakeLine


@pytest.fixture
def aws_overrides(fake_line: FakeLine) -> dict[str, str]:
    return {"LINE_API_HOST": fake_line.url}


@pytest.fixture
def stack(aws: TemplateAws, fake_line: FakeLine) -> IntakeStack:
    fake_line.reset(users=True)
    return IntakeStack(fake=fake_line, aws=aws)
