"""Data-rights requests in the Audit table: one item per request, no personal data.

Item: pk `datarights#<YYYY-MM>` (UTC month of the request), sk `<requestedAt>#<webhookEventId>`,
`{recordType: "dataRights", action: "disclosure" | "deletion", subject, webhookEventId, requestedAt,
recordedAt, counts: {name: number}}`. `subject` is a one-way pseudonym of the LINE user id
(civicline/domain/data_rights/identity.py), never the id. The key comes from the event, so a retried
request writes the same key: the conditional put keeps the first and adds nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.domain.data_rights.records import AuditEntry
from civicline.ward_time import stored_time

RECORD_TYPE = "dataRights"


def audit_key(entry: AuditEntry) -> dict[str, str]:
    return {
        "pk": f"datarights#{entry.requested_at.astimezone(UTC):%Y-%m}",
        "sk": f"{stored_time(entry.requested_at)}#{entry.event_id}",
    }


class DynamoDataRightsAudit:
    """DataRightsAudit over the Audit table."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def record(self, entry: AuditEntry) -> None:
        item: dict[str, Any] = {
            **audit_key(entry),
            "recordType": RECORD_TYPE,
            "action": entry.action.value,
            "subject": entry.subject,
            "webhookEventId": entry.event_id,
            "requestedAt": stored_time(entry.requested_at),
            "recordedAt": stored_time(entry.recorded_at),
            "counts": {str(name): int(value) for name, value in entry.counts.items()},
        }
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if is_condition_failure(error):
                return  # recorded by an earlier try of the same request
            raise unavailable(error, "Audit.put_item(dataRights)") from error
        except BotoCoreError as error:
            raise unavailable(error, "Audit.put_item(dataRights)") from error

    def month(self, moment: datetime, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` requests of `moment`'s month: action, hashed subject, when, counts."""
        try:
            found = self._table.query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": f"datarights#{moment.astimezone(UTC):%Y-%m}"},
                ScanIndexForward=False,
                Limit=limit,
            )
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Audit.query(dataRights)") from error
        return [
            {
                "action": str(item["action"]),
                "subject": str(item["subject"]),
                "requestedAt": str(item["requestedAt"]),
                "counts": {str(k): int(v) for k, v in item.get("counts", {}).items()},
            }
            for item in found.get("Items", [])
        ]
