"""The broadcast planner (staff CLI / EventBridge Scheduler): preview, schedule, plan or report.

Events and how each is answered:
    {"request": {...BroadcastRequest...}}        dry run → audience preview; send_at more than a few
                                                 minutes ahead → recorded and scheduled; else planned
    {"broadcastId": "...", "trigger": "schedule"}  its one-time schedule fired: plan the recorded request
    {"report": "<broadcastId>"}                  the broadcast's report
    {"cancel": "<broadcastId>"}                  cancel a scheduled broadcast (its record, then its
                                                 schedule) → its report, status `cancelled`

A broadcast with more than one scan segment is planned by planning workers (one per segment, started
here asynchronously: civicline.services.broadcast_plan_worker); the answer is then the report as it
stands (`planningComplete: false`), and `report` follows it.

Built once per container (`build_planner`, called by the handler at import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from civicline.adapters.broadcast_schedules import SCHEDULE_TRIGGER, EventBridgeBroadcastScheduler
from civicline.adapters.dynamodb.audience import DynamoAudience
from civicline.adapters.dynamodb.broadcast_ledger import DynamoBroadcasts
from civicline.adapters.planning_workers import LambdaPlanningWorkers
from civicline.domain.broadcast.errors import (
    BroadcastError,
    BroadcastNotFound,
    NotYetDue,
    PlanningInProgress,
    SchedulingUnavailable,
    WorkersUnavailable,
)
from civicline.domain.broadcast.planner import (
    Lease,
    StartWorkers,
    plan_broadcast,
    scan_segments_for,
)
from civicline.domain.broadcast.preview import preview
from civicline.domain.broadcast.scheduling import cancel_scheduled, is_due, schedule_broadcast
from civicline.domain.broadcast.segment import send_date
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.broadcast.report import BroadcastReport
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.environment import BroadcastPlannerEnvironment
from civicline.models.validation import validation_details
from civicline.services.broadcast_planning_root import PlanningClients, planning_adapters

LEASE_MARGIN = timedelta(seconds=60)


def _error(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **extra}}


def _refused(error: ValidationError | BroadcastNotFound) -> dict[str, Any]:
    if isinstance(error, BroadcastNotFound):
        return _error("BroadcastNotFound", str(error))
    # Field paths and reasons only: input values (message text) stay out of the answer and the logs.
    return _error("InvalidRequest", "invalid broadcast request", details=validation_details(error))


@dataclass(frozen=True)
class BroadcastPlanner:
    """The planner's answer to one invocation: a preview, a schedule, a plan or a report."""

    logger: Logger
    metrics: Metrics
    env: BroadcastPlannerEnvironment
    ledger: DynamoBroadcasts
    audience: DynamoAudience
    enqueue: Callable[[BroadcastBatch], None]
    scheduler: EventBridgeBroadcastScheduler
    start_workers: StartWorkers

    def _scan_segments(self) -> int:
        """Fixed by the environment (tests), else following the audience (planner.scan_segments_for)."""
        if self.env.scan_segments is not None:
            return self.env.scan_segments
        return scan_segments_for(self.audience.estimated_size(), self.env.residents_per_segment)

    def handle(self, event: dict[str, Any], context: LambdaContext, now: datetime) -> dict[str, Any]:
        for asked, answer in (("report", self._report), ("cancel", self._cancel)):
            if asked in event:
                return answer(str(event[asked]))
        try:
            request = self._requested(event)
        except (ValidationError, BroadcastNotFound) as error:
            return _refused(error)
        fired = event.get("trigger") == SCHEDULE_TRIGGER
        self.logger.append_keys(
            broadcast_id=request.broadcast_id, dry_run=request.dry_run, trigger=event.get("trigger")
        )
        if request.dry_run:
            return self._preview(request, now)
        if request.broadcast_id is None:
            return _error("InvalidRequest", "a broadcast to send needs a broadcast_id")
        try:
            report = self._schedule_or_plan(request, fired, context, now)
        except (PlanningInProgress, SchedulingUnavailable, WorkersUnavailable):
            raise  # retryable: the scheduler (or staff) tries again
        except BroadcastError as error:
            self.logger.warning("broadcast refused", extra={"reason": type(error).__name__})
            return _error(type(error).__name__, str(error))
        self.logger.info(
            "broadcast accepted",
            extra={
                "status": report.status.value,
                "batches": report.batches_planned,
                "audience_size": report.audience_size,
            },
        )
        return report.model_dump(mode="json", by_alias=True)

    def _report(self, broadcast_id: str) -> dict[str, Any]:
        try:
            return self.ledger.report(broadcast_id).model_dump(mode="json", by_alias=True)
        except BroadcastNotFound:
            return _error("BroadcastNotFound", f"no broadcast {broadcast_id}")

    def _cancel(self, broadcast_id: str) -> dict[str, Any]:
        self.logger.append_keys(broadcast_id=broadcast_id)
        try:
            report = cancel_scheduled(broadcast_id, ledger=self.ledger, scheduler=self.scheduler)
        except SchedulingUnavailable:
            raise  # retryable: the record says cancelled, so the schedule plans nothing if it fires
        except BroadcastError as error:
            self.logger.warning("cancel refused", extra={"reason": type(error).__name__})
            return _error(type(error).__name__, str(error))
        self.logger.info("broadcast cancelled")
        return report.model_dump(mode="json", by_alias=True)

    def _requested(self, event: dict[str, Any]) -> BroadcastRequest:
        """The request to act on: in the event, or (when a schedule fires) as it was recorded."""
        if event.get("trigger") == SCHEDULE_TRIGGER:
            return self.ledger.request(str(event.get("broadcastId", "")))
        return BroadcastRequest.model_validate(event.get("request"))

    def _preview(self, request: BroadcastRequest, now: datetime) -> dict[str, Any]:
        day = send_date(request.send_at, now)
        result = preview(
            self.audience,
            request.segment,
            day.year,
            day.isoformat(),
            self._scan_segments(),
            versions=request.versions,
        )
        self.logger.info("audience previewed", extra={"audience_size": result.audience_size})
        return {"dryRun": True, **result.model_dump(mode="json", by_alias=True)}

    def _schedule_or_plan(
        self, request: BroadcastRequest, fired: bool, context: LambdaContext, now: datetime
    ) -> BroadcastReport:
        day = send_date(request.send_at, now)
        if not is_due(request.send_at, now):
            if fired:
                raise NotYetDue(f"broadcast {request.broadcast_id} fired before its send_at")
            return schedule_broadcast(
                request,
                send_date=day.isoformat(),
                scan_segments=self._scan_segments(),
                ledger=self.ledger,
                scheduler=self.scheduler.aimed_at(context.invoked_function_arn),
                now=now,
            )
        remaining = timedelta(milliseconds=context.get_remaining_time_in_millis())
        enqueued = 0

        def enqueue(batch: BroadcastBatch) -> None:
            nonlocal enqueued
            self.enqueue(batch)
            enqueued += 1

        try:
            return plan_broadcast(
                request,
                day=day,
                scan_segments=self._scan_segments(),
                ledger=self.ledger,
                audience=self.audience,
                enqueue=enqueue,
                lease=Lease(owner=context.aws_request_id, now=now, until=now + remaining + LEASE_MARGIN),
                start_workers=self.start_workers,
            )
        finally:
            self.metrics.add_metric(name="BatchesEnqueued", unit=MetricUnit.Count, value=enqueued)


def build_planner(
    logger: Logger,
    metrics: Metrics,
    env: BroadcastPlannerEnvironment,
    clients: PlanningClients,
    *,
    scheduler: Any,
    lambda_: Any,
) -> BroadcastPlanner:
    """The planner from the planning clients, EventBridge Scheduler and Lambda (to start the workers)."""
    planning = planning_adapters(env, clients)
    return BroadcastPlanner(
        logger=logger,
        metrics=metrics,
        env=env,
        ledger=planning.ledger,
        audience=planning.audience,
        enqueue=planning.queue.enqueue,
        scheduler=EventBridgeBroadcastScheduler(
            scheduler, env.broadcast_schedule_group, env.broadcast_scheduler_role_arn
        ),
        start_workers=LambdaPlanningWorkers(lambda_, env.plan_worker_function),
    )
