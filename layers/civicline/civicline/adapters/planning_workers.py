"""Starting planning workers: one asynchronous invocation of BroadcastPlanWorkerFunction per segment.

Asynchronous (`InvocationType: Event`): the planner answers staff at once, and Lambda retries a failed
worker twice with the same event and request id (so the same lease owner resumes its own segment),
then hands the event to the function's dead-letter target (staff notices).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import error_code
from civicline.domain.broadcast.errors import WorkersUnavailable

LAMBDA_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10)


def lambda_client() -> Any:
    return boto3.client("lambda", config=LAMBDA_CONFIG)


def worker_event(broadcast_id: str, scan_segment: int) -> dict[str, Any]:
    return {"broadcastId": broadcast_id, "scanSegment": scan_segment}


class LambdaPlanningWorkers:
    def __init__(self, client: Any, function_name: str) -> None:
        self._client = client
        self._function = function_name

    def __call__(self, broadcast_id: str, scan_segments: Sequence[int]) -> None:
        for scan_segment in scan_segments:
            try:
                self._client.invoke(
                    FunctionName=self._function,
                    InvocationType="Event",
                    Payload=json.dumps(worker_event(broadcast_id, scan_segment)).encode(),
                )
            except (ClientError, BotoCoreError) as error:
                # Invoking the planner again starts the segments still not done (a second start of
                # one already running is refused by its lease): safe to retry.
                raise WorkersUnavailable(
                    f"broadcast {broadcast_id}: worker {scan_segment} not started: {error_code(error)}"
                ) from error
