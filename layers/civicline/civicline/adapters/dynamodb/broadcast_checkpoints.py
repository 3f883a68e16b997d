"""The planner's lease and checkpoints in Broadcasts: who may plan a broadcast, and how far it got.

A checkpoint is written only while its writer holds the lease (one transaction: lease check +
checkpoint), so a planner that lost its lease can never move a stream backwards or sideways.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from civicline.adapters.dynamodb.broadcasts_table import TAIL, BroadcastsTable, plain, plan_key, wire
from civicline.domain.broadcast.errors import LeaseLost, PlanningInProgress
from civicline.domain.broadcast.planner import PlanState
from civicline.models.broadcast.checkpoint import PlanCheckpoint


class DynamoPlanCheckpoints:
    def __init__(self, table: BroadcastsTable) -> None:
        self._table = table

    def acquire_lease(self, broadcast_id: str, owner: str, now: datetime, until: datetime) -> PlanState:
        result = self._table.update(
            Key={"broadcastId": broadcast_id},
            UpdateExpression="SET plannerLease = :owner, leaseUntil = :until",
            ConditionExpression=(
                "attribute_exists(broadcastId) AND (attribute_not_exists(plannerLease) "
                "OR plannerLease = :owner OR leaseUntil < :now)"
            ),
            ExpressionAttributeValues={
                ":owner": owner,
                ":until": int(until.timestamp()),
                ":now": int(now.timestamp()),
            },
            ReturnValues="ALL_NEW",
        )
        if result is None:
            raise PlanningInProgress(f"broadcast {broadcast_id} is being planned")
        item = plain(result["Attributes"])
        scan_segments = int(item["scanSegments"])
        return PlanState(
            scan_segments=scan_segments,
            checkpoints={s: self.checkpoint(broadcast_id, s) for s in range(scan_segments)},
            planning_complete=bool(item.get("planningComplete", False)),
            tail=self.checkpoint(broadcast_id, TAIL),
        )

    def checkpoint(self, broadcast_id: str, stream: int | str) -> PlanCheckpoint:
        item = self._table.item(plan_key(broadcast_id, stream))
        if item is None:
            return PlanCheckpoint()
        item.pop("broadcastId")
        return PlanCheckpoint.model_validate(item)

    def save_checkpoint(self, broadcast_id: str, owner: str, scan_segment: int, cp: PlanCheckpoint) -> None:
        self._save(broadcast_id, owner, scan_segment, cp)

    def save_tail(self, broadcast_id: str, owner: str, cp: PlanCheckpoint) -> None:
        self._save(broadcast_id, owner, TAIL, cp)

    def _save(self, broadcast_id: str, owner: str, stream: int | str, cp: PlanCheckpoint) -> None:
        item = {"broadcastId": plan_key(broadcast_id, stream), **cp.model_dump(by_alias=True)}
        failed = self._table.transact(
            [
                {
                    "ConditionCheck": {
                        "TableName": self._table.name,
                        "Key": wire({"broadcastId": broadcast_id}),
                        "ConditionExpression": "plannerLease = :owner",
                        "ExpressionAttributeValues": wire({":owner": owner}),
                    }
                },
                {"Put": {"TableName": self._table.name, "Item": wire(item)}},
            ]
        )
        if failed is not None:
            raise LeaseLost(f"broadcast {broadcast_id}: planner lease lost")

    def _leased_update(self, broadcast_id: str, owner: str, expression: str, values: dict[str, Any]) -> None:
        result = self._table.update(
            Key={"broadcastId": broadcast_id},
            UpdateExpression=expression,
            ConditionExpression="plannerLease = :owner",
            ExpressionAttributeValues={**values, ":owner": owner},
        )
        if result is None:
            raise LeaseLost(f"broadcast {broadcast_id}: planner lease lost")

    def finish_planning(self, broadcast_id: str, owner: str, batches_planned: int, audience: int) -> None:
        self._leased_update(
            broadcast_id,
            owner,
            "SET planningComplete = :true, batchesPlanned = :planned, audienceSize = :audience "
            "REMOVE plannerLease, leaseUntil",
            {":true": True, ":planned": batches_planned, ":audience": audience},
        )

    def release_lease(self, broadcast_id: str, owner: str) -> None:
        """Best effort, after a failure: lets a re-invoked planner resume at once."""
        with contextlib.suppress(LeaseLost):
            self._leased_update(broadcast_id, owner, "REMOVE plannerLease, leaseUntil", {})
