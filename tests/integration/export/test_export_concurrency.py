"""The watermark under load: applications stored while an export runs are exported once, by one export."""

from __future__ import annotations

import csv
import io
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import botocore.client
import pytest
from tests.integration.export.export_stack import FORM, ExportStack
from tests.support.lambda_runtime import load_function_module

from civicline.domain.export.errors import WatermarkMoved
from civicline.domain.export.watermark import Watermark

LAG_SECONDS = 1.0
# Slower than any write here (stamp to visible), but shorter than the lag: the lag's whole point.
MAX_WRITE_DELAY = 0.3
WRITERS = 4
PER_WRITER = 15


@pytest.fixture
def one_call_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's in-process backends are not thread-safe (a transaction deep-copies the table while other
    threads write it); DynamoDB is. Calls are serialised, so they interleave as whole API calls, which
    is the granularity the watermark reasons about."""
    original = botocore.client.BaseClient._make_api_call
    lock = threading.Lock()

    def serialised(self: botocore.client.BaseClient, operation: str, params: dict[str, object]) -> object:
        with lock:
            return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", serialised)


def _numbers(stack: ExportStack, result: dict[str, object]) -> list[str]:
    key = result.get("objectKey")
    if not key:
        return []
    rows = csv.reader(io.StringIO(stack.download(str(key)).decode("utf-8-sig"), newline=""))
    return [row[0] for row in list(rows)[1:]]


@pytest.mark.usefixtures("one_call_at_a_time")
def test_applications_arriving_during_an_export_are_exported_once(
    stack: ExportStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a safety lag longer than the slowest write (stamped, then stored up to 0.3 s later)
    monkeypatch.setenv("EXPORT_SAFETY_LAG_SECONDS", str(LAG_SECONDS))
    stack.handler = load_function_module("export")  # a new container: its tuning read at cold start
    stored: list[str] = []
    lock = threading.Lock()
    started = threading.Event()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(PER_WRITER):
            stamped = datetime.now(UTC)  # intake stamps receivedAt, then writes
            time.sleep(rng.uniform(0, MAX_WRITE_DELAY))
            record = stack.add_application(received_at=stamped)
            with lock:
                stored.append(record.reception_number)
            started.set()
            time.sleep(rng.uniform(0, 0.05))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    # When exports run while the writers are still storing, and once more a lag after they stop
    assert started.wait(timeout=30)
    time.sleep(LAG_SECONDS + MAX_WRITE_DELAY)
    during = [stack.staff_export()]
    time.sleep(0.4)
    during.append(stack.staff_export())
    for thread in threads:
        thread.join()
    time.sleep(LAG_SECONDS + 0.1)
    after = stack.staff_export()
    # Then every stored application is in exactly one file
    files = [_numbers(stack, result) for result in (*during, after)]
    exported = [number for numbers in files for number in numbers]
    assert sorted(exported) == sorted(stored)
    assert len(set(exported)) == len(exported)
    # And the exports during the writes did take some (the test exercised the overlap)
    assert files[0]
    assert len(stored) == WRITERS * PER_WRITER


def test_two_exports_cannot_claim_from_the_same_watermark(stack: ExportStack) -> None:
    # Given two exports that read the same watermark
    audit = stack.audit
    previous = audit.watermark(FORM)
    now = datetime.now(UTC)

    def claim(export_id: str) -> Watermark:
        return previous.claimed_by(
            export_id, now=now, lag=timedelta(0), lease_until=now + timedelta(minutes=6)
        )

    # When both write their claim / Then the second is refused by the condition
    audit.replace_watermark(claim("e1"), expected_version=previous.version)
    with pytest.raises(WatermarkMoved):
        audit.replace_watermark(claim("e2"), expected_version=previous.version)
    # And an export started now stops cleanly, with nothing written
    stack.add_application()
    answer = stack.staff_export()
    assert answer["error"]["type"] == "ExportInProgress"
    assert stack.s3.list_objects_v2(Bucket=stack.bucket).get("KeyCount", 0) == 0
