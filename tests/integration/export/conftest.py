"""Fixtures of the export integration tests: template.yaml's resources, the handler as in Lambda."""

from __future__ import annotations

import pytest
from tests.integration.aws_from_template import TemplateAws
from tests.integration.export.export_stack import ExportStack, build_stack


@pytest.fixture
def aws_overrides() -> dict[str, str]:
    # Not in the template (the handler's default lag is for production): the tests set receivedAt
    # themselves, and the concurrency test sets a lag of its own.
    return {"EXPORT_SAFETY_LAG_SECONDS": "0"}


@pytest.fixture
def stack(aws: TemplateAws) -> ExportStack:
    return build_stack(aws)
