"""Broadcasts planned ahead: the planner records them and makes a one-time EventBridge Scheduler
schedule that invokes the planner itself; when it fires, the recorded request is planned and sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from tests.integration.broadcast.broadcast_stack import (
    PLANNER_ARN,
    REGION,
    BroadcastStack,
)

TEXT = [{"type": "text", "text": "明日の防災訓練のお知らせです。"}]
SEND_AT = datetime(2031, 4, 1, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


def scheduled_request(broadcast_id: str = "b-later") -> dict[str, Any]:
    return {"broadcast_id": broadcast_id, "messages": TEXT, "send_at": SEND_AT.isoformat()}


def schedule(stack: BroadcastStack, name: str) -> dict[str, Any]:
    found: dict[str, Any] = boto3.client("scheduler", region_name=REGION).get_schedule(
        GroupName=stack.schedule_group, Name=name
    )
    return found


def fire_at(
    stack: BroadcastStack,
    monkeypatch: pytest.MonkeyPatch,
    moment: datetime,
    name: str,
    fired_input: dict[str, Any] | None = None,
) -> dict:
    """What EventBridge Scheduler does at `moment`: invoke the planner with the schedule's input (or
    `fired_input`, taken before the schedule was deleted)."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return moment.astimezone(tz or UTC)

    monkeypatch.setattr(stack.app, "datetime", Clock)
    return stack.invoke_planner(fired_input or json.loads(schedule(stack, name)["Target"]["Input"]))


def test_given_a_future_send_at_then_the_planner_records_it_and_makes_a_one_time_schedule(
    stack: BroadcastStack,
) -> None:
    stack.seed(600)
    # When staff send a request for 2031-04-01 09:30 JST
    report = stack.plan(scheduled_request())
    # Then it is recorded as scheduled, nothing is enqueued or sent yet
    assert report["status"] == "scheduled"
    assert report["batchesPlanned"] == 0
    assert datetime.fromisoformat(report["sendAt"]) == SEND_AT
    assert stack.receive() == []
    # And a one-time schedule in the broadcasts' group invokes this planner with the id only
    made = schedule(stack, "b-later")
    assert made["ScheduleExpression"] == "at(2031-04-01T09:30:00)"
    assert made["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert made["ActionAfterCompletion"] == "DELETE"
    assert made["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert made["Target"]["Arn"] == PLANNER_ARN
    assert made["Target"]["RoleArn"] == stack.scheduler_role_arn
    assert json.loads(made["Target"]["Input"]) == {"broadcastId": "b-later", "trigger": "schedule"}


def test_given_a_scheduled_broadcast_when_requested_again_then_nothing_changes(stack: BroadcastStack) -> None:
    stack.plan(scheduled_request())
    again = stack.plan(scheduled_request(), request_id="staff-retried")
    assert again["status"] == "scheduled"
    schedules = boto3.client("scheduler", region_name=REGION).list_schedules(GroupName=stack.schedule_group)
    assert [s["Name"] for s in schedules["Schedules"]] == ["b-later"]


def test_given_a_send_at_in_a_utc_offset_then_the_schedule_is_written_in_tokyo_time(
    stack: BroadcastStack,
) -> None:
    request = {**scheduled_request("b-utc"), "send_at": "2031-03-31T23:45:00+00:00"}
    stack.plan(request)
    assert schedule(stack, "b-utc")["ScheduleExpression"] == "at(2031-04-01T08:45:00)"


def test_given_the_schedule_fires_then_the_recorded_request_is_sent_to_its_segment_once(
    stack: BroadcastStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a scheduled broadcast to everyone
    items = stack.seed(1200)
    stack.plan(scheduled_request())
    # When its schedule fires at the send time, and (Scheduler retrying) once more
    report = fire_at(stack, monkeypatch, SEND_AT, "b-later")
    again = fire_at(stack, monkeypatch, SEND_AT + timedelta(seconds=30), "b-later")
    stack.drain()
    # Then it was planned from the recorded request and every active resident received it once
    active = {item["userId"]["S"] for item in items if item["status"]["S"] == "active"}
    assert report["planningComplete"] is True
    assert again["batchesPlanned"] == report["batchesPlanned"]
    deliveries = stack.deliveries()
    assert set(deliveries) == active
    assert set(deliveries.values()) == {1}
    assert stack.multicasts()[0]["body"]["messages"][0]["text"] == TEXT[0]["text"]
    assert stack.report("b-later")["status"] == "done"


def test_given_a_schedule_firing_well_before_its_time_then_the_planner_refuses(
    stack: BroadcastStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.plan(scheduled_request())
    answer = fire_at(stack, monkeypatch, SEND_AT - timedelta(hours=1), "b-later")
    assert answer["error"]["type"] == "NotYetDue"
    assert stack.report("b-later")["status"] == "scheduled"
    assert stack.receive() == []


def test_given_an_unknown_broadcast_when_a_schedule_fires_then_it_is_reported_not_found(
    stack: BroadcastStack,
) -> None:
    answer = stack.invoke_planner({"broadcastId": "b-nowhere", "trigger": "schedule"})
    assert answer["error"]["type"] == "BroadcastNotFound"


def test_given_a_scheduled_broadcast_when_staff_cancel_it_then_its_schedule_is_gone_and_no_one_receives_it(
    stack: BroadcastStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a scheduled broadcast to everyone, and its schedule's input (Scheduler may already hold it)
    stack.seed(600)
    stack.plan(scheduled_request())
    fired_input = json.loads(schedule(stack, "b-later")["Target"]["Input"])
    # When staff cancel it
    cancelled = stack.invoke_planner({"cancel": "b-later"})
    # Then it says cancelled and its schedule is deleted
    assert cancelled["status"] == "cancelled"
    scheduler = boto3.client("scheduler", region_name=REGION)
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(GroupName=stack.schedule_group, Name="b-later")
    # And a firing already on its way plans nothing: no batch, no resident reached
    late = fire_at(stack, monkeypatch, SEND_AT, "b-later", fired_input)
    assert late["status"] == "cancelled"
    assert stack.receive() == []
    assert stack.multicasts() == []
    # And cancelling again answers the same
    assert stack.invoke_planner({"cancel": "b-later"})["status"] == "cancelled"


def test_given_a_broadcast_already_sent_when_staff_cancel_it_then_they_are_told_it_cannot_be(
    stack: BroadcastStack,
) -> None:
    stack.seed(10)
    stack.plan({"broadcast_id": "b-now", "messages": TEXT})
    answer = stack.invoke_planner({"cancel": "b-now"})
    assert answer["error"]["type"] == "NotCancellable"
    assert stack.report("b-now")["status"] != "cancelled"


def test_given_an_unknown_broadcast_when_staff_cancel_it_then_it_is_not_found(stack: BroadcastStack) -> None:
    assert stack.invoke_planner({"cancel": "b-nowhere"})["error"]["type"] == "BroadcastNotFound"
