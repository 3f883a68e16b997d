"""Counting the Users table for the dashboard snapshot: a parallel Scan, settings only, counts out.

Only follow status and 受信設定 are projected: never the user id, display name or icon, so nothing that
names a resident crosses into this function's memory. Each scan segment folds its own pages into a
Census on its own thread; the censuses are merged at the end. Items are read in DynamoDB's wire format
(see audience.py: the resource layer's deserialiser would cost more than the Scan).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import unavailable
from civicline.domain.dashboard.census import Census, ResidentFacts
from civicline.models.dashboard import ResidentCensus

SCAN_SEGMENTS = 4
_NAMES = {
    "#status": "status",
    "#birthYear": "birthYear",
    "#gender": "gender",
    "#area": "area",
    "#genres": "genres",
}
_PROJECTION = ", ".join(_NAMES)


def _facts(item: dict[str, Any]) -> ResidentFacts:
    birth_year = item.get("birthYear", {}).get("N")
    genres = item.get("genres", {}).get("SS")
    return ResidentFacts(
        status=item.get("status", {}).get("S", "active"),
        birth_year=int(birth_year) if birth_year is not None else None,
        gender=item.get("gender", {}).get("S"),
        area=item.get("area", {}).get("S"),
        genres=frozenset(genres) if genres else None,
    )


@dataclass
class CensusReads:
    """What the last census read (counts only): the benchmark and the logs report it."""

    pages: int = 0
    items: int = 0
    read_units: float = 0.0


class DynamoResidentCensus:
    """ResidentCensusSource over the Users table, through a plain client (wire_client.dynamodb_client)."""

    def __init__(self, client: Any, table_name: str, segments: int = SCAN_SEGMENTS) -> None:
        self._client = client
        self._table_name = table_name
        self._segments = segments
        self.reads = CensusReads()

    def census(self) -> ResidentCensus:
        self.reads = CensusReads()
        with ThreadPoolExecutor(max_workers=self._segments) as pool:
            censuses = list(pool.map(self._segment, range(self._segments)))
        total = Census()
        for census in censuses:
            total.merge(census)
        return total.result()

    def _segment(self, segment: int) -> Census:
        census = Census()
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "ProjectionExpression": _PROJECTION,
            "ExpressionAttributeNames": _NAMES,
            "Segment": segment,
            "TotalSegments": self._segments,
            "ReturnConsumedCapacity": "TOTAL",
        }
        while True:
            try:
                page = self._client.scan(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, "Users.scan(census)") from error
            items = page.get("Items", [])
            census.add_all(_facts(item) for item in items)
            self.reads.pages += 1
            self.reads.items += len(items)
            self.reads.read_units += float((page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0.0))
            if "LastEvaluatedKey" not in page:
                return census
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
