"""Planner and sender against moto and the fake LINE: everyone in the segment exactly once, whatever
LINE, SQS or the planner's Lambda do."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime
from typing import cast
from unittest import mock

import boto3
import pytest
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext
from tests.integration.broadcast.broadcast_stack import BroadcastStack, InProcessLambda, worker_context
from tests.support.lambda_runtime import FakeLambdaContext

from civicline.domain.broadcast.segment import matches
from civicline.models.broadcast.segment import Segment
from civicline.models.environment import BroadcastPlannerEnvironment, BroadcastPlanWorkerEnvironment
from civicline.models.resident import ReceptionSettings
from civicline.services.broadcast_plan_worker import build_plan_worker
from civicline.services.broadcast_planner import build_planner
from civicline.services.broadcast_planning_root import PlanningClients

TEXT = [{"type": "text", "text": "区からのお知らせです。"}]
SEND_YEAR = date.today().year


def active_settings(items: list[dict]) -> dict[str, ReceptionSettings]:
    return {
        item["userId"]["S"]: ReceptionSettings(
            birth_year=int(item["birthYear"]["N"]) if "birthYear" in item else None,
            gender=item.get("gender", {}).get("S"),
            area=item.get("area", {}).get("S"),
            genres=frozenset(item["genres"]["SS"]) if "genres" in item else None,
        )
        for item in items
        if item["status"]["S"] == "active"
    }


def expected_audience(items: list[dict], segment: dict) -> set[str]:
    parsed = Segment.model_validate(segment)
    return {uid for uid, s in active_settings(items).items() if matches(parsed, s, SEND_YEAR)}


def test_given_residents_when_dry_run_then_the_audience_is_counted_by_area_and_nothing_is_sent(
    stack: BroadcastStack,
) -> None:
    items = stack.seed(1500)
    segment = {
        "areas": {"any_of": ["yotsuya", "tansu"], "include_unanswered": True},
        "exclude": {"areas": ["outside"]},
    }
    answer = stack.plan({"broadcast_id": "dry-1", "messages": TEXT, "segment": segment, "dry_run": True})
    assert answer["dryRun"] is True
    assert answer["audienceSize"] == len(expected_audience(items, segment))
    assert sum(answer["byArea"].values()) == answer["audienceSize"]
    assert set(answer["byArea"]) <= {"yotsuya", "tansu", "unanswered"}
    assert stack.receive() == []
    assert stack.multicasts() == []
    assert stack.report("dry-1")["error"]["type"] == "BroadcastNotFound"  # a dry run records nothing


@pytest.mark.parametrize(
    "segment",
    [
        {},
        {
            "birth_years": {"from": 1950, "to": 1965},
            "genders": ["female"],
            "areas": ["yotsuya", "tansu"],
            "genres": {"any_of": ["kenko"]},
        },
        {
            "age": {"min": 65, "include_unanswered": True},
            "exclude": {"areas": {"any_of": ["outside"], "include_unanswered": True}},
        },
        {
            "genres": {"all_of": ["bousai", "kenko"]},
            "exclude": {"genders": ["male"], "birth_years": {"to": 1940}},
        },
        {
            "genders": {"any_of": ["other"], "include_unanswered": True},
            "genres": {"any_of": ["koho"], "include_unanswered": True},
        },
    ],
)
def test_given_a_segment_when_sent_then_exactly_its_active_residents_receive_it_once(
    stack: BroadcastStack, segment: dict
) -> None:
    # Given residents with varied settings, some blocked, many with unanswered settings
    items = stack.seed(2200)
    expected = expected_audience(items, segment)
    # When the broadcast is planned and every batch is sent
    report = stack.plan({"broadcast_id": "b-seg", "messages": TEXT, "segment": segment})
    stack.drain()
    # Then LINE received each of them exactly once, in ⌈N/500⌉ batches
    deliveries = stack.deliveries()
    assert set(deliveries) == expected
    assert set(deliveries.values()) <= {1}
    assert all(len(r["body"]["to"]) <= 500 for r in stack.multicasts())
    final = stack.report("b-seg")
    assert report["audienceSize"] == final["recipientsSent"] == len(expected)
    assert final["batchesSent"] == final["batchesPlanned"] == len(stack.multicasts())
    assert len(stack.multicasts()) == math.ceil(len(expected) / 500)
    assert final["status"] == "done"


def test_given_no_faults_then_a_broadcast_costs_exactly_the_minimum_number_of_calls(
    stack: BroadcastStack,
) -> None:
    # Given residents read through 3 scan segments, each ending with a partial batch
    items = stack.seed(3000)
    # When a broadcast to all of them is planned and sent without faults
    stack.plan({"broadcast_id": "b-min", "messages": TEXT})
    stack.drain()
    # Then the segments' remainders shared batches: ⌈N/500⌉ multicasts, all full but one
    audience = len(active_settings(items))
    sizes = sorted(len(r["body"]["to"]) for r in stack.multicasts())
    assert len(sizes) == math.ceil(audience / 500)
    assert sizes[1:] == [500] * (len(sizes) - 1)
    assert stack.report("b-min")["batchesPlanned"] == len(sizes)


def test_given_line_faults_when_sent_then_every_resident_gets_it_once_and_retries_are_counted(
    stack: BroadcastStack,
) -> None:
    # Given LINE answering 429, 5xx and "accepted, then the connection dropped" now and then
    items = stack.seed(2500)
    stack.fake.set_faults(
        {
            "seed": 11,
            "endpoints": {
                "multicast": {"rate_limited": 0.10, "server_error": 0.05, "accepted_then_dropped": 0.05}
            },
            "next": {"multicast": ["accepted_then_dropped", "server_error", "rate_limited"]},
        }
    )
    with mock.patch("civicline.domain.broadcast.sender.backoff_seconds", return_value=0.0):
        stack.plan({"broadcast_id": "b-faults", "messages": TEXT})
        stack.drain()
    deliveries = stack.deliveries()
    assert set(deliveries) == set(active_settings(items))
    assert max(deliveries.values()) == 1
    report = stack.report("b-faults")
    assert report["retries"] >= 3
    assert report["alreadyAccepted"] >= 1  # the dropped answer was settled by the repeat's 409
    assert report["recipientsSent"] == len(deliveries)
    assert report["status"] == "done"


def test_given_a_batch_delivered_again_after_success_then_line_answers_409_and_nothing_is_counted_twice(
    stack: BroadcastStack,
) -> None:
    stack.seed(700)
    stack.plan({"broadcast_id": "b-again", "messages": TEXT})
    message = stack.receive()[0]
    stack.deliver(message)
    before = stack.report("b-again")
    # When SQS delivers the same message again (at-least-once)
    response = stack.deliver(message)
    assert response["batchItemFailures"] == []
    after = stack.report("b-again")
    assert after == before
    assert len(stack.multicasts()) == 1  # the repeat was refused by LINE (409), not delivered


def test_given_a_planned_broadcast_when_the_planner_is_invoked_again_then_no_batch_is_enqueued_twice(
    stack: BroadcastStack,
) -> None:
    stack.seed(1200)
    first = stack.plan({"broadcast_id": "b-twice", "messages": TEXT})
    again = stack.plan({"broadcast_id": "b-twice", "messages": TEXT}, request_id="another-invocation")
    assert again["batchesPlanned"] == first["batchesPlanned"]
    deliveries_made = stack.drain()
    assert deliveries_made == first["batchesPlanned"]
    assert max(stack.deliveries().values()) == 1


def test_given_the_same_id_with_another_request_then_the_planner_refuses(stack: BroadcastStack) -> None:
    stack.seed(10)
    stack.plan({"broadcast_id": "b-conflict", "messages": TEXT})
    answer = stack.plan({"broadcast_id": "b-conflict", "messages": [{"type": "text", "text": "別の文面"}]})
    assert answer["error"]["type"] == "BroadcastIdConflict"


def test_given_the_planner_dies_mid_way_when_invoked_again_then_it_resumes_without_duplicates(
    stack: BroadcastStack,
) -> None:
    items = stack.seed(3000)
    real_sqs = stack.sqs
    calls = {"n": 0}

    class DyingSqs:
        """The planning workers' SQS client: the third batch's worker times out."""

        def send_message(self, **kwargs: object) -> object:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("Lambda timed out")
            return real_sqs.send_message(**kwargs)

    dynamodb = boto3.resource("dynamodb")
    dying_clients = PlanningClients(dynamodb=dynamodb, dynamodb_wire=stack.dynamodb, sqs=DyingSqs())
    dying_worker = build_plan_worker(
        Logger(), Metrics(), BroadcastPlanWorkerEnvironment.from_environ(), dying_clients
    )
    dying = build_planner(
        Logger(),
        Metrics(),
        BroadcastPlannerEnvironment.from_environ(),
        dying_clients,
        scheduler=boto3.client("scheduler"),
        lambda_=InProcessLambda(
            lambda event: dying_worker.handle(event, cast(LambdaContext, worker_context()), datetime.now(UTC))
        ),
    )
    context = FakeLambdaContext(aws_request_id="first-invocation", remaining_millis=900_000)
    with pytest.raises(RuntimeError):
        dying.handle(
            {"request": {"broadcast_id": "b-crash", "messages": TEXT}},
            cast(LambdaContext, context),
            datetime.now(UTC),
        )
    assert stack.report("b-crash")["planningComplete"] is False
    stack.plan({"broadcast_id": "b-crash", "messages": TEXT}, request_id="second-invocation")
    stack.drain()
    deliveries = stack.deliveries()
    assert set(deliveries) == set(active_settings(items))
    assert max(deliveries.values()) == 1
    assert stack.report("b-crash")["status"] == "done"


def test_given_line_rejects_a_batch_then_it_is_recorded_failed_with_lines_details_and_not_retried(
    stack: BroadcastStack,
) -> None:
    stack.seed(300)
    # A Flex bubble over LINE's 30 KB: the SDK's models accept it, LINE answers 400
    big = {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": "あ" * 2000} for _ in range(8)],
        },
    }
    stack.plan(
        {"broadcast_id": "b-400", "messages": [{"type": "flex", "altText": "お知らせ", "contents": big}]}
    )
    deliveries = stack.drain()
    report = stack.report("b-400")
    assert deliveries == report["batchesPlanned"]  # each batch once: no retry
    assert report["batchesFailed"] == report["batchesPlanned"] >= 1
    assert report["status"] == "partially_failed"
    assert report["failures"][0]["status"] == 400
    assert report["failures"][0]["message"]
    assert stack.multicasts() == []


def test_given_test_recipients_then_only_staff_receive_it(stack: BroadcastStack) -> None:
    stack.seed(500)
    staff = [f"U{'f' * 31}{n}" for n in range(2)]
    stack.plan({"broadcast_id": "b-test", "messages": TEXT, "test_user_ids": staff})
    stack.drain()
    assert set(stack.deliveries()) == set(staff)
    assert stack.report("b-test")["test"] is True


def test_given_a_poison_message_then_the_sender_reports_it_failed(stack: BroadcastStack) -> None:
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody='{"broadcastId": "x"}')
    response = stack.deliver(stack.receive()[0])
    assert len(response["batchItemFailures"]) == 1


def test_given_random_segments_then_dynamodbs_filter_agrees_with_the_domain(stack: BroadcastStack) -> None:
    items = stack.seed(1200, seed=3)
    rng = random.Random(5)
    for round_ in range(6):
        segment: dict = {}
        if rng.random() < 0.6:
            segment["areas"] = {
                "any_of": rng.sample(["yotsuya", "tansu", "okubo", "outside"], 2),
                "include_unanswered": rng.random() < 0.5,
            }
        if rng.random() < 0.6:
            low = rng.randint(1930, 1990)
            segment["birth_years"] = {"from": low, "to": low + 25, "include_unanswered": rng.random() < 0.5}
        if rng.random() < 0.6:
            mode = rng.choice(["any_of", "all_of"])
            segment["genres"] = {
                mode: rng.sample(["bousai", "kenko", "koho", "event"], 2),
                "include_unanswered": rng.random() < 0.5,
            }
        if rng.random() < 0.5:
            segment["exclude"] = {"genders": {"any_of": ["male"], "include_unanswered": rng.random() < 0.5}}
        answer = stack.plan(
            {"broadcast_id": f"dry-{round_}", "messages": TEXT, "segment": segment, "dry_run": True}
        )
        assert answer["audienceSize"] == len(expected_audience(items, segment)), segment
