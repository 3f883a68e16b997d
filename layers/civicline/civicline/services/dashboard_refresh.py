"""The staff console's snapshot refresh (civicline.domain.dashboard.refresh), scheduled and on demand.

Events: anything (the schedule sends `{"trigger": "schedule"}`, the console `{"trigger": "staff"}`);
every run counts everything again and stores it with its own `asOf`, so a repeated or overlapping run
is harmless (the store keeps the newest). Answers `{"asOf", "residents", "readUnits"}`: counts only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.application_counts import DynamoApplicationCounts
from civicline.adapters.dynamodb.broadcast_digest import DynamoBroadcastDigest
from civicline.adapters.dynamodb.console_snapshots import DynamoConsoleSnapshots
from civicline.adapters.dynamodb.resident_census import DynamoResidentCensus
from civicline.adapters.dynamodb.wire_client import dynamodb_client
from civicline.domain.dashboard.ports import ApplicationCountSource, BroadcastDigestSource, SnapshotStore
from civicline.domain.dashboard.refresh import refresh_snapshot
from civicline.models.environment import DashboardRefreshEnvironment


class DashboardRefreshService:
    def __init__(
        self,
        *,
        residents: DynamoResidentCensus,
        applications: ApplicationCountSource,
        broadcasts: BroadcastDigestSource,
        store: SnapshotStore,
        logger: Logger,
        metrics: Metrics,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._residents = residents
        self._applications = applications
        self._broadcasts = broadcasts
        self._store = store
        self._logger = logger
        self._metrics = metrics
        self._clock = clock

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        # Logged as one of two known words: nothing a caller writes reaches the logs.
        trigger = "staff" if isinstance(event, dict) and event.get("trigger") == "staff" else "schedule"
        snapshot = refresh_snapshot(
            residents=self._residents,
            applications=self._applications,
            broadcasts=self._broadcasts,
            store=self._store,
            now=self._clock(),
        )
        reads = self._residents.reads
        residents = snapshot.friends.active + snapshot.friends.blocked
        self._metrics.add_metric(name="DashboardRefreshed", unit=MetricUnit.Count, value=1)
        self._logger.info(
            "dashboard refreshed",
            extra={
                "trigger": trigger,
                "residents": residents,
                "pages": reads.pages,
                "read_units": reads.read_units,
            },
        )
        assert snapshot.as_of is not None
        return {"asOf": snapshot.as_of.isoformat(), "residents": residents, "readUnits": reads.read_units}


def build(env: DashboardRefreshEnvironment, logger: Logger, metrics: Metrics) -> DashboardRefreshService:
    """The composition root's wiring (functions/dashboard_refresh/app.py, once per container; tests too)."""
    client = dynamodb_client()
    return DashboardRefreshService(
        residents=DynamoResidentCensus(client, env.users_table),
        applications=DynamoApplicationCounts(client, env.applications_table),
        broadcasts=DynamoBroadcastDigest(client, env.broadcasts_table),
        store=DynamoConsoleSnapshots(dynamodb_resource().Table(env.staff_console_table)),
        logger=logger,
        metrics=metrics,
    )
