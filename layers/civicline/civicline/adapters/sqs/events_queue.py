"""events.fifo: where the webhook hands LINE's events to the conversation worker."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.domain.errors import EnqueueFailed
from civicline.domain.webhook.events import QueuedEvent

SQS_BATCH_MAX = 10


def _batches(events: Sequence[QueuedEvent]) -> Iterator[Sequence[QueuedEvent]]:
    for start in range(0, len(events), SQS_BATCH_MAX):
        yield events[start : start + SQS_BATCH_MAX]


class EventsQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url

    def enqueue(self, events: Sequence[QueuedEvent]) -> None:
        """Every event, or EnqueueFailed: the caller answers 5xx and LINE redelivers the body.

        A redelivery is safe because each message's deduplication id is its webhookEventId, so events
        that did reach the queue the first time are dropped by SQS, not processed twice.
        """
        for batch in _batches(events):
            entries = [
                {
                    "Id": str(index),
                    "MessageBody": event.body,
                    "MessageGroupId": event.group_id,
                    "MessageDeduplicationId": event.deduplication_id,
                }
                for index, event in enumerate(batch)
            ]
            try:
                answer = self._sqs.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
            except (BotoCoreError, ClientError) as error:
                raise EnqueueFailed(f"send_message_batch failed: {type(error).__name__}") from error
            failed = answer.get("Failed") or []
            if failed:
                codes = sorted({entry.get("Code", "?") for entry in failed})
                raise EnqueueFailed(f"{len(failed)} of {len(entries)} events not enqueued: {codes}")
