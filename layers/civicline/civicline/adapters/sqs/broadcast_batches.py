"""broadcast-batches: where the planner hands each batch of ≤ 500 recipients to the sender."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Json

from civicline.adapters.aws_errors import error_code
from civicline.domain.errors import EnqueueFailed
from civicline.models.broadcast.batch import BroadcastBatch


class BroadcastBatchRecord(SqsRecordModel):
    """One record of the queue as the sender's BatchProcessor validates it: the body is a batch."""

    body: Json[BroadcastBatch]


class BroadcastBatchesQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs  # civicline.adapters.sqs.client.sqs_client()
        self._queue_url = queue_url

    def enqueue(self, batch: BroadcastBatch) -> None:
        """One message per batch (≈ 18 KB for 500 ids); the messages themselves stay in Broadcasts."""
        try:
            self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=batch.model_dump_json(by_alias=True))
        except (ClientError, BotoCoreError) as error:
            raise EnqueueFailed(
                f"batch {batch.broadcast_id}#{batch.batch_number} not enqueued: {error_code(error)}"
            ) from error
