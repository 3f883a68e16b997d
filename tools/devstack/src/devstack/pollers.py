"""Lambda's SQS event source mappings, emulated: poll, invoke with a real batch, delete or retry.

Redrive to the DLQ: moto 5.2.5 moves a message to the queue's dead-letter queue by itself, on the
first ReceiveMessage after its ApproximateReceiveCount has reached the RedrivePolicy's
maxReceiveCount (as SQS does), so the poller does not move messages itself — it only keeps failed
records on the queue. tests/integration/devstack/test_pollers.py pins that behaviour.

Retry timing: a failed record stays on the queue and would reappear after the queue's visibility
timeout (minutes, in the template). Locally the poller sets a failed record's visibility to a short
backoff instead, so a retry — and the DLQ — is reached in seconds.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.activity import ActivityTracker
from devstack.handlers import FunctionError, LocalFunction
from devstack.resolve import REGION

log = logging.getLogger("devstack.pollers")

_SQS_RECEIVE_LIMIT = 10
_FIFO_ATTRIBUTES = ("MessageGroupId", "MessageDeduplicationId", "SequenceNumber")
_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
    *_FIFO_ATTRIBUTES,
)


@dataclass(frozen=True)
class SqsEventSource:
    """One AWS::Lambda::EventSourceMapping whose source is an SQS queue."""

    logical_id: str
    function_id: str
    queue_arn: str
    queue_url: str
    batch_size: int
    report_batch_item_failures: bool
    enabled: bool = True


def sqs_event_sources(
    cfn: dict[str, Any], resolve: Callable[[Any], Any], queue_urls_by_arn: dict[str, str]
) -> list[SqsEventSource]:
    sources = []
    for logical_id, resource in cfn.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Lambda::EventSourceMapping":
            continue
        props = resource.get("Properties", {})
        function = props.get("FunctionName", {})
        if not (isinstance(function, dict) and "Ref" in function):
            log.warning("%s: FunctionName is not a Ref to a template function; skipped", logical_id)
            continue
        queue_arn = str(resolve(props.get("EventSourceArn")))
        if queue_arn not in queue_urls_by_arn:
            continue  # not an SQS queue of this stack (streams, Kafka...): not emulated
        sources.append(
            SqsEventSource(
                logical_id=logical_id,
                function_id=function["Ref"],
                queue_arn=queue_arn,
                queue_url=queue_urls_by_arn[queue_arn],
                batch_size=int(props.get("BatchSize", 10)),
                report_batch_item_failures="ReportBatchItemFailures"
                in props.get("FunctionResponseTypes", []),
                enabled=str(props.get("Enabled", True)).lower() != "false",
            )
        )
    return sources


def lambda_record(message: dict[str, Any], source: SqsEventSource) -> dict[str, Any]:
    """An SQS message in the exact shape Lambda puts it in an event's `Records`."""
    attributes = {
        name: message["Attributes"][name]
        for name in _RECORD_ATTRIBUTES
        if name in message.get("Attributes", {})
    }
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": source.queue_arn,
        "awsRegion": REGION,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        converted["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return converted


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str] | None:
    """The records a ReportBatchItemFailures response keeps on the queue; None = the whole batch failed.

    Lambda treats a malformed response (an identifier that is empty or not in the batch) as a failure of
    the whole batch; a response without batchItemFailures means every record succeeded.
    """
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failed = set()
    for failure in result["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in batch_ids:
            return None
        failed.add(identifier)
    return failed


class SqsPoller:
    """One thread per event source mapping: receive, invoke, then delete successes."""

    def __init__(
        self,
        source: SqsEventSource,
        function: LocalFunction,
        client: Any,
        *,
        retry_backoff_seconds: int,
        wait_seconds: int,
        activity: ActivityTracker,
    ) -> None:
        self.source = source
        self._function = function
        self._sqs = client
        self._backoff = retry_backoff_seconds
        self._wait = wait_seconds
        self._activity = activity
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"poller-{source.logical_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("poller %s failed; retrying", self.source.logical_id)
                self._stop.wait(1)

    def _receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        response = self._sqs.receive_message(
            QueueUrl=self.source.queue_url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def poll_once(self) -> int:
        """Receives up to BatchSize messages and hands them to the function; returns the batch size."""
        messages = self._receive(min(self.source.batch_size, _SQS_RECEIVE_LIMIT), self._wait)
        # BatchSize above 10 (standard queues) is filled by further receives, as Lambda's batching does.
        while messages and len(messages) < self.source.batch_size:
            more = self._receive(min(self.source.batch_size - len(messages), _SQS_RECEIVE_LIMIT), 0)
            if not more:
                break
            messages.extend(more)
        if not messages:
            return 0
        with self._activity():
            self._process(messages)
        return len(messages)

    def _process(self, messages: list[dict[str, Any]]) -> None:
        records = [lambda_record(message, self.source) for message in messages]
        by_id = {message["MessageId"]: message for message in messages}
        try:
            result = self._function.invoke({"Records": records})
        except FunctionError as error:
            log.info("%s: batch of %d failed (%s)", self.source.logical_id, len(records), error.error_type)
            failed: set[str] | None = None
        else:
            failed = (
                failed_message_ids(result, set(by_id)) if self.source.report_batch_item_failures else set()
            )
        if failed is None:
            failed = set(by_id)
        succeeded = [message for message_id, message in by_id.items() if message_id not in failed]
        for start in range(0, len(succeeded), _SQS_RECEIVE_LIMIT):
            chunk = succeeded[start : start + _SQS_RECEIVE_LIMIT]
            self._sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        retried = [by_id[message_id] for message_id in by_id if message_id in failed]
        for start in range(0, len(retried), _SQS_RECEIVE_LIMIT):
            chunk = retried[start : start + _SQS_RECEIVE_LIMIT]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self._backoff}
                    for i, m in enumerate(chunk)
                ],
            )
