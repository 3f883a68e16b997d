"""The conversation worker against template.yaml's resources in moto and the fake LINE: builders and a
harness."""

from __future__ import annotations

import copy
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from tests.integration.aws_from_template import TemplateAws
from tests.support.lambda_runtime import FakeLambdaContext

from devstack.fake_line import FakeLine

REGION = "ap-northeast-1"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "line_events"
DESTINATION = "U0123456789abcdef0123456789abcdef"
PRIVACY_URL = "https://www.city.shinjuku.lg.jp/kusei/privacy.html"
_sequence = itertools.count(1)


def user_id(n: int) -> str:
    return f"U{n:032x}"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def fresh(
    event: dict[str, Any], fake: FakeLine, *, user: str | None = None, age_s: float = 0.0
) -> dict[str, Any]:
    """The event as LINE would send it now: new id, current timestamp, a reply token the fake knows."""
    event = copy.deepcopy(event)
    event["webhookEventId"] = f"01JT{next(_sequence):022d}"
    event["timestamp"] = int((time.time() - age_s) * 1000)
    source = event.get("source")
    if user and isinstance(source, dict) and "userId" in source:
        source["userId"] = user
    if "replyToken" in event:
        owner = source.get("userId") if isinstance(source, dict) else None
        event["replyToken"] = fake.mint_reply_token(user_id=owner)
    return event


def text_event(fake: FakeLine, user: str, text: str, **kw: Any) -> dict[str, Any]:
    event = fresh(fixture("message_text"), fake, user=user, **kw)
    event["message"]["text"] = text
    event["message"]["id"] = str(uuid.uuid4().int)[:18]
    return event


def unsend_event(fake: FakeLine, user: str, message_id: str, **kw: Any) -> dict[str, Any]:
    event = fresh(fixture("unsend"), fake, user=user, **kw)
    event["unsend"] = {"messageId": message_id}
    return event


def postback_event(fake: FakeLine, user: str, data: str, **kw: Any) -> dict[str, Any]:
    event = fresh(fixture("postback"), fake, user=user, **kw)
    event["postback"] = {"data": data}
    return event


def follow_event(fake: FakeLine, user: str, unblocked: bool = False, **kw: Any) -> dict[str, Any]:
    return fresh(fixture("follow_unblocked" if unblocked else "follow"), fake, user=user, **kw)


def unfollow_event(fake: FakeLine, user: str, **kw: Any) -> dict[str, Any]:
    return fresh(fixture("unfollow"), fake, user=user, **kw)


def sqs_record(event: dict[str, Any], receive_count: int = 1) -> dict[str, Any]:
    source = event.get("source") or {}
    group = source.get("userId") or source.get("groupId") or source.get("roomId") or "no-source"
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "handle",
        "body": json.dumps({"destination": DESTINATION, "event": event}, ensure_ascii=False),
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": str(int(time.time() * 1000)),
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
            "SequenceNumber": str(next(_sequence)),
            "MessageGroupId": group,
            "MessageDeduplicationId": event["webhookEventId"],
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:civicline-events.fifo",
        "awsRegion": REGION,
    }


@dataclass
class Stack:
    handler: Any
    fake: FakeLine
    aws: TemplateAws
    users_table: Any
    conversations_table: Any
    handled: list[dict[str, Any]] = field(default_factory=list)

    def run(self, *events: dict[str, Any], receive_count: int = 1) -> list[str]:
        """Hand the events to the worker as one SQS batch; the ids of the records it reports failed."""
        records = [sqs_record(event, receive_count) for event in events]
        try:
            response = self.handler({"Records": records}, FakeLambdaContext())
        except BatchProcessingError:
            # Powertools fails the invocation when every record failed: SQS retries them all.
            return [record["attributes"]["MessageDeduplicationId"] for record in records]
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        return [
            record["attributes"]["MessageDeduplicationId"]
            for record in records
            if record["messageId"] in failed
        ]

    def user_item(self, user: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.users_table.get_item(
            Key={"userId": user}, ConsistentRead=True
        ).get("Item")
        return item

    def conversation_item(self, user: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.conversations_table.get_item(Key={"userId": user}).get("Item")
        return item

    def messages(self, user: str) -> list[dict[str, Any]]:
        return self.fake.messages_for(user)

    def last_message(self, user: str) -> dict[str, Any]:
        sent = self.messages(user)
        assert sent, "nothing was sent"
        message: dict[str, Any] = sent[-1]["message"]
        return message


def quick_reply_data(message: dict[str, Any], label: str) -> str:
    for item in message.get("quickReply", {}).get("items", []):
        if item["action"]["label"] == label:
            data: str = item["action"]["data"]
            return data
    raise AssertionError(f"no quick reply {label!r}")
