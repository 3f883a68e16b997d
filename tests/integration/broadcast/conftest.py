"""Fixtures of the broadcast integration tests: template.yaml's resources (Users, Broadcasts, the
broadcast-batches queue and its DLQ, the schedule group, the LINE secret), the fake LINE, and the planner
and sender handlers driven like Lambda drives them."""

from __future__ import annotations

import pytest
from tests.integration.aws_from_template import TemplateAws
from tests.integration.broadcast.broadcast_stack import BroadcastStack

from devstack.fake_line import FakeLine


@pytest.fixture
def aws_overrides(fake_line: FakeLine) -> dict[str, str]:
    return {
        "LINE_API_HOST": fake_line.url,
        # Not one segment per 50,000 residents: the tests read residents through 3 segments (3 planning
        # workers), each ending in a partial batch.
        "BROADCAST_SCAN_SEGMENTS": "3",
    }


@pytest.fixture
def stack(aws: TemplateAws, fake_line: FakeLine) -> BroadcastStack:
    fake_line.reset(users=True)
    return BroadcastStack(fake=fake_line, aws=aws)
