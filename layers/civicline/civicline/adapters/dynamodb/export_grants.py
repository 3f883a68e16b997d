"""Export grants in the StaffConsole table (models/export_grant.py says what they are for).

Item: `grant#<grantId>` → `{pk, grant: the ExportGrant as JSON, expiresAt: epoch seconds (TTL)}`.
StaffApiFunction puts (never overwrites) a grant; ExportFunction consumes it with one conditional
DeleteItem returning the old item, so a grant is used at most once and never after it expired (TTL
removes expired ones only eventually, hence the condition).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.models.export_grant import ExportGrant


def grant_key(grant_id: str) -> dict[str, str]:
    return {"pk": f"grant#{grant_id}"}


class DynamoExportGrants:
    """GrantStore over the StaffConsole table (`table`: its boto3 Table resource)."""

    def __init__(self, table: Any, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._table = table
        self._clock = clock

    def issue(self, grant: ExportGrant) -> None:
        try:
            self._table.put_item(
                Item={
                    **grant_key(grant.grant_id),
                    "grant": grant.model_dump_json(by_alias=True),
                    "expiresAt": int(grant.expires_at.timestamp()),
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "StaffConsole.put_item(grant)") from error

    def consume(self, grant_id: str) -> ExportGrant | None:
        try:
            answer = self._table.delete_item(
                Key=grant_key(grant_id),
                ConditionExpression="attribute_exists(pk) AND expiresAt > :now",
                ExpressionAttributeValues={":now": int(self._clock().timestamp())},
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if is_condition_failure(error):
                return None  # unknown, used already, or expired
            raise unavailable(error, "StaffConsole.delete_item(grant)") from error
        except BotoCoreError as error:
            raise unavailable(error, "StaffConsole.delete_item(grant)") from error
        return ExportGrant.model_validate_json(str(answer["Attributes"]["grant"]))
