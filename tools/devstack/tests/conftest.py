"""One local stack over the small fixture template, shared by the devstack integration tests.

The fixture template (fixture_stack/template.yaml) has the same shapes as the real one: KMS keys with
policies, tables with GSIs/TTL/SSE, standard and FIFO queues with DLQs, a bucket with a TLS-only
policy, a topic, the LINE secret, an HttpApi and SQS event sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.stack import LocalStack

FIXTURE_TEMPLATE = Path(__file__).parent / "fixture_stack" / "template.yaml"


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # Port 0 everywhere: free ports, so a developer's running `make local` does not collide.
    local = LocalStack(
        FIXTURE_TEMPLATE,
        moto_port=0,
        api_port=0,
        line_port=0,
        invoke_port=0,
        log_dir=tmp_path_factory.mktemp("devstack-logs"),
        retry_backoff_seconds=0,
    )
    with local:
        yield local
