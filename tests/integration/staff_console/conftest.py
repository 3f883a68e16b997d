"""Fixtures of the console's data suite: template.yaml's resources, the export and refresh handlers."""

from __future__ import annotations

import pytest
from tests.integration.aws_from_template import TemplateAws
from tests.integration.staff_console.console_stack import ConsoleStack, build_console_stack


@pytest.fixture
def aws_overrides() -> dict[str, str]:
    return {"EXPORT_SAFETY_LAG_SECONDS": "0"}  # the tests set receivedAt themselves


@pytest.fixture
def console(aws: TemplateAws, monkeypatch: pytest.MonkeyPatch) -> ConsoleStack:
    return build_console_stack(aws, monkeypatch)
