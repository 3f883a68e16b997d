"""A broadcast's report for staff, read from its record (and, while planning goes on, its checkpoints)."""

from __future__ import annotations

from civicline.adapters.dynamodb.broadcast_checkpoints import DynamoPlanCheckpoints
from civicline.adapters.dynamodb.broadcasts_table import BroadcastsTable
from civicline.domain.broadcast.streams import TAIL, Stream
from civicline.models.broadcast.report import BroadcastReport

COUNTERS = (
    "batchesPlanned",
    "audienceSize",
    "batchesSent",
    "recipientsSent",
    "batchesFailed",
    "recipientsFailed",
    "batchesCompleted",
    "retries",
    "alreadyAccepted",
)


class DynamoBroadcastReports:
    def __init__(self, table: BroadcastsTable, checkpoints: DynamoPlanCheckpoints) -> None:
        self._table = table
        self._checkpoints = checkpoints

    def report(self, broadcast_id: str) -> BroadcastReport:
        item = self._table.broadcast(broadcast_id)
        planning_complete = bool(item.get("planningComplete", False))
        if planning_complete:
            audience, planned = item["audienceSize"], item["batchesPlanned"]
        else:
            streams: list[Stream] = [*range(int(item["scanSegments"])), TAIL]
            checkpoints = self._checkpoints.checkpoints(broadcast_id, streams).values()
            audience = sum(cp.recipients + len(cp.pending) for cp in checkpoints)
            planned = sum(cp.next_index + bool(cp.pending) for cp in checkpoints)
        return BroadcastReport.model_validate(
            {
                **{name: item.get(name, 0) for name in COUNTERS},
                "broadcastId": broadcast_id,
                "title": item.get("title", ""),
                "status": item["status"],
                "test": bool(item.get("test", False)),
                "createdAt": item["createdAt"],
                "sendDate": item["sendDate"],
                "sendAt": item.get("sendAt"),
                "planningComplete": planning_complete,
                "audienceSize": audience,
                "batchesPlanned": planned,
                "failures": item.get("failures", []),
                "firstBatchAcceptedAt": item.get("firstBatchAcceptedAt"),
                "lastBatchAcceptedAt": item.get("lastBatchAcceptedAt"),
            }
        )
