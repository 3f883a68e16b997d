"""One-time EventBridge Scheduler schedules that start broadcasts planned ahead.

Each schedule is named after its broadcast (ids are unique, and the group is the broadcasts' own), runs
once at `send_at` in the ward's time, invokes the planner with only the broadcast's id, and deletes
itself afterwards. Scheduler retries a failed invocation; the planner is idempotent, so that is always
safe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import error_code, has_code
from civicline.domain.broadcast.errors import SchedulingUnavailable
from civicline.ward_time import WARD_TZ_NAME, ward_time

SCHEDULE_TRIGGER = "schedule"
SCHEDULER_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10)


def scheduler_client() -> Any:
    return boto3.client("scheduler", config=SCHEDULER_CONFIG)


def at_expression(send_at: datetime) -> str:
    """`at(yyyy-mm-ddThh:mm:ss)` in the ward's time (Scheduler reads it in ScheduleExpressionTimezone)."""
    local = ward_time(send_at).replace(tzinfo=None)
    return f"at({local.isoformat(timespec='seconds')})"


def schedule_input(broadcast_id: str) -> str:
    """The planner's event when the schedule fires: the id only, so the recorded request is what runs."""
    return json.dumps({"broadcastId": broadcast_id, "trigger": SCHEDULE_TRIGGER})


@dataclass(frozen=True)
class EventBridgeBroadcastScheduler:
    client: Any
    group: str
    role_arn: str
    planner_arn: str = ""  # the invoked function's ARN, known per invocation: see `aimed_at`

    def aimed_at(self, planner_arn: str) -> EventBridgeBroadcastScheduler:
        return replace(self, planner_arn=planner_arn)

    def schedule(self, broadcast_id: str, send_at: datetime) -> None:
        try:
            self.client.create_schedule(
                Name=broadcast_id,
                GroupName=self.group,
                ScheduleExpression=at_expression(send_at),
                ScheduleExpressionTimezone=WARD_TZ_NAME,
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Description=f"broadcast {broadcast_id}",
                Target={
                    "Arn": self.planner_arn,
                    "RoleArn": self.role_arn,
                    "Input": schedule_input(broadcast_id),
                    "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600},
                },
            )
        except (ClientError, BotoCoreError) as error:
            if has_code(error, "ConflictException"):
                return  # made by an earlier invocation for this broadcast
            raise SchedulingUnavailable(
                f"broadcast {broadcast_id} not scheduled: {error_code(error)}"
            ) from error

    def cancel(self, broadcast_id: str) -> None:
        """Delete the broadcast's schedule (nothing if it is gone: fired, or deleted before)."""
        try:
            self.client.delete_schedule(Name=broadcast_id, GroupName=self.group)
        except (ClientError, BotoCoreError) as error:
            if has_code(error, "ResourceNotFoundException"):
                return
            raise SchedulingUnavailable(
                f"broadcast {broadcast_id} schedule not deleted: {error_code(error)}"
            ) from error
