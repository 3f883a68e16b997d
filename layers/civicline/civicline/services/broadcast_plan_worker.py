"""A planning worker: one scan segment of a broadcast, then the tail if it is the last one done.

Event (from the planner, asynchronously): {"broadcastId": "...", "scanSegment": n}. Why workers, and
what keeps them safe when re-invoked or run twice: civicline.domain.broadcast.planner.
Built once per container (`build_plan_worker`, called by the handler at import).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from civicline.adapters.dynamodb.audience import DynamoAudience
from civicline.adapters.dynamodb.broadcast_ledger import DynamoBroadcasts
from civicline.adapters.sqs.broadcast_batches import BroadcastBatchesQueue
from civicline.domain.broadcast.planner import MAX_SCAN_SEGMENTS, Lease, plan_segment_worker
from civicline.models.broadcast.base import BROADCAST_ID_PATTERN
from civicline.models.broadcast.batch import BroadcastBatch
from civicline.models.environment import BroadcastPlanWorkerEnvironment
from civicline.services.broadcast_planning_root import PlanningClients, planning_adapters

LEASE_MARGIN = timedelta(seconds=60)


class WorkerEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    broadcast_id: str = Field(alias="broadcastId", pattern=BROADCAST_ID_PATTERN)
    scan_segment: int = Field(alias="scanSegment", ge=0, lt=MAX_SCAN_SEGMENTS)


@dataclass(frozen=True)
class BroadcastPlanWorker:
    logger: Logger
    metrics: Metrics
    ledger: DynamoBroadcasts
    audience: DynamoAudience
    queue: BroadcastBatchesQueue

    def handle(self, event: dict[str, Any], context: LambdaContext, now: datetime) -> dict[str, Any]:
        work = WorkerEvent.model_validate(event)  # only the planner invokes this function
        self.logger.append_keys(broadcast_id=work.broadcast_id, scan_segment=work.scan_segment)
        remaining = timedelta(milliseconds=context.get_remaining_time_in_millis())
        enqueued = 0

        def enqueue(batch: BroadcastBatch) -> None:
            nonlocal enqueued
            self.queue.enqueue(batch)
            enqueued += 1

        try:
            done = plan_segment_worker(
                work.broadcast_id,
                work.scan_segment,
                ledger=self.ledger,
                audience=self.audience,
                enqueue=enqueue,
                lease=Lease(owner=context.aws_request_id, now=now, until=now + remaining + LEASE_MARGIN),
            )
        finally:
            self.metrics.add_metric(name="BatchesEnqueued", unit=MetricUnit.Count, value=enqueued)
        self.logger.info(
            "segment planned" if done is not None else "segment left to another invocation",
            extra={"batches": enqueued, "recipients": done or 0},
        )
        return {"scanSegment": work.scan_segment, "batchesEnqueued": enqueued, "done": done is not None}


def build_plan_worker(
    logger: Logger, metrics: Metrics, env: BroadcastPlanWorkerEnvironment, clients: PlanningClients
) -> BroadcastPlanWorker:
    planning = planning_adapters(env, clients)
    return BroadcastPlanWorker(
        logger=logger,
        metrics=metrics,
        ledger=planning.ledger,
        audience=planning.audience,
        queue=planning.queue,
    )
