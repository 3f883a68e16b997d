"""The staff console's snapshot refresh: residents, applications, surveys and broadcasts counted once,
stored for the console to read with one GetItem (civicline.domain.dashboard.refresh).

Scheduled (DashboardRefreshSchedule, hourly by default) and started by the console's 「最新の状態に更新」
(`POST /staff/api/dashboard/refresh`, asynchronous). Locally: invoke `DashboardRefreshFunction`
through the local stack's Lambda endpoint (README, "The staff console's counts").
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.models.environment import DashboardRefreshEnvironment
from civicline.services import dashboard_refresh

logger = Logger()
metrics = Metrics()
service = dashboard_refresh.build(DashboardRefreshEnvironment.from_environ(), logger, metrics)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return service.handle(event)
