"""Segmented broadcasts: the planner (staff CLI / EventBridge Scheduler) and the sender (SQS batches).

The planner's events and how each is answered: civicline.services.broadcast.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.services.broadcast import BroadcastPlanner, BroadcastSender

logger = Logger()
# A failed batch is reported like any other (BatchSize 1): SQS retries it, then the DLQ keeps it.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
planner = BroadcastPlanner(logger)
sender = BroadcastSender(logger)
_send_slots = sender.send_slots


@logger.inject_lambda_context(log_event=False)
def plan_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return planner.handle(event, context, now=datetime.now(UTC))


@logger.inject_lambda_context(log_event=False)
def send_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    def seconds_left() -> float:
        return float(context.get_remaining_time_in_millis()) / 1000

    return process_partial_response(
        event=event,
        record_handler=lambda record: sender.send_record(record, seconds_left),
        processor=processor,
        context=context,
    )
