"""Broadcast planner (staff CLI / EventBridge Scheduler): preview, schedule, plan or report.

The composition root of BroadcastPlannerFunction: its service is built once, here, at cold start.
The events and how each is answered: civicline.services.broadcast_planner.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.adapters.broadcast_schedules import scheduler_client
from civicline.adapters.planning_workers import lambda_client
from civicline.models.environment import BroadcastPlannerEnvironment
from civicline.services.broadcast_planner import build_planner
from civicline.services.broadcast_planning_root import PlanningClients

logger = Logger()
metrics = Metrics()
env = BroadcastPlannerEnvironment.from_environ()
planner = build_planner(
    logger, metrics, env, PlanningClients.from_aws(), scheduler=scheduler_client(), lambda_=lambda_client()
)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return planner.handle(event, context, now=datetime.now(UTC))
