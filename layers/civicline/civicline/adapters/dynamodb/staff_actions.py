"""StaffActions: what each member of staff did through the console (docs/staff_api.md, "Audit").

Item: pk `staff#<YYYY-MM>` (UTC month), sk `<at>#<actionId>`; at, actorSub, actorUsername, action,
target, detail (ids, counts, statuses). Written once (never updated), read a month at a time, newest
first: the audit page queries this month and the one before, never scans.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import unavailable
from civicline.models.staff import StaffAction, StaffActor


def month_pk(moment: datetime) -> str:
    return f"staff#{moment.astimezone(UTC):%Y-%m}"


class DynamoStaffActions:
    def __init__(self, table: Any) -> None:
        self._table = table

    def record(self, action: StaffAction) -> None:
        at = action.at.astimezone(UTC).isoformat()
        item = {
            "pk": month_pk(action.at),
            "sk": f"{at}#{uuid.uuid4().hex}",
            "at": at,
            "actorSub": action.actor.sub,
            "actorUsername": action.actor.username,
            "action": action.action,
            "target": action.target,
            "detail": action.detail,
        }
        try:
            self._table.put_item(Item=item)
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "StaffActions.put_item") from error

    def month(self, moment: datetime, limit: int) -> list[StaffAction]:
        """The newest `limit` actions of `moment`'s month."""
        try:
            found = self._table.query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": month_pk(moment)},
                ScanIndexForward=False,
                Limit=limit,
            )
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "StaffActions.query") from error
        return [
            StaffAction(
                at=datetime.fromisoformat(item["at"]),
                actor=StaffActor(username=item["actorUsername"], sub=item["actorSub"]),
                action=item["action"],
                target=item.get("target", ""),
                detail=_plain(item.get("detail", {})),
            )
            for item in found.get("Items", [])
        ]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
