"""A broadcast's report for staff, read from its record (and, while planning goes on, its checkpoints)."""

from __future__ import annotations

from collections import Counter

from civicline.adapters.dynamodb.broadcast_checkpoints import (
    DynamoPlanCheckpoints,
    all_streams,
    recorded_versions,
)
from civicline.adapters.dynamodb.broadcasts_table import BroadcastsTable
from civicline.models.broadcast.report import BroadcastReport
from civicline.models.language import DEFAULT_LANGUAGE

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
            # recorded before there were versions: all of it Japanese
            by_version = item.get("audienceByVersion") or {DEFAULT_LANGUAGE.value: audience}
        else:
            streams = all_streams(int(item["scanSegments"]), recorded_versions(item))
            checkpoints = self._checkpoints.checkpoints(broadcast_id, streams)
            audience = sum(cp.recipients + len(cp.pending) for cp in checkpoints.values())
            planned = sum(cp.next_index + bool(cp.pending) for cp in checkpoints.values())
            counted: Counter[str] = Counter()
            for stream, cp in checkpoints.items():
                counted[stream.language.value] += cp.recipients + len(cp.pending)
            by_version = {language: n for language, n in counted.items() if n}
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
                "audienceByVersion": by_version,
                "batchesPlanned": planned,
                "failures": item.get("failures", []),
                "firstBatchAcceptedAt": item.get("firstBatchAcceptedAt"),
                "lastBatchAcceptedAt": item.get("lastBatchAcceptedAt"),
            }
        )
