"""The staff console's ホーム at 1M residents: what one dashboard view reads, and what a refresh costs.

`console.dashboard_read_units_1m` is the read units one dashboard view costs with 1,000,000 residents:
the view reads the snapshot item alone (one eventually consistent GetItem: 0.5 unit per 4 KB), so the
figure is the snapshot's billed size at 1M residents, counted here from a census of
`BENCH_CONSOLE_RESIDENTS` simulated residents (the broadcast bench's generator, parsed as the census
adapter parses a Scan page). What the view calls is measured against moto with
`BENCH_CONSOLE_MOTO_RESIDENTS` seeded residents: one GetItem on StaffConsoleTable, nothing on Users.
The refresh's own cost (one Scan of Users per refresh) is reported beside it, for the schedule's price.

Style and shared pieces: tools/bench/broadcast.py (resident generator, billed item sizes, seeding).
"""

from __future__ import annotations

import math
import os
import time
from typing import Any, cast

from tools.bench.broadcast import REGION, item_bytes, resident_items, seed_users
from tools.bench.results import Measure

BENCH_RESIDENTS = int(os.environ.get("BENCH_CONSOLE_RESIDENTS", "1000000"))
MOTO_RESIDENTS = int(os.environ.get("BENCH_CONSOLE_MOTO_RESIDENTS", "2000"))
READ_UNITS_GOAL = 1.0  # one 4 KB read at most, whatever the number of residents
TABLES = {
    "bench-users": "userId",
    "bench-applications": "applicationId",
    "bench-broadcasts": "broadcastId",
    "bench-console": "pk",
}


def census_at(residents: int) -> tuple[Any, float, float]:
    """The census of `residents` simulated Users items: (census, seconds, Scan read units)."""
    from civicline.adapters.dynamodb.resident_census import _facts
    from civicline.domain.dashboard.census import Census

    census = Census()
    scanned = 0
    started = time.process_time()
    for item in resident_items(residents):
        scanned += item_bytes(item)
        census.add(_facts(item))
    return census.result(), time.process_time() - started, scanned / 4096 / 2


def snapshot_item(census: Any) -> dict[str, Any]:
    """The snapshot item as DynamoConsoleSnapshots stores it (wire format), with every form listed
    and the latest broadcasts at their longest (ids of the planner's shape, large counts)."""
    from datetime import UTC, datetime

    from civicline.adapters.dynamodb.console_snapshots import DASHBOARD_KEY
    from civicline.domain.applications.forms.definition import form_ids, load_form
    from civicline.messages import text
    from civicline.models.dashboard import BroadcastDigest, DashboardSnapshot, FormApplications

    now = datetime.now(UTC)
    snapshot = DashboardSnapshot(
        **census.model_dump(),
        applications_waiting=tuple(
            FormApplications(form_id=f, title=text(load_form(f).title), waiting=99_999, exported=999_999)
            for f in form_ids()
        ),
        latest_broadcasts=tuple(
            BroadcastDigest(
                broadcast_id=f"20261129T090000Z-{n:08x}",
                status="sending",
                created_at=now.isoformat(),
                recipients=1_000_000,
                sent=999_999,
                failed=1,
            )
            for n in range(5)
        ),
        as_of=now,
    )
    return {
        "pk": {"S": DASHBOARD_KEY},
        "counts": {"S": snapshot.model_dump_json(by_alias=True)},
        "asOf": {"S": now.isoformat()},
    }


