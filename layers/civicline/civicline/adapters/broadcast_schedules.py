"""One-time EventBridge Scheduler schedules that start broadcasts planned ahead.

Each schedule is named after its broadcast (ids are unique, and the group is the broadcasts' own), runs
once at `send_at` in Tokyo time, invokes the planner with only the broadcast's id, and deletes itself
afterwards. Scheduler retries a failed invocation; the planner is idempotent, so that is always safe.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.domain.broadcast.errors import SchedulingUnavailable

SCHEDULE_TIMEZONE = "Asia/Tokyo"
SCHEDULE_TRIGGER = "schedule"
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10)


@cache
def _scheduler_client() -> Any:
    return boto3.client("scheduler", config=_CONFIG)


def at_expression(send_at: datetime) -> str:
    """`at(yyyy-mm-ddThh:mm:ss)` in Tokyo time (Scheduler reads it in ScheduleExpressionTimezone)."""
    local = send_at.astimezone(ZoneInfo(SCHEDULE_TIMEZONE)).replace(tzinfo=None)
    return f"at({local.isoformat(timespec='seconds')})"


def schedule_input(broadcast_id: str) -> str:
    """The planner's event when the schedule fires: the id only, so the recorded request is what runs."""
    return json.dumps({"broadcastId": broadcast_id, "trigger": SCHEDULE_TRIGGER})


class EventBridgeBroadcastScheduler:
    def __init__(self, group: str, role_arn: str, planner_arn: str, client: Any | None = None) -> None:
        self._group = group
        self._role_arn = role_arn
        self._planner_arn = planner_arn
        self._client = client or _scheduler_client()

    def schedule(self, broadcast_id: str, send_at: datetime) -> None:
        try:
            self._client.create_schedule(
                Name=broadcast_id,
                GroupName=self._group,
                ScheduleExpression=at_expression(send_at),
                ScheduleExpressionTimezone=SCHEDULE_TIMEZONE,
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Description=f"broadcast {broadcast_id}",
                Target={
                    "Arn": self._planner_arn,
                    "RoleArn": self._role_arn,
                    "Input": schedule_input(broadcast_id),
                    "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600},
                },
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "?")
            if code == "ConflictException":
                return  # made by an earlier invocation for this broadcast
            raise SchedulingUnavailable(f"broadcast {broadcast_id} not scheduled: {code}") from error
        except BotoCoreError as error:
            raise SchedulingUnavailable(
                f"broadcast {broadcast_id} not scheduled: {type(error).__name__}"
            ) from error
