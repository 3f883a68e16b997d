"""Broadcast planning worker (invoked asynchronously by the planner, one per scan segment).

The composition root of BroadcastPlanWorkerFunction: its service is built once, here, at cold start.
What a worker does and why it is safe to run twice: civicline.services.broadcast_plan_worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.models.environment import BroadcastPlanWorkerEnvironment
from civicline.services.broadcast_plan_worker import build_plan_worker
from civicline.services.broadcast_planning_root import PlanningClients

logger = Logger()
metrics = Metrics()
env = BroadcastPlanWorkerEnvironment.from_environ()
worker = build_plan_worker(logger, metrics, env, PlanningClients.from_aws())


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return worker.handle(event, context, now=datetime.now(UTC))
