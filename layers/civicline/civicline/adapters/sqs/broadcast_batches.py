"""broadcast-batches: where the planner hands each batch of ≤ 500 recipients to the sender."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.domain.errors import EnqueueFailed
from civicline.models.broadcast.batch import BroadcastBatch

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=5)


@cache
def _sqs_client() -> Any:
    return boto3.client("sqs", config=_CONFIG)


class BroadcastBatchesQueue:
    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self._queue_url = queue_url
        self._sqs = client or _sqs_client()

    def enqueue(self, batch: BroadcastBatch) -> None:
        """One message per batch (≈ 18 KB for 500 ids); the messages themselves stay in Broadcasts."""
        try:
            self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=batch.model_dump_json(by_alias=True))
        except (ClientError, BotoCoreError) as error:
            code = error.response.get("Error", {}).get("Code", "?") if isinstance(error, ClientError) else ""
            reason = code or type(error).__name__
            raise EnqueueFailed(
                f"batch {batch.broadcast_id}#{batch.batch_number} not enqueued: {reason}"
            ) from error


def parse_batch(body: str) -> BroadcastBatch:
    return BroadcastBatch.model_validate_json(body)
