"""Every LINE webhook event type, including ones the SDK cannot model, passes the worker without error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.integration.conversation.conversation_stack import (
    FIXTURES,
    Stack,
    fixture,
    fresh,
    sqs_record,
    user_id,
)
from tests.support.lambda_runtime import FakeLambdaContext

CATALOGUE = sorted(path.stem for path in FIXTURES.glob("*.json"))
# A 1:1 message gets a short help line; everything else gets no answer at all.
ANSWERED = {
    "message_text",
    "message_image",
    "message_video",
    "message_audio",
    "message_file",
    "message_location",
    "message_sticker",
    "follow",
    "follow_unblocked",
    "postback",
    "postback_datetimepicker",
}


def test_the_catalogue_holds_every_documented_type() -> None:
    types = {fixture(name)["type"] for name in CATALOGUE}
    assert types >= {
        "message", "follow", "unfollow", "join", "leave", "memberJoined", "memberLeft", "postback", "beacon",
        "accountLink", "unsend", "videoPlayComplete", "membership", "messageEdited", "module", "activated",
        "deactivated", "botSuspended", "botResumed", "delivery", "somethingNew",
    }  # fmt: skip


@pytest.mark.parametrize("name", CATALOGUE)
def test_each_event_type_is_handled_without_failure(stack: Stack, name: str) -> None:
    # Given one event of this type from a resident LINE knows
    resident = user_id(0xCA7)
    stack.fake.add_user(resident, "テスト太郎")
    event = fresh(fixture(name), stack.fake, user=resident)
    # When the worker handles it, Then the record does not fail
    assert stack.run(event) == []
    # And only a 1:1 event that merits an answer is answered
    sent = stack.fake.requests(path="/v2/bot/message/reply") + stack.fake.requests(
        path="/v2/bot/message/push"
    )
    assert bool(sent) is (name in ANSWERED)


def test_the_whole_catalogue_in_one_batch_has_no_failure(stack: Stack) -> None:
    events = [fresh(fixture(name), stack.fake) for name in CATALOGUE]
    assert stack.run(*events) == []


def test_location_and_free_text_are_not_stored(stack: Stack) -> None:
    resident = user_id(0x10C)
    stack.run(fresh(fixture("message_location"), stack.fake, user=resident))
    stack.run(fresh(fixture("message_text"), stack.fake, user=resident))
    assert stack.user_item(resident) is None
    assert stack.conversation_item(resident) is None


@pytest.mark.parametrize("body", ["not json", json.dumps({"event": {}}), json.dumps([1, 2])])
def test_a_record_that_is_no_webhook_event_is_kept_for_the_dlq_not_dropped(
    stack: Stack, body: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a record our webhook would never enqueue, next to a resident's ordinary event
    record: dict[str, Any] = {
        "messageId": "m-1",
        "receiptHandle": "h",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:civicline-events.fifo",
        "awsRegion": "ap-northeast-1",
    }
    ordinary = sqs_record(fresh(fixture("message_sticker"), stack.fake, user=user_id(0xBAD)))
    # When the worker handles the batch
    response = stack.handler({"Records": [record, ordinary]}, FakeLambdaContext())
    # Then the malformed record is reported failed, so SQS moves it to the DLQ after maxReceiveCount
    assert response["batchItemFailures"] == [{"itemIdentifier": "m-1"}]
    # And it is logged by message id and counted, its body never written out
    out = capsys.readouterr().out
    assert '"message_id":"m-1"' in out.replace(" ", "")
    assert '"MalformedRecords"' in out
    if body != "not json":
        assert body not in out
