"""The LINE client suite: template.yaml's LINE secret in moto, the fake LINE as LINE."""

from __future__ import annotations

import pytest

from devstack.fake_line import FakeLine


@pytest.fixture
def aws_overrides(fake_line: FakeLine) -> dict[str, str]:
    return {"LINE_API_HOST": fake_line.url}
