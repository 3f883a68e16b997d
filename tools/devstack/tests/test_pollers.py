"""SQS event sources: real Lambda batches, BatchSize, partial failures, retries and the DLQ."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from devstack.pollers import failed_message_ids
from devstack.stack import LocalStack

STANDARD_RECORD_KEYS = {
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
}


def _batches_with(stack: LocalStack, function_id: str, marker: str) -> list[list[dict[str, Any]]]:
    """The batches the function was invoked with that carry records whose body contains `marker`."""
    module = stack.functions[function_id].module
    assert module is not None
    return [
        event["Records"]
        for event in module.SEEN
        if any(marker in record["body"] for record in event["Records"])
    ]


def _messages(stack: LocalStack, logical_id: str) -> list[dict[str, Any]]:
    response = stack.boto3_client("sqs").receive_message(
        QueueUrl=stack.physical_id(logical_id),
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["All"],
        VisibilityTimeout=0,
    )
    messages: list[dict[str, Any]] = response.get("Messages", [])
    return messages


def test_batches_respect_batch_size_and_successes_are_deleted(stack: LocalStack) -> None:
    # Given five messages on a queue whose event source has BatchSize 2
    marker = uuid.uuid4().hex
    sqs = stack.boto3_client("sqs")
    for n in range(5):
        sqs.send_message(QueueUrl=stack.physical_id("WorkQueue"), MessageBody=f"ok {marker} {n}")
    # When the poller has drained it
    assert stack.wait_until_idle(30)
    # Then every batch held at most two records, each message was seen once, and the queue is empty
    batches = _batches_with(stack, "WorkerFunction", marker)
    assert all(1 <= len(batch) <= 2 for batch in batches)
    bodies = sorted(record["body"] for batch in batches for record in batch)
    assert bodies == sorted(f"ok {marker} {n}" for n in range(5))
    assert not [m for m in _messages(stack, "WorkDeadLetterQueue") if marker in m["Body"]]


def test_records_have_lambdas_sqs_event_shape(stack: LocalStack) -> None:
    # Given a message with message attributes
    marker = uuid.uuid4().hex
    stack.boto3_client("sqs").send_message(
        QueueUrl=stack.physical_id("WorkQueue"),
        MessageBody=f"ok {marker}",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "probe"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    assert stack.wait_until_idle(30)
    # Then the handler got a record shaped as Lambda shapes it
    ((record,),) = _batches_with(stack, "WorkerFunction", marker)
    assert set(record) >= STANDARD_RECORD_KEYS
    assert record["eventSource"] == "aws:sqs"
    assert record["awsRegion"] == "ap-northeast-1"
    assert record["eventSourceARN"] == "arn:aws:sqs:ap-northeast-1:123456789012:civicline-local-work"
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324
    assert set(record["attributes"]) >= {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "probe",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert record["messageAttributes"]["blob"]["binaryValue"] == "AAE="


def test_a_reported_failure_is_retried_then_moved_to_the_dlq(stack: LocalStack) -> None:
    # Given one failing and one good message on a queue with maxReceiveCount 3 and ReportBatchItemFailures
    marker = uuid.uuid4().hex
    sqs = stack.boto3_client("sqs")
    sqs.send_message(QueueUrl=stack.physical_id("WorkQueue"), MessageBody=f"fail {marker}")
    sqs.send_message(QueueUrl=stack.physical_id("WorkQueue"), MessageBody=f"ok {marker}")
    # When the poller has finished with them
    assert stack.wait_until_idle(60)
    # Then the good one was handled once, the failing one three times, and it now sits in the DLQ
    records = [record for batch in _batches_with(stack, "WorkerFunction", marker) for record in batch]
    assert [r["body"] for r in records].count(f"ok {marker}") == 1
    failing = [r for r in records if r["body"] == f"fail {marker}"]
    assert [r["attributes"]["ApproximateReceiveCount"] for r in failing] == ["1", "2", "3"]
    dead = [m for m in _messages(stack, "WorkDeadLetterQueue") if marker in m["Body"]]
    assert [m["Body"] for m in dead] == [f"fail {marker}"]


def test_fifo_records_carry_group_dedup_and_sequence_and_a_raise_fails_the_batch(stack: LocalStack) -> None:
    # Given a FIFO queue (maxReceiveCount 2, no ReportBatchItemFailures) with a good and a raising message
    marker = uuid.uuid4().hex
    sqs = stack.boto3_client("sqs")
    url = stack.physical_id("OrderedQueue")
    sqs.send_message(
        QueueUrl=url, MessageBody=f"ok {marker}", MessageGroupId="U1", MessageDeduplicationId=marker
    )
    assert stack.wait_until_idle(30)
    ((record,),) = _batches_with(stack, "OrderedFunction", marker)
    # Then FIFO attributes are in the record
    assert record["attributes"]["MessageGroupId"] == "U1"
    assert record["attributes"]["MessageDeduplicationId"] == marker
    assert record["attributes"]["SequenceNumber"]
    # When a handler raises, the whole batch returns to the queue and, after two receives, goes to the DLQ
    sqs.send_message(
        QueueUrl=url, MessageBody="raise", MessageGroupId=marker, MessageDeduplicationId=f"r{marker}"
    )
    assert stack.wait_until_idle(60)
    dead = _messages(stack, "OrderedDeadLetterQueue")
    assert [m["Attributes"]["MessageGroupId"] for m in dead if m["Body"] == "raise"] == [marker]


def test_malformed_batch_item_failures_fail_the_whole_batch() -> None:
    batch = {"a", "b"}
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "a"}]}, batch) == {"a"}
    assert failed_message_ids({"batchItemFailures": []}, batch) == set()
    assert failed_message_ids(None, batch) == set()
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, batch) is None
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": ""}]}, batch) is None
