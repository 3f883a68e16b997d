"""Segmented broadcasts: the planner (staff CLI / EventBridge Scheduler) and the sender (SQS batches).

plan_handler events:
    {"request": {...BroadcastRequest...}}   dry run → audience preview; otherwise plan and enqueue
    {"report": "<broadcastId>"}             the broadcast's report
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from civicline.adapters.dynamodb.audience import DynamoAudience
from civicline.adapters.dynamodb.broadcasts import DynamoBroadcasts, DynamoSendSlots
from civicline.adapters.sqs.broadcast_batches import BroadcastBatchesQueue, parse_batch
from civicline.domain.broadcast.errors import (
    BatchNotYetSent,
    BroadcastError,
    BroadcastNotFound,
    NotYetDue,
    PlanningInProgress,
)
from civicline.domain.broadcast.planner import Lease, plan_broadcast, preview
from civicline.domain.broadcast.segment import send_date
from civicline.domain.broadcast.sender import send_batch
from civicline.models.broadcast import BroadcastRequest, BroadcastTuning
from civicline.models.environment import (
    BroadcastPlannerEnvironment,
    BroadcastSenderEnvironment,
    environment,
)

logger = Logger()
# A failed batch is reported like any other (BatchSize 1): SQS retries it, then the DLQ keeps it.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

# EventBridge Scheduler fires at the send time (flexible window off); a little early is still on time.
SCHEDULE_TOLERANCE = timedelta(minutes=5)
LEASE_MARGIN = timedelta(seconds=60)


@cache
def tuning() -> BroadcastTuning:
    return BroadcastTuning.model_validate(dict(os.environ))


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


def _report(ledger: DynamoBroadcasts, broadcast_id: str) -> dict[str, Any]:
    try:
        return ledger.report(broadcast_id).model_dump(mode="json", by_alias=True)
    except BroadcastNotFound:
        return _error("BroadcastNotFound", f"no broadcast {broadcast_id}")


@logger.inject_lambda_context(log_event=False)
def plan_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    env = environment(BroadcastPlannerEnvironment)
    ledger = DynamoBroadcasts(env.broadcasts_table)
    if "report" in event:
        return _report(ledger, str(event["report"]))
    try:
        request = BroadcastRequest.model_validate(event.get("request"))
    except ValidationError as error:
        # Field paths and reasons only: input values (message text) stay out of the answer and the logs.
        details = [
            {"loc": ".".join(map(str, e["loc"])), "msg": e["msg"]} for e in error.errors(include_input=False)
        ]
        return {
            "error": {"type": "InvalidRequest", "message": "invalid broadcast request", "details": details}
        }
    now = datetime.now(UTC)
    day = send_date(request.send_at, now)
    audience = DynamoAudience(env.users_table)
    logger.append_keys(broadcast_id=request.broadcast_id, dry_run=request.dry_run)
    if request.dry_run:
        result = preview(audience, request.segment, day.year, day.isoformat(), tuning().scan_segments)
        logger.info("audience previewed", extra={"audience_size": result.audience_size})
        return {"dryRun": True, **result.model_dump(mode="json", by_alias=True)}
    try:
        if request.send_at is not None and request.send_at > now + SCHEDULE_TOLERANCE:
            raise NotYetDue("send_at is in the future: schedule it (broadcast_cli send) instead")
        if request.broadcast_id is None:
            return _error("InvalidRequest", "a broadcast to send needs a broadcast_id")
        remaining = timedelta(milliseconds=context.get_remaining_time_in_millis())
        lease = Lease(owner=context.aws_request_id, now=now, until=now + remaining + LEASE_MARGIN)
        queue = BroadcastBatchesQueue(env.broadcast_batches_queue_url)
        report = plan_broadcast(
            request,
            day=day,
            scan_segments=tuning().scan_segments,
            ledger=ledger,
            audience=audience,
            enqueue=queue.enqueue,
            lease=lease,
            workers=tuning().plan_workers,
        )
    except PlanningInProgress:
        raise  # retryable: the scheduler (or staff) tries again once the other planner is done
    except BroadcastError as error:
        logger.warning("broadcast refused", extra={"reason": type(error).__name__})
        return _error(type(error).__name__, str(error))
    logger.info(
        "broadcast planned",
        extra={"batches": report.batches_planned, "audience_size": report.audience_size},
    )
    return report.model_dump(mode="json", by_alias=True)


@cache
def _send_slots(table_name: str) -> DynamoSendSlots:
    return DynamoSendSlots(table_name, tuning().multicast_rate_per_second)


def _send_record(record: SQSRecord) -> None:
    from civicline.adapters.line.multicast import multicast  # noqa: PLC0415 (planner never loads the SDK)

    env = environment(BroadcastSenderEnvironment)
    batch = parse_batch(record.body)
    ledger = DynamoBroadcasts(env.broadcasts_table)
    messages = ledger.messages(batch.broadcast_id)
    try:
        result = send_batch(batch, messages, multicast, _send_slots(env.broadcasts_table))
    except BatchNotYetSent as error:
        ledger.add_retries(batch.broadcast_id, error.retries)
        logger.warning(
            "batch back to the queue",
            extra={"broadcast_id": batch.broadcast_id, "batch": batch.batch_number, "retries": error.retries},
        )
        raise
    counted = ledger.record_result(batch.broadcast_id, batch.batch_number, len(batch.user_ids), result)
    logger.info(
        "batch settled",
        extra={
            "broadcast_id": batch.broadcast_id,
            "batch": batch.batch_number,
            "outcome": result.outcome.value,
            "status": result.status,
            "retries": result.retries,
            "counted": counted,
        },
    )


@logger.inject_lambda_context(log_event=False)
def send_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_send_record, processor=processor, context=context
    )
