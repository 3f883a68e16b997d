"""The broadcast handlers against template.yaml's resources in moto, driven like Lambda and SQS drive
them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from tests.integration.aws_from_template import TemplateAws
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module, sqs_record

from civicline.adapters.planning_workers import LambdaPlanningWorkers
from devstack.fake_line import FakeLine
from tools.bench.broadcast import resident_items, seed_users

REGION = "ap-northeast-1"
MULTICAST = "/v2/bot/message/multicast"
SENDER_TIMEOUT_MILLIS = 90_000  # BroadcastSenderFunction Timeout
WORKER_TIMEOUT_MILLIS = 300_000  # BroadcastPlanWorkerFunction Timeout
PLANNER_ARN = "arn:aws:lambda:ap-northeast-1:123456789012:function:civicline-BroadcastPlannerFunction"


class InProcessLambda:
    """The planner's Lambda client, as far as it is used: an asynchronous invoke of a planning worker,
    run here and now (moto cannot run functions without Docker)."""

    def __init__(self, run: Callable[[dict[str, Any]], Any]) -> None:
        self._run = run
        self.invocations: list[dict[str, Any]] = []

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert InvocationType == "Event"
        event = json.loads(Payload)
        self.invocations.append(event)
        self._run(event)
        return {"StatusCode": 202}


def worker_context() -> FakeLambdaContext:
    return FakeLambdaContext(remaining_millis=WORKER_TIMEOUT_MILLIS)


def _handler(module: str) -> ModuleType:
    """functions/broadcast/<module>.py, loaded fresh: a new container with its own composition root."""
    return load_function_module("broadcast", module)


@dataclass
class BroadcastStack:
    fake: FakeLine
    aws: TemplateAws

    def __post_init__(self) -> None:
        self.dynamodb = self.aws.client("dynamodb")
        self.sqs = self.aws.client("sqs")
        self.users_table = self.aws.table("UsersTable")
        self.broadcasts_table = self.aws.table("BroadcastsTable")
        self.queue_url = self.aws.queue_url("BroadcastBatchesQueue")
        self.dlq_url = self.aws.queue_url("BroadcastBatchesDeadLetterQueue")
        self.schedule_group = self.aws.schedule_group("BroadcastScheduleGroup")
        self.scheduler_role_arn = self.aws.role_arn("BroadcastSchedulerRole")
        # Not the template's 540 s (6x the sender's timeout): a failed batch is visible again at once,
        # so the tests need not wait.
        self.sqs.set_queue_attributes(QueueUrl=self.queue_url, Attributes={"VisibilityTimeout": "0"})
        self.app = _handler("planner")
        self.sender = _handler("sender")
        self.worker = _handler("plan_worker")
        self.workers = InProcessLambda(lambda event: self.worker.handler(event, worker_context()))
        # The planner's container, with its Lambda client swapped for one that runs workers here.
        container = vars(self.app)
        container["planner"] = replace(
            container["planner"],
            start_workers=LambdaPlanningWorkers(self.workers, "BroadcastPlanWorkerFunction"),
        )

    def seed(self, count: int, seed: int = 7, start: int = 0) -> list[dict[str, Any]]:
        items = list(resident_items(count, seed=seed, start=start))
        seed_users(self.dynamodb, self.users_table, iter(items))
        return items

    def plan(self, request: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
        return self.invoke_planner({"request": request}, request_id)

    def invoke_planner(self, event: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
        context = FakeLambdaContext(
            aws_request_id=request_id or str(uuid.uuid4()),
            remaining_millis=900_000,
            invoked_function_arn=PLANNER_ARN,
        )
        result: dict[str, Any] = self.app.handler(event, context)
        return result

    def report(self, broadcast_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.app.handler({"report": broadcast_id}, FakeLambdaContext())
        return result

    def receive(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=1, AttributeNames=["All"]
        )
        return list(answer.get("Messages", []))

    def deliver(self, message: dict[str, Any]) -> dict[str, Any]:
        """One SQS event (BatchSize 1, as in the template) to the sender; deleted on success."""
        record = sqs_record(message, f"arn:aws:sqs:{REGION}:123456789012:civicline-broadcast-batches")
        response: dict[str, Any] = self.sender.handler(
            {"Records": [record]}, FakeLambdaContext(remaining_millis=SENDER_TIMEOUT_MILLIS)
        )
        if not response.get("batchItemFailures"):
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return response

    def drain(self, max_deliveries: int = 1000) -> int:
        """Deliver until the queue is empty (bounded); the number of deliveries made."""
        for done in range(max_deliveries):
            messages = self.receive()
            if not messages:
                return done
            self.deliver(messages[0])
        raise AssertionError("queue not drained")

    def multicasts(self) -> list[dict[str, Any]]:
        return self.fake.requests(path=MULTICAST)

    def deliveries(self) -> dict[str, int]:
        """How many times each resident received the broadcast, per the fake LINE's accepted requests."""
        counts: dict[str, int] = {}
        for request in self.multicasts():
            for user in request["body"]["to"]:
                counts[user] = counts.get(user, 0) + 1
        return counts
