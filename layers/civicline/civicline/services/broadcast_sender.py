"""The broadcast sender: one batch per SQS record, multicast with its retry key, counted once.

A batch not sent in full goes back to the queue (BatchNotYetSent) and comes again with the same key.
Built once per container (`build_sender`, called by the handler at import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from civicline.adapters.dynamodb.broadcast_ledger import DynamoBroadcasts
from civicline.adapters.dynamodb.broadcast_messages import MessageCache
from civicline.adapters.dynamodb.broadcasts_table import BroadcastsTable
from civicline.adapters.dynamodb.send_slots import DynamoSendSlots
from civicline.adapters.line.multicast import LineMulticast
from civicline.adapters.sqs.broadcast_batches import BroadcastBatchRecord
from civicline.domain.broadcast.errors import BatchNotYetSent
from civicline.domain.broadcast.outcome import SendOutcome
from civicline.domain.broadcast.sender import BatchResult, Multicast, SendSlots, send_batch
from civicline.models.environment import BroadcastSenderEnvironment


@dataclass(frozen=True)
class BroadcastSender:
    """Sends one batch per record; its send slots (the multicast rate) last for the sandbox's life."""

    logger: Logger
    metrics: Metrics
    ledger: DynamoBroadcasts
    messages: MessageCache
    multicast: Multicast
    slots: SendSlots

    def _count(self, name: str, value: int) -> None:
        if value:
            self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def send_record(self, record: BroadcastBatchRecord, seconds_left: Callable[[], float]) -> None:
        batch = record.body
        messages = self.messages.messages(batch.broadcast_id, batch.language)
        try:
            result = send_batch(batch, messages, self.multicast, self.slots, seconds_left=seconds_left)
        except BatchNotYetSent as error:
            self.ledger.add_retries(batch.broadcast_id, error.retries)
            self._count("Retries", error.retries)
            self._count("RateLimited", error.rate_limited)
            self._count("BatchesRequeued", 1)
            self.logger.warning(
                "batch back to the queue",
                extra={
                    "broadcast_id": batch.broadcast_id,
                    "batch": batch.batch_number,
                    "retries": error.retries,
                },
            )
            raise
        recipients = len(batch.user_ids)
        answered = datetime.now(UTC)
        counted = self.ledger.record_result(
            batch.broadcast_id, batch.batch_number, recipients, result, answered, language=batch.language
        )
        self._measure(result, recipients, counted)
        self.logger.info(
            "batch settled",
            extra={
                "broadcast_id": batch.broadcast_id,
                "batch": batch.batch_number,
                "language": batch.language.value,
                "outcome": result.outcome.value,
                "status": result.status,
                "retries": result.retries,
                "counted": counted,
            },
        )

    def _measure(self, result: BatchResult, recipients: int, counted: bool) -> None:
        """What this attempt did; batches and recipients only when counted, so the sums match reports."""
        self._count("Retries", result.retries)
        self._count("RateLimited", result.rate_limited)
        if not counted:
            self._count("BatchesRepeated", 1)
            return
        if result.outcome is SendOutcome.REJECTED:
            self._count("BatchesFailed", 1)
            self._count("RecipientsFailed", recipients)
            return
        self._count("BatchesSent", 1)
        self._count("RecipientsSent", recipients)
        self._count("AlreadyAccepted", int(result.outcome is SendOutcome.ALREADY_ACCEPTED))


def build_sender(
    logger: Logger,
    metrics: Metrics,
    env: BroadcastSenderEnvironment,
    *,
    dynamodb: Any,
    dynamodb_wire: Any,
    line: Callable[[], Any],
) -> BroadcastSender:
    """The sender from its clients: the DynamoDB resource and plain client, and LINE's Messaging API
    (`line` gives it per call, so a rotated channel token reaches a warm container)."""
    broadcasts = dynamodb.Table(env.broadcasts_table)
    ledger = DynamoBroadcasts(BroadcastsTable(broadcasts, dynamodb_wire))
    return BroadcastSender(
        logger=logger,
        metrics=metrics,
        ledger=ledger,
        messages=MessageCache(ledger.request),
        multicast=LineMulticast(line),
        # The multicast rate lasts for the sandbox's life: one limiter per container.
        slots=DynamoSendSlots(broadcasts, env.multicast_rate_per_second),
    )
