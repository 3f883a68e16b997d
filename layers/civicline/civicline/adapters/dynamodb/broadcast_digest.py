"""The latest broadcasts for the console snapshot: their status and counts, read from the Broadcasts
table's record items (`<id>`, never the request, checkpoints or batch items: see broadcasts_table.py).

The table has no index by time (broadcasts are few: a ward sends a handful a week), so the refresh
scans it, filtering to record items and projecting the counters only.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import unavailable
from civicline.models.dashboard import BroadcastDigest

_NAMES = {
    "#id": "broadcastId",
    "#status": "status",
    "#createdAt": "createdAt",
    "#audience": "audienceSize",
    "#sent": "recipientsSent",
    "#failed": "recipientsFailed",
}


def _number(item: dict[str, Any], name: str) -> int:
    return int(item.get(name, {}).get("N", "0"))


class DynamoBroadcastDigest:
    """BroadcastDigestSource over the Broadcasts table (a plain client, wire format)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table_name = table_name

    def latest(self, limit: int) -> list[BroadcastDigest]:
        request: dict[str, Any] = {
            "TableName": self._table_name,
            # Sub-items (`<id>#...`) and the senders' rate-limit windows (`ratelimit#...`) all hold a '#'.
            "FilterExpression": "NOT contains(#id, :hash) AND attribute_exists(#createdAt)",
            "ProjectionExpression": ", ".join(_NAMES),
            "ExpressionAttributeNames": _NAMES,
            "ExpressionAttributeValues": {":hash": {"S": "#"}},
        }
        found: list[BroadcastDigest] = []
        while True:
            try:
                page = self._client.scan(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, "Broadcasts.scan(latest)") from error
            found.extend(
                BroadcastDigest(
                    broadcast_id=item["broadcastId"]["S"],
                    status=item.get("status", {}).get("S", ""),
                    created_at=item["createdAt"]["S"],
                    recipients=_number(item, "audienceSize"),
                    sent=_number(item, "recipientsSent"),
                    failed=_number(item, "recipientsFailed"),
                )
                for item in page.get("Items", [])
            )
            found = sorted(found, key=lambda digest: digest.created_at, reverse=True)[:limit]
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
