"""Segmented broadcasts: the planner (staff CLI / EventBridge Scheduler) and the sender (SQS batches).

Planner events:
    {"request": {...BroadcastRequest...}}        dry run → audience preview; send_at more than a few
                                                 minutes ahead → recorded and scheduled; else planned
    {"broadcastId": "...", "trigger": "schedule"}  its one-time schedule fired: plan the recorded request
    {"report": "<broadcastId>"}                  the broadcast's report

The sender takes one batch per SQS record; a batch not sent in full goes back to the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from civicline.adapters.broadcast_schedules import SCHEDULE_TRIGGER, EventBridgeBroadcastScheduler
from civicline.adapters.dynamodb.audience import DynamoAudience
from civicline.adapters.dynamodb.broadcasts import DynamoBroadcasts, DynamoSendSlots
from civicline.adapters.sqs.broadcast_batches import BroadcastBatchesQueue, parse_batch
from civicline.domain.broadcast.errors import (
    BatchNotYetSent,
    BroadcastError,
    BroadcastNotFound,
    NotYetDue,
    PlanningInProgress,
    SchedulingUnavailable,
)
from civicline.domain.broadcast.planner import Lease, plan_broadcast, preview
from civicline.domain.broadcast.scheduling import is_due, schedule_broadcast
from civicline.domain.broadcast.segment import send_date
from civicline.domain.broadcast.sender import send_batch
from civicline.models.broadcast.report import BroadcastReport
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.environment import (
    BroadcastPlannerEnvironment,
    BroadcastSenderEnvironment,
    environment,
)

LEASE_MARGIN = timedelta(seconds=60)


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


def _report(ledger: DynamoBroadcasts, broadcast_id: str) -> dict[str, Any]:
    try:
        return ledger.report(broadcast_id).model_dump(mode="json", by_alias=True)
    except BroadcastNotFound:
        return _error("BroadcastNotFound", f"no broadcast {broadcast_id}")


def _invalid(error: ValidationError) -> dict[str, Any]:
    # Field paths and reasons only: input values (message text) stay out of the answer and the logs.
    details = [
        {"loc": ".".join(map(str, e["loc"])), "msg": e["msg"]} for e in error.errors(include_input=False)
    ]
    return {"error": {"type": "InvalidRequest", "message": "invalid broadcast request", "details": details}}


def _requested(event: dict[str, Any], ledger: DynamoBroadcasts) -> BroadcastRequest:
    """The request to act on: in the event, or (when a schedule fires) as it was recorded."""
    if event.get("trigger") == SCHEDULE_TRIGGER:
        return ledger.request(str(event.get("broadcastId", "")))
    return BroadcastRequest.model_validate(event.get("request"))


class BroadcastPlanner:
    """The planner's answer to one invocation: a preview, a schedule, a plan or a report."""

    def __init__(self, logger: Logger) -> None:
        self._logger = logger

    def handle(self, event: dict[str, Any], context: LambdaContext, now: datetime) -> dict[str, Any]:
        env = environment(BroadcastPlannerEnvironment)
        ledger = DynamoBroadcasts(env.broadcasts_table)
        if "report" in event:
            return _report(ledger, str(event["report"]))
        try:
            request = _requested(event, ledger)
        except (ValidationError, BroadcastNotFound) as error:
            return (
                _invalid(error)
                if isinstance(error, ValidationError)
                else _error("BroadcastNotFound", str(error))
            )
        self._logger.append_keys(
            broadcast_id=request.broadcast_id, dry_run=request.dry_run, trigger=event.get("trigger")
        )
        if request.dry_run:
            return self._preview(request, env, now)
        if request.broadcast_id is None:
            return _error("InvalidRequest", "a broadcast to send needs a broadcast_id")
        try:
            report = _schedule_or_plan(
                request, event.get("trigger") == SCHEDULE_TRIGGER, env, ledger, context, now
            )
        except (PlanningInProgress, SchedulingUnavailable):
            raise  # retryable: the scheduler (or staff) tries again
        except BroadcastError as error:
            self._logger.warning("broadcast refused", extra={"reason": type(error).__name__})
            return _error(type(error).__name__, str(error))
        self._logger.info(
            "broadcast accepted",
            extra={
                "status": report.status.value,
                "batches": report.batches_planned,
                "audience_size": report.audience_size,
            },
        )
        return report.model_dump(mode="json", by_alias=True)

    def _preview(
        self, request: BroadcastRequest, env: BroadcastPlannerEnvironment, now: datetime
    ) -> dict[str, Any]:
        day = send_date(request.send_at, now)
        audience = DynamoAudience(env.users_table)
        result = preview(audience, request.segment, day.year, day.isoformat(), env.scan_segments)
        self._logger.info("audience previewed", extra={"audience_size": result.audience_size})
        return {"dryRun": True, **result.model_dump(mode="json", by_alias=True)}


def _schedule_or_plan(  # noqa: PLR0917 (the handler's parts, handed on)
    request: BroadcastRequest,
    fired: bool,
    env: BroadcastPlannerEnvironment,
    ledger: DynamoBroadcasts,
    context: LambdaContext,
    now: datetime,
) -> BroadcastReport:
    day = send_date(request.send_at, now)
    if not is_due(request.send_at, now):
        if fired:
            raise NotYetDue(f"broadcast {request.broadcast_id} fired before its send_at")
        scheduler = EventBridgeBroadcastScheduler(
            env.broadcast_schedule_group, env.broadcast_scheduler_role_arn, context.invoked_function_arn
        )
        return schedule_broadcast(
            request,
            send_date=day.isoformat(),
            scan_segments=env.scan_segments,
            ledger=ledger,
            scheduler=scheduler,
            now=now,
        )
    remaining = timedelta(milliseconds=context.get_remaining_time_in_millis())
    return plan_broadcast(
        request,
        day=day,
        scan_segments=env.scan_segments,
        ledger=ledger,
        audience=DynamoAudience(env.users_table),
        enqueue=BroadcastBatchesQueue(env.broadcast_batches_queue_url).enqueue,
        lease=Lease(owner=context.aws_request_id, now=now, until=now + remaining + LEASE_MARGIN),
        workers=env.plan_workers,
    )


class BroadcastSender:
    """Sends one batch per record; its send slots (the multicast rate) last for the sandbox's life."""

    def __init__(self, logger: Logger) -> None:
        self._logger = logger
        self.send_slots = cache(DynamoSendSlots)

    def send_record(self, record: SQSRecord, seconds_left: Callable[[], float]) -> None:
        from civicline.adapters.line.multicast import multicast  # noqa: PLC0415 (planner never loads the SDK)

        env = environment(BroadcastSenderEnvironment)
        batch = parse_batch(record.body)
        ledger = DynamoBroadcasts(env.broadcasts_table)
        messages = ledger.messages(batch.broadcast_id)
        slots = self.send_slots(env.broadcasts_table, env.multicast_rate_per_second)
        try:
            result = send_batch(batch, messages, multicast, slots, seconds_left=seconds_left)
        except BatchNotYetSent as error:
            ledger.add_retries(batch.broadcast_id, error.retries)
            self._logger.warning(
                "batch back to the queue",
                extra={
                    "broadcast_id": batch.broadcast_id,
                    "batch": batch.batch_number,
                    "retries": error.retries,
                },
            )
            raise
        counted = ledger.record_result(batch.broadcast_id, batch.batch_number, len(batch.user_ids), result)
        self._logger.info(
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