def _create_tables(client: Any) -> None:
    for name, key in TABLES.items():
        attributes = [{"AttributeName": key, "AttributeType": "S"}]
        extra: dict[str, Any] = {}
        if name == "bench-applications":  # the export's index, which the refresh counts through
            attributes += [
                {"AttributeName": "formId", "AttributeType": "S"},
                {"AttributeName": "receivedAt", "AttributeType": "S"},
            ]
            extra["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": "byFormReceived",
                    "KeySchema": [
                        {"AttributeName": "formId", "KeyType": "HASH"},
                        {"AttributeName": "receivedAt", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ]
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=attributes,
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )


def view_calls(residents: int) -> dict[str, float]:
    """Against moto: a refresh over `residents`, then one dashboard view: which calls the view made."""
    from aws_lambda_powertools import Logger, Metrics
    from moto import mock_aws

    os.environ.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto's, in this process only)
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    with mock_aws():
        import boto3

        from civicline.adapters.dynamodb import dynamodb_resource
        from civicline.adapters.dynamodb.console_snapshots import DynamoConsoleSnapshots
        from civicline.models.environment import DashboardRefreshEnvironment
        from civicline.services import dashboard_refresh
        from civicline.services.staff_console_data import ConsoleData

        client = boto3.client("dynamodb")
        _create_tables(client)
        seed_users(client, "bench-users", resident_items(residents))
        env = DashboardRefreshEnvironment.from_environ(
            {
                "USERS_TABLE": "bench-users",
                "APPLICATIONS_TABLE": "bench-applications",
                "BROADCASTS_TABLE": "bench-broadcasts",
                "STAFF_CONSOLE_TABLE": "bench-console",
            }
        )
        counted = dashboard_refresh.build(env, Logger(), Metrics()).handle({"trigger": "bench"})
        resource = dynamodb_resource()
        calls: list[tuple[str, str]] = []

        def record(model: Any, params: dict[str, Any], **_: Any) -> None:
            calls.append((model.name, str(params.get("TableName", ""))))

        resource.meta.client.meta.events.register("before-parameter-build.dynamodb", record)
        view = ConsoleData(
            snapshots=DynamoConsoleSnapshots(resource.Table("bench-console")),
            grants=cast(Any, None),  # a view issues no grant
            functions=cast(Any, None),  # nor starts a function
            logger=Logger(),
        ).dashboard()
    return {
        "residents": float(counted["residents"]),
        "shown": float(view.friends.active + view.friends.blocked),
        "calls": float(len(calls)),
        "snapshot_gets": float(calls.count(("GetItem", "bench-console"))),
        "users_calls": float(sum(table == "bench-users" for _, table in calls)),
    }


def run() -> list[Measure]:
    census, seconds, scan_units = census_at(BENCH_RESIDENTS)
    item = snapshot_item(census)
    size = item_bytes(item)
    view_units = math.ceil(size / 4096) * 0.5
    label = (
        f"{BENCH_RESIDENTS // 1_000_000}m" if BENCH_RESIDENTS >= 1_000_000 else f"{BENCH_RESIDENTS // 1000}k"
    )
    print(
        f"  {BENCH_RESIDENTS:,} residents: snapshot item {size:,} bytes → {view_units} read units a view; "
        f"refresh Scan {scan_units:,.0f} read units, census {seconds:.1f} s CPU"
    )
    moto = view_calls(MOTO_RESIDENTS)
    print(
        f"  moto, {MOTO_RESIDENTS:,} residents: the view made {moto['calls']:.0f} call(s), "
        f"{moto['snapshot_gets']:.0f} GetItem on the snapshot, {moto['users_calls']:.0f} on Users; "
        f"it shows {moto['shown']:,.0f} of {moto['residents']:,.0f} residents"
    )
    exact = moto["shown"] == moto["residents"] and moto["snapshot_gets"] == 1
    return [
        Measure(
            f"console.dashboard_read_units_{label}",
            view_units,
            "RCU",
            f"<= {READ_UNITS_GOAL:g}",
            view_units <= READ_UNITS_GOAL,
        ),
        Measure(f"console.dashboard_item_bytes_{label}", float(size), "bytes", "info", None),
        Measure("console.dashboard_calls_per_view", moto["calls"], "calls", "== 1", moto["calls"] == 1),
        Measure(
            "console.dashboard_users_reads_per_view",
            moto["users_calls"],
            "calls",
            "== 0",
            moto["users_calls"] == 0,
        ),
        Measure("console.dashboard_counts_exact", float(exact), "bool", "== 1", exact),
        Measure(f"console.refresh_scan_read_units_{label}", scan_units, "RCU", "info", None),
        Measure(f"console.refresh_census_cpu_seconds_{label}", seconds, "s", "info", None),
    ]
